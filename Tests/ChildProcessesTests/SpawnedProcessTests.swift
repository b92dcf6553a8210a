import ChildProcesses
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `SpawnedProcess`, the daemon's Foundation-free way to run the pinentry and `systemctl`,
/// through a real /bin/sh.
@Suite struct SpawnedProcessTests {
    @Test func aChildReadsItsInputAndItsOutputAndStatusComeBack() throws {
        let child = try SpawnedProcess("/bin/sh", ["-c", "read line; echo \"got $line\"; exit 3"])
        try child.write(Array("hello\n".utf8))
        child.closeInput()
        let output = String(decoding: child.readToEnd(), as: UTF8.self)
        #expect(output == "got hello\n")
        #expect(child.wait() == 3)
        #expect(!child.isRunning)
    }

    @Test func theEnvironmentGetsTheAddedVariablesAndKeepsThisProcesss() throws {
        setenv("CPSB_SPAWN_KEPT", "kept", 1)
        let child = try SpawnedProcess("/bin/sh", ["-c", "echo \"$CPSB_SPAWN_KEPT $CPSB_SPAWN_ADDED\""],
                                       environment: ["CPSB_SPAWN_ADDED": "added"])
        #expect(String(decoding: child.readToEnd(), as: UTF8.self) == "kept added\n")
        #expect(child.wait() == 0)
    }

    @Test func standardErrorGoesNowhereAndAMissingProgramIsAClearError() throws {
        let child = try SpawnedProcess("/bin/sh", ["-c", "echo secret >&2; echo out"])
        #expect(String(decoding: child.readToEnd(), as: UTF8.self) == "out\n")
        child.wait()
        #expect(throws: ChildProcessError.self) { try SpawnedProcess("/nonexistent/pinentry") }
    }

    @Test func aTerminatedChildReportsItsSignal() throws {
        let child = try SpawnedProcess("/bin/sh", ["-c", "exec sleep 30"])
        #expect(child.isRunning)
        child.terminate()
        #expect(child.wait() == 128 + SIGTERM)
    }

    @Test func aChildInheritsNoOtherChildsPipes() throws {
        // Were the first child's pipe ends inherited by the second, the first would never see
        // the end of its input (and a dead pinentry would give no end of file).
        let first = try SpawnedProcess("/bin/cat")
        let second = try SpawnedProcess("/bin/sh", ["-c", "ls -l /proc/self/fd/ | grep -c pipe:"])
        let pipes = Int(String(decoding: second.readToEnd(), as: UTF8.self).filter { !$0.isWhitespace }) ?? -1
        second.wait()
        #expect(pipes == 2, "the second child's pipes: its standard input and output only")
        first.closeInput()
        #expect(first.readToEnd().isEmpty)
        #expect(first.wait() == 0)
    }
}
