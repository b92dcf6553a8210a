#if canImport(Glibc)
import Glibc
#endif

/// Where this executable is, for the files a `swift build` (or the package) puts beside it:
/// the card simulator, the simulated PIN-pad reader's driver, the demo.
public enum ExecutableLocation {
    /// This executable's folder, from /proc/self/exe (argv[0]'s when /proc cannot say).
    public static var directory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The path of `name` beside this executable (whether it exists or not).
    public static func beside(_ name: String) -> String {
        directory + "/" + name
    }

    /// `name` beside this executable if it is there and executable, else the first one on
    /// the PATH, else the path beside this executable (so that an error names it).
    public static func program(_ name: String) -> String {
        let besideThis = beside(name)
        if access(besideThis, X_OK) == 0 { return besideThis }
        let searchPath = getenv("PATH").map { String(cString: $0) } ?? ""
        for folder in searchPath.split(separator: ":") where access("\(folder)/\(name)", X_OK) == 0 {
            return "\(folder)/\(name)"
        }
        return besideThis
    }
}
