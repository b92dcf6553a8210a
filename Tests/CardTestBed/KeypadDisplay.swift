/// What a simulated PIN-pad reader's 2x16 display shows, from the keypad's `display` answer:
/// `WAITING "<line 1>" "<line 2>"` while a PIN entry waits for keys, `IDLE "<line 1>" "<line 2>"`
/// otherwise (lines never contain a double quote).
public struct KeypadDisplay: Sendable, Hashable, CustomStringConvertible {
    /// A PIN entry waits for keys.
    public let waiting: Bool
    public let line1: String
    public let line2: String

    /// Parses the answer; `nil` when it is not in the format above.
    public init?(answer: String) {
        let waiting: Bool
        let rest: Substring
        if answer.hasPrefix("WAITING ") {
            waiting = true
            rest = answer.dropFirst(8)
        } else if answer.hasPrefix("IDLE ") {
            waiting = false
            rest = answer.dropFirst(5)
        } else {
            return nil
        }
        let parts = rest.split(separator: "\"", omittingEmptySubsequences: false)
        // "a" "b" splits into ["", a, " ", b, ""].
        guard parts.count == 5, parts[0].isEmpty, parts[2] == " ", parts[4].isEmpty else { return nil }
        self.waiting = waiting
        line1 = String(parts[1])
        line2 = String(parts[3])
    }

    public var description: String { "\(waiting ? "WAITING" : "IDLE") \"\(line1)\" \"\(line2)\"" }
}
