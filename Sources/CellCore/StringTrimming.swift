extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines), as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` without needing Foundation.
    public var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
