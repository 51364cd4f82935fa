extension String {
    /// The text followed by spaces up to `width` characters, for table columns (what
    /// `padding(toLength:withPad: " ", startingAt: 0)` did for the column widths the tables compute,
    /// without cutting a longer text or splitting a character).
    func padded(toWidth width: Int) -> String {
        let missing = width - count
        return missing > 0 ? self + String(repeating: " ", count: missing) : self
    }
}
