import CardTestBed
import Foundation
import Testing

/// `cps-bridge inspect` as a sysadmin runs it, on the simulator's holder certificate.
@Suite(.enabled(if: TestEnvironment.runCardBedTests, "needs pcscd and vpcd (make deps)"), .timeLimit(.minutes(2)))
struct InspectCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = TestEnvironment.binDirectory.appendingPathComponent("cps-bridge")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    @Test func printsTheConfiguredHolder() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: [
                "--national-id", "810002813839", "--surname", "LEFÈVRE", "--given-name", "ÉLODIE", "--profession", "Sage-femme",
            ])
            defer { card.stop() }
            let (status, stdout, _) = try Self.run(["inspect", card.holderCertificatePath])
            #expect(status == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
            #expect(json["nationalId"] as? String == "810002813839")
            #expect(json["nationalIdType"] as? String == "rpps")
            #expect(json["rpps"] as? String == "10002813839")
            #expect(json["familyName"] as? String == "LEFÈVRE")
            #expect(json["givenName"] as? String == "ÉLODIE")
            #expect(json["profession"] as? String == "Sage-femme")
            #expect((json["issuer"] as? String)?.contains("TEST AC IGC-SANTE FORT PERSONNES") == true)
            for key in ["subject", "notBefore", "notAfter"] { #expect(json[key] is String) }
        }
    }

    @Test func aFileThatIsNotACertificateIsAClearError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-cert-\(UUID().uuidString).pem")
        try "hello".write(to: file, atomically: true, encoding: .utf8)
        let (status, stdout, stderr) = try Self.run(["inspect", file.path])
        #expect(status != 0)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("not an X.509 certificate"))
        let missing = try Self.run(["inspect", "/nonexistent/cert.pem"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read /nonexistent/cert.pem"))
    }
}
