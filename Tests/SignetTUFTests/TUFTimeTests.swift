import Foundation
import SignetTUF
import Testing

@Suite struct TUFTimeTests {
    @Test func parsesOffsetsAndFractions() throws {
        let a = try TUFTime(rfc3339: "2018-08-03T15:48:41.776179945Z")
        #expect(a.seconds == 1533311321 && a.nanoseconds == 776179945)
        let b = try TUFTime(rfc3339: "2025-08-07T20:36:33.117452-07:00")
        #expect(b.seconds == 1754624193 && b.nanoseconds == 117452000)
        let c = try TUFTime(rfc3339: "2116-07-03T17:56:36-05:00")
        #expect(c > b)
        #expect(try TUFTime(rfc3339: "1970-01-01T00:00:00Z").seconds == 0)
    }

    @Test func refusesBadTimes() {
        for text in ["2018-02-30T00:00:00Z", "2018-08-03 15:48:41Z", "2018-08-03T15:48:41", "2018-08-03T15:48:41.Z", "2018-08-03T15:48:41.1234567890Z", "2018-08-03T25:00:00Z"] {
            let error = #expect(throws: TUFError.self, "\(text)") { try TUFTime(rfc3339: text) }
            #expect(error == TUFError(.malformed, "\"\(text)\" is not an RFC 3339 time"), "\(String(describing: error))")
        }
    }

    @Test func formatsAsGoDoesInUTC() throws {
        let date = Date(timeIntervalSince1970: 1533311321.5)
        #expect(TUFTime(date).text == "2018-08-03T15:48:41.5Z")
        #expect(TUFTime(Date(timeIntervalSince1970: 0)).text == "1970-01-01T00:00:00Z")
    }

    /// `isAtOrBefore` (the cache's per-request expiry check) agrees with `<=` on `TUFTime(date)`,
    /// the boundary instant included.
    @Test func isAtOrBeforeAgreesWithComparingTUFTimes() throws {
        let expires = try TUFTime(rfc3339: "2018-08-03T15:48:41.5Z")
        for offset in [-1.0, -0.000_001, 0, 0.000_001, 1] {
            let date = Date(timeIntervalSince1970: 1533311321.5 + offset)
            #expect(expires.isAtOrBefore(date) == (expires <= TUFTime(date)), "offset \(offset)")
        }
        #expect(expires.isAtOrBefore(Date(timeIntervalSince1970: 1533311321.5)))
        #expect(!expires.isAtOrBefore(Date(timeIntervalSince1970: 1533311321.4)))
    }
}
