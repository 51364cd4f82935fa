import Foundation
import Glibc
@testable import SignetSupport
import Testing

/// `HTTPDate` writes both of notary-server's date forms byte for byte: `Date` with `GMT`
/// (Go's `http.TimeFormat`), `Last-Modified` with `UTC` (Go's `time.RFC1123`).
@Suite struct HTTPDateTests {
    /// `<package root>/../shared/fixtures/notary-0.7/http/exchanges.jsonl`.
    static let exchanges = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/notary-0.7/http/exchanges.jsonl")

    @Test func formatsBothZones() {
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777, zone: .gmt) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 1_795_972_993, zone: .utc) == "Sun, 29 Nov 2026 17:23:13 UTC")
        #expect(HTTPDate.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    /// Every `Date` and `Last-Modified` header notary-server 0.7 sent in the recorded exchanges is
    /// what `HTTPDate` writes for the same second and zone.
    @Test func matchesNotaryServersHeaders() throws {
        let text = try String(contentsOf: Self.exchanges, encoding: .utf8)
        var checked: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let exchange = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let headers = exchange["response_headers"] as? [[String]] else { continue }
            for header in headers where header.count == 2 && (header[0] == "Date" || header[0] == "Last-Modified") {
                let zone: HTTPDate.Zone = header[0] == "Date" ? .gmt : .utc
                let seconds = try #require(Self.seconds(header[1]), "\(header[1])")
                #expect(HTTPDate.format(secondsSinceEpoch: seconds, zone: zone) == header[1])
                checked[header[0], default: 0] += 1
            }
        }
        #expect((checked["Date"] ?? 0) > 0 && (checked["Last-Modified"] ?? 0) > 0, "\(checked)")
    }

    /// The seconds since the epoch of `Www, DD Mon YYYY HH:MM:SS ZZZ`.
    static func seconds(_ text: String) -> time_t? {
        let fields = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard fields.count == 6, let day = Int32(fields[1]), let month = months.firstIndex(of: String(fields[2])),
              let year = Int32(fields[3]) else { return nil }
        let clock = fields[4].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (clock[0], clock[1], clock[2])
        return timegm(&parts)
    }
}
