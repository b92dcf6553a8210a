import Foundation
import PKCS11
import Testing

@Suite struct DiscoveryTests {
    @Test(.enabled(if: TestMachine.isCI || (FileManager.default.fileExists(atPath: TestMachine.openSCModule) && TestMachine.hasSoftHSM)))
    func findsOpenSCAndSoftHSMInTheSystemRegistry() {
        let modules = PKCS11Module.registeredModules()
        let byName = Dictionary(modules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // opensc-pkcs11.module says `module: opensc-pkcs11.so` (relative).
        #expect(byName["opensc-pkcs11"]?.path == "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so")
        #expect(byName["opensc-pkcs11"]?.registrationFile == "/usr/share/p11-kit/modules/opensc-pkcs11.module")
        // softhsm2.module gives an absolute path.
        #expect(byName["softhsm2"]?.path == "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
    }

    @Test func readsRelativeAndAbsoluteModulesFromARegistryDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("p11-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "relative.module": "# a comment\nmodule: relative-pkcs11.so\ncritical: no\n",
            "absolute.module": "  module :  /opt/vendor/lib/libcps3_pkcs11_lux.so  \ntrust-policy: no\n",
            "disabled.module": "# module: commented-out.so\nenable-in: firefox\n",
            "notes.txt": "module: not-a-registration.so\n",
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let modules = PKCS11Module.registeredModules(registryDirectory: directory.path, moduleDirectory: "/usr/lib/test/pkcs11")
        #expect(modules.map(\.name) == ["absolute", "relative"])
        #expect(modules.map(\.path) == ["/opt/vendor/lib/libcps3_pkcs11_lux.so", "/usr/lib/test/pkcs11/relative-pkcs11.so"])
        #expect(modules.first?.registrationFile == directory.appendingPathComponent("absolute.module").path)
    }

    @Test func aMissingRegistryDirectoryHasNoModules() {
        #expect(PKCS11Module.registeredModules(registryDirectory: "/nonexistent/p11-kit/modules").isEmpty)
    }
}
