import Foundation
@testable import SignetServer
import SignetTUF
import Testing

/// A storage outage (issue 13): the server answers `503` with Notary's error envelope
/// (`UNAVAILABLE`, as docker/distribution's errcode registers it), never `500` and never a `404`
/// that would tell a client the collection does not exist; nothing stored is lost, and the server
/// serves again once the storage is back.
@Suite struct StorageOutageTests {
    static let gun = "example.com/library/app"
    static let unavailable = #"{"errors":[{"code":"UNAVAILABLE","message":"service unavailable","detail":{}}]}"#

    /// The file store's directory disappears under a running server (an unmounted volume), then
    /// comes back.
    @Test func missingStorageDirectoryIs503AndRecovers() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = scratch.path + "/data"
        let server = try InProcessServer(storage: storage)
        defer { server.stop() }
        let store = try FileStore(directory: storage)
        let targetsBytes = Array(#"{"signed":{"_type":"Targets"},"signatures":[]}"#.utf8)
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 1, bytes: targetsBytes)])
        }
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json").status == 200)

        let away = scratch.path + "/unmounted"
        try FileManager.default.moveItem(atPath: storage, toPath: away)
        let requests: [(method: String, target: String)] = [
            ("GET", "/v2/\(Self.gun)/_trust/tuf/targets.json"),
            ("GET", "/v2/\(Self.gun)/_trust/tuf/1.targets.json"),
            ("GET", "/v2/\(Self.gun)/_trust/tuf/root.json"),
            ("GET", "/v2/\(Self.gun)/_trust/tuf/timestamp.json"),
            ("GET", "/v2/\(Self.gun)/_trust/changefeed?records=10"),
            ("GET", "/v2/_trust/changefeed?records=10"),
            ("DELETE", "/v2/\(Self.gun)/_trust/tuf/"),
        ]
        for request in requests {
            let response = try RawHTTP.send(port: server.port, method: request.method, target: request.target)
            #expect(response.status == 503, "\(request.method) \(request.target): \(response.status) \(response.bodyText)")
            #expect(response.bodyText == Self.unavailable, "\(request.method) \(request.target): \(response.bodyText)")
            #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        }
        // A publish whose upload is well-formed, so that it gets as far as the storage.
        let next = #"{"signed":{"_type":"Targets","expires":"2030-01-01T00:00:00Z","targets":{},"version":2},"signatures":[]}"#
        let upload = RawHTTP.multipart([("files", "targets", Array(next.utf8))])
        let publish = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/\(Self.gun)/_trust/tuf/",
                                       headers: [("Content-Type", upload.contentType)], body: upload.body)
        #expect(publish.status == 503 && publish.bodyText == Self.unavailable, "\(publish.status) \(publish.bodyText)")
        // Nothing was re-created in the storage's place.
        #expect(!FileManager.default.fileExists(atPath: storage))

        try FileManager.default.moveItem(atPath: away, toPath: storage)
        let back = try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json")
        #expect(back.status == 200 && back.body == targetsBytes)
    }

    /// Each storage failure's one answer (`NotaryError.init(_: StorageError)`): only a
    /// version conflict and a bad name are the client's fault; an outage is 503, never 500.
    @Test func everyStorageFailureMapsToOneEnvelope() throws {
        let cases: [(StorageError, Int, String, String)] = [
            (StorageError(.unavailable, gun: Self.gun, role: "targets", "connection refused"), 503, "UNAVAILABLE", "{}"),
            (StorageError(.versionConflict, gun: Self.gun, role: "targets", "version 2 is not newer than 2"), 400, "VERSION", "{}"),
            (StorageError(.io, gun: Self.gun, "fsync failed"), 500, "UPDATING", "{}"),
            (StorageError(.corrupt, gun: Self.gun, role: "root", "manifest is malformed"), 500, "UNKNOWN", "{}"),
            (StorageError(.invalidName, gun: "../x", "GUN ../x is invalid"), 400, "INVALID_GUN", #""GUN ../x is invalid""#),
            (StorageError(.invalidName, gun: Self.gun, role: "Targets", "role Targets is invalid"), 400, "INVALID_ROLE", #""Targets""#),
        ]
        for (error, status, code, detail) in cases {
            let response = NotaryError(error).response
            #expect(response.status == status, "\(error)")
            let body = String(decoding: response.body, as: UTF8.self)
            #expect(body.hasPrefix(#"{"errors":[{"code":"\#(code)","message":"#) && body.hasSuffix(#","detail":\#(detail)}]}"#), "\(body)")
            // The log line names the GUN; the reason reaches the client only as a bad name's detail.
            #expect(NotaryError(error).logMessage.contains(error.gun ?? ""))
            if error.kind != .invalidName { #expect(!body.contains(error.reason), "\(body)") }
        }
    }
}
