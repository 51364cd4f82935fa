import SignetTUF

/// The web page's expiry timeline (issue 17 §3): one horizontal bar per role from now to its
/// `expires`, on a scale from now to the latest expiry (at least 30 days), rendered on the server
/// as inline SVG (no script, no external asset; colours as presentation attributes, which the
/// page's CSP allows). A role inside its warning window (`Expiry.warningWindowSeconds(of:)`) is
/// drawn red and marked `class="near"`; an expired one has an empty bar and says so.
enum ExpiryTimeline {
    static let width = 720
    static let rowHeight = 22
    static let labelWidth = 170

    /// - Parameter roles: (role, version, expires), in the order to draw them.
    static func svg(roles: [(role: String, version: Int64, expires: TUFTime)], now: TUFTime) -> String {
        let span = max(roles.map { Expiry.secondsLeft($0.expires, at: now) }.max() ?? 0, 30 * 86400)
        let barSpace = width - labelWidth - 150
        let height = rowHeight * roles.count + 10
        var svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"expiry timeline\">\n"
        for (index, entry) in roles.enumerated() {
            let left = Expiry.secondsLeft(entry.expires, at: now)
            let near = Expiry.expiresWithin(entry.expires, seconds: Expiry.warningWindowSeconds(of: entry.role), at: now)
            let y = index * rowHeight + 5
            let barWidth = left <= 0 ? 0 : max(2, Int(Double(barSpace) * Double(left) / Double(span)))
            let colour = near ? "#c0392b" : "#2e86c1"
            let label = left <= 0 ? "expired \(entry.expires.text)" : "\(Expiry.daysText(left)) left"
            svg += "<g class=\"\(near ? "near" : "ok")\">"
            svg += "<text x=\"0\" y=\"\(y + 14)\">\(HTMLText.escape(entry.role)) v\(entry.version)</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(barWidth)\" height=\"\(rowHeight - 8)\" fill=\"\(colour)\"><title>\(HTMLText.escape(entry.role)) expires \(HTMLText.escape(entry.expires.text))</title></rect>"
            svg += "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 14)\" fill=\"\(near ? colour : "#222")\">\(HTMLText.escape(label))</text>"
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }
}
