extension StringProtocol {
    /// The text without the white space (spaces, tabs, line ends) at either end: what
    /// Foundation's `trimmingCharacters(in:)` gives, for the modules built without Foundation.
    public var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
