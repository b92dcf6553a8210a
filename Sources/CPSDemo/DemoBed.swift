import ChildProcesses
import Foundation
import PCSC
#if canImport(Glibc)
import Glibc
#endif

/// The demo's card side on a machine with no reader: a private pcscd (its own socket, in a
/// private mount namespace so that it never meets the system's pcscd) with one reader, and
/// the simulated CPS3 card in it. The reader is a vpcd virtual reader, or, with a PIN-pad
/// driver, our simulated PIN-pad reader (`CPSPinPadReader`), whose keypad is a Unix socket.
///
/// Layout of `directory`: `run/pcscd.comm` (the socket), `readers/reader` (pcscd's reader
/// configuration), `keypad.sock` (the PIN pad's keypad, with a PIN-pad reader), `card/` (the simulator's state: `control.sock`, `apdu.log`, the test PKI's
/// `root-ca.pem`, `issuing-ca.pem` and `holder.pem`), `opensc.conf`, and the logs.
public final class DemoBed: Sendable {
    public let directory: URL
    /// pcscd's socket; the process's `PCSCLITE_CSOCK_NAME` points at it.
    public let socketPath: String
    /// The simulated card's state folder.
    public var cardDirectory: URL { directory.appendingPathComponent("card") }
    public var controlSocketPath: String { cardDirectory.appendingPathComponent("control.sock").path }
    public var rootCAPath: String { cardDirectory.appendingPathComponent("root-ca.pem").path }
    public var issuingCAPath: String { cardDirectory.appendingPathComponent("issuing-ca.pem").path }
    /// The demo's stand-in for the holder's native confirmation (see `demoPinentryScript`).
    public var pinentryPath: String { directory.appendingPathComponent("demo-pinentry").path }
    /// What the demo's pinentry was shown, one Assuan command a line.
    public var pinentryLogPath: String { directory.appendingPathComponent("demo-pinentry.log").path }
    public let readerName: String
    /// The simulated PIN pad's keypad (`type 1234`, `cancel`, `timeout`, `display`), when the
    /// reader is the PIN-pad one.
    public let keypadPath: String?

    private let pcscd: ChildProcess
    private let card: ChildProcess

    public static let pcscdPath = "/usr/sbin/pcscd"
    public static let vpcdDriverPath = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"

    /// Starts pcscd and the simulator and waits until pcscd reports the card.
    ///
    /// Must run before anything in the process talks to PC/SC: pcsc-lite reads
    /// `PCSCLITE_CSOCK_NAME` once per process, and this sets it (and `OPENSC_CONF`, with
    /// OpenSC's PIN cache off).
    /// - Parameters:
    ///   - simulator: the `cps-card-sim` executable.
    ///   - pinPadDriver: our PIN-pad reader's driver (`libcps-pinpad-ifd.so`), to have the
    ///     card in a reader with a PIN pad; `nil` for a vpcd reader.
    public init(directory: URL, simulator: String, pinPadDriver: String? = nil) throws(DemoError) {
        if let pinPadDriver, !FileManager.default.fileExists(atPath: pinPadDriver) {
            throw DemoError("the PIN-pad reader's driver is not at \(pinPadDriver): run `swift build` first")
        }
        for (path, package) in [(Self.pcscdPath, "pcscd"), (Self.vpcdDriverPath, "vsmartcard-vpcd"), ("/usr/bin/unshare", "util-linux")]
        where !FileManager.default.fileExists(atPath: path) {
            throw DemoError("\(path) is missing: install \(package) (`make deps` installs everything the demo needs)")
        }
        guard FileManager.default.isExecutableFile(atPath: simulator) else {
            throw DemoError("the card simulator is not at \(simulator): run `swift build` first")
        }
        self.directory = directory
        readerName = pinPadDriver == nil ? "CPS Demo Reader" : "CPS Demo PIN Pad"
        keypadPath = pinPadDriver == nil ? nil : directory.appendingPathComponent("keypad.sock").path
        socketPath = directory.appendingPathComponent("run/pcscd.comm").path
        let port: Int
        do {
            for sub in ["run", "readers", "card"] {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            port = try Self.freeVPCDPort()
            // The reader listens on DEVICENAME's port; the simulator connects to it. Our PIN-pad
            // reader takes its keypad socket from DEVICENAME's part before the colon.
            let hex = String(port, radix: 16)
            let device = keypadPath ?? "/dev/null"
            try "FRIENDLYNAME \"\(readerName)\"\nDEVICENAME \(device):0x\(hex)\nLIBPATH \(pinPadDriver ?? Self.vpcdDriverPath)\nCHANNELID 0x\(hex)\n"
                .write(to: directory.appendingPathComponent("readers/reader"), atomically: true, encoding: .utf8)
            let openSCConf = directory.appendingPathComponent("opensc.conf").path
            try "app default {\n    framework pkcs15 {\n        use_pin_caching = false;\n        use_file_caching = false;\n    }\n    pkcs11 {\n        lock_login = true;\n        max_virtual_slots = 64;\n    }\n}\n"
                .write(toFile: openSCConf, atomically: true, encoding: .utf8)
            let pinentry = directory.appendingPathComponent("demo-pinentry").path
            try Self.demoPinentryScript.write(toFile: pinentry, atomically: true, encoding: .utf8)
            guard chmod(pinentry, 0o700) == 0 else { throw DemoError("cannot make \(pinentry) executable") }
            setenv("PCSCLITE_CSOCK_NAME", socketPath, 1)
            setenv("OPENSC_CONF", openSCConf, 1)
        } catch {
            throw DemoError("cannot prepare \(directory.path): \(error)")
        }

        let run = directory.appendingPathComponent("run").path
        let readers = directory.appendingPathComponent("readers").path
        // As root a mount namespace is enough; otherwise a user namespace maps us to root in it.
        let unshare = getuid() == 0 ? ["unshare", "-m", "--propagation", "private"] : ["unshare", "-rm", "--propagation", "private"]
        do {
            pcscd = try ChildProcess(
                unshare + ["sh", "-c", "mkdir -p /run/pcscd && mount --bind '\(run)' /run/pcscd && exec \(Self.pcscdPath) --foreground -c '\(readers)'"],
                logPath: directory.appendingPathComponent("pcscd.log").path
            )
        } catch {
            throw DemoError("pcscd did not start: \(error)")
        }
        let socket = socketPath
        guard Self.wait(seconds: 10, until: { FileManager.default.fileExists(atPath: socket) && (try? PCSCContext()) != nil }) else {
            pcscd.stop()
            throw DemoError("pcscd did not start (log: \(directory.path)/pcscd.log): \(pcscd.log.suffix(400))")
        }
        do {
            card = try ChildProcess([simulator, "--vpcd-port", String(port), "--state", directory.appendingPathComponent("card").path],
                                    logPath: directory.appendingPathComponent("card.log").path)
        } catch {
            pcscd.stop()
            throw DemoError("the card simulator did not start: \(error)")
        }
        let present = Self.wait(seconds: 20) { [readerName] in
            guard let context = try? PCSCContext(), let names = try? context.listReaders(),
                  let name = names.first(where: { $0.hasPrefix(readerName) }),
                  let state = try? context.currentStates(of: [name]).first else { return false }
            return state.flags.contains(.present)
        }
        guard present else {
            card.stop()
            pcscd.stop()
            throw DemoError("pcscd does not see the simulated card (logs in \(directory.path)): \(card.log.suffix(400))")
        }
    }

    /// A pinentry for the demo, which has no desktop: it confirms the last try at once (the
    /// daemon asks the holder natively before a page's PIN may spend it) and cancels any PIN
    /// request (the demo page sends the PIN). It logs what it was shown beside itself. It
    /// stands in for a person on a simulated card; a real installation uses a real pinentry.
    static let demoPinentryScript = """
    #!/bin/sh
    # cps-bridge demo: stands in for the holder at the workstation (simulated card only).
    log="$(dirname "$0")/demo-pinentry.log"
    echo "OK cps-bridge demo pinentry"
    while IFS= read -r line; do
      printf '%s\\n' "$line" >> "$log"
      case "$line" in
        CONFIRM*) echo "OK" ;;
        GETPIN*) echo "ERR 83886179 Operation cancelled <demo>" ;;
        BYE*) echo "OK closing connection"; exit 0 ;;
        *) echo "OK" ;;
      esac
    done

    """

    /// Stops the card and pcscd (each within a few seconds).
    public func stop() {
        card.stop()
        pcscd.stop()
    }

    /// A free even TCP port on loopback for vpcd (it listens on the port and the next one).
    private static func freeVPCDPort() throws -> Int {
        for _ in 0..<50 {
            let base = Int.random(in: 20_000...60_000) & ~1
            if LoopbackPorts.isFree(base), LoopbackPorts.isFree(base + 1) { return base }
        }
        throw DemoError("no free loopback port for the virtual reader")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice).
    public static func freePort() throws(DemoError) -> Int {
        do { return try LoopbackPorts.free() } catch { throw DemoError(error.description) }
    }

    private static func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

/// Why the demo cannot start, in words a person can act on.
public struct DemoError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
