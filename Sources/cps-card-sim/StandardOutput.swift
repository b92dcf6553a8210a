// Only Glibc here, imported @preconcurrency: Swift 6 otherwise refuses to read the C global `stdout`.
@preconcurrency import Glibc

/// Makes stdout line-buffered, so a test that kills us still finds every line in its log file.
func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
