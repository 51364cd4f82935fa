import Foundation
import SignetTUF

/// One recorded request to notary-server 0.7 and its answer (`fixtures/notary-0.7/errors/*.txt`).
struct Probe {
    var name: String
    var method: String
    var target: String
    /// `-F files=@<path>;filename=<role>` parts, or a raw body with its content type.
    var parts: [(field: String, path: String, filename: String)] = []
    var rawBody: (contentType: String, path: String)?
    var status: Int
    var body: String

    static func load(_ name: String) throws -> Probe {
        let url = Paths.fixtures.appendingPathComponent("errors/\(name).txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let request = lines.first, request.hasPrefix("# ") else { throw TestFailure("\(name): no request line") }
        let words = request.dropFirst(2).split(separator: " ", maxSplits: 1)
        var probe = Probe(name: name, method: String(words[0]), target: String(words[1]), status: 0, body: "")
        if let args = lines.first(where: { $0.hasPrefix("# curl args: ") })?.dropFirst("# curl args: ".count) {
            if args.contains("--data-binary @") {
                // [-H Content-Type: T ]--data-binary @path
                let pieces = args.components(separatedBy: "--data-binary @")
                let contentType = pieces[0].replacingOccurrences(of: "-H Content-Type: ", with: "").trimmingCharacters(in: .whitespaces)
                probe.rawBody = (contentType.isEmpty ? "application/x-www-form-urlencoded" : contentType, pieces[1])
            } else {
                for spec in args.components(separatedBy: "-F ").map({ $0.trimmingCharacters(in: .whitespaces) }) where !spec.isEmpty {
                    let fields = spec.components(separatedBy: ";")
                    let assignment = fields[0].components(separatedBy: "=@")
                    let filename = fields.first(where: { $0.hasPrefix("filename=") }).map { String($0.dropFirst(9)) } ?? ""
                    probe.parts.append((assignment[0], assignment[1], filename))
                }
            }
        }
        if let statusLine = lines.first(where: { $0.hasPrefix("--- status: ") }) {
            probe.status = Int(statusLine.dropFirst("--- status: ".count)) ?? 0
        }
        if let bodyStart = lines.firstIndex(of: "--- response body") {
            probe.body = lines[(bodyStart + 1)...].joined(separator: "\n").trimmingCharacters(in: .newlines)
        }
        return probe
    }

    /// Names in `errors/index.tsv`, in the order notary-server was probed.
    static func allNames() throws -> [String] {
        let text = try String(contentsOf: Paths.fixtures.appendingPathComponent("errors/index.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
    }

    /// `errors[0].code` of an error body, or nil.
    static func errorCode(_ body: String) -> String? {
        guard let value = try? JSONParser.parse(Array(body.utf8)) else { return nil }
        return value["errors"]?.arrayValue?.first?["code"]?.stringValue
    }
}
