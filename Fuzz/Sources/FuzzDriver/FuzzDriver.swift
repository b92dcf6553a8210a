/// Starts libFuzzer from a SwiftPM executable target.
///
/// SwiftPM renames an executable module's entry point to `<module>_main` and links `main` to
/// it; a fuzz target has no `main` of its own (libFuzzer brings one), so each target defines
/// `<module>_main` and hands over to libFuzzer's driver here, with its
/// `LLVMFuzzerTestOneInput`.
public enum FuzzDriver {
    /// The signature of `LLVMFuzzerTestOneInput`.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process's arguments (corpus folders, `-max_total_time=`...).
    public static func run(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ testOneInput: TestOneInput) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    }
}

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`).
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ testOneInput: FuzzDriver.TestOneInput) -> CInt
