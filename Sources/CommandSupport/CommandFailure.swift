/// A failure reported on standard error with exit code 1, in one readable line.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
