import Foundation
import SignetHTTP
@testable import SignetServer
import Testing

/// Hostile names and bodies: every one is refused with a 4xx, and nothing is written outside the
/// storage directory's own layout.
@Suite struct HostileInputTests {
    static let storageLayout: Set<String> = ["repos", "locks", "trash", "keys", "changefeed.log", "server-key-passphrase"]

    /// Everything under `directory`, relative.
    func tree(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
    }

    @Test func hostileNamesAreRefusedAndStayInsideStorage() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = scratch.path + "/inner/data"
        let server = try InProcessServer(storage: storage)
        defer { server.stop() }
        let long = String(repeating: "a", count: 10_000)
        let badGUNs = [
            "..", "../..", "../../etc", "a/../../b", "%2Fetc%2Fpasswd", "%2E%2E/%2E%2E/x", "a/./b", "a//b",
            "x%00y", "back%5Cslash", long, "a/\(long)",
        ]
        let (contentType, body) = RawHTTP.multipart([("files", "root", Array("{}".utf8))])
        for gun in badGUNs {
            for (method, suffix) in [("GET", "/_trust/tuf/root.json"), ("GET", "/_trust/tuf/timestamp.key"), ("POST", "/_trust/tuf/timestamp.key"),
                                     ("GET", "/_trust/tuf/1.root.json"), ("DELETE", "/_trust/tuf/"), ("GET", "/_trust/changefeed?records=1")] {
                let response = try RawHTTP.send(port: server.port, method: method, target: "/v2/\(gun)\(suffix)")
                #expect((400..<500).contains(response.status), "\(method) \(gun.prefix(40))\(suffix): \(response.status)")
            }
            let post = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/\(gun)/_trust/tuf/",
                                        headers: [("Content-Type", contentType)], body: body)
            #expect((400..<500).contains(post.status), "POST \(gun.prefix(40)): \(post.status)")
        }
        let badRoles = ["targets/..", "targets/../../../../etc/passwd", "targets/%2E%2E", "targets/a%00b", "targets/A", "targets//x",
                        "/etc/passwd", "..", "targets/" + String(repeating: "x", count: 300)]
        for role in badRoles {
            let get = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/example.com/app/_trust/tuf/\(role).json")
            #expect((400..<500).contains(get.status), "GET role \(role.prefix(40)): \(get.status)")
            let upload = RawHTTP.multipart([("files", role.removingPercentEncoding ?? role, Array(#"{"signed":{"_type":"Targets","expires":"2030-01-01T00:00:00Z","version":1},"signatures":[]}"#.utf8))])
            let post = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/example.com/app/_trust/tuf/",
                                        headers: [("Content-Type", upload.contentType)], body: upload.body)
            #expect(post.status == 400, "POST role \(role.prefix(40)): \(post.status)")
            #expect(Probe.errorCode(post.bodyText) == "INVALID_ROLE" || role.contains("%00"), "POST role \(role.prefix(40)): \(post.bodyText)")
        }
        // Nothing escaped: the scratch directory holds only the storage directory, which holds only its layout.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["inner"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/inner") == ["data"])
        let top = Set(try FileManager.default.contentsOfDirectory(atPath: storage))
        #expect(top.isSubset(of: Self.storageLayout), "\(top)")
        #expect(tree(storage + "/repos").isEmpty, "no collection was created: \(tree(storage + "/repos"))")
    }

    @Test func hostileBodies() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data", maxBodyBytes: 64 * 1024)
        defer { server.stop() }
        let target = "/v2/example.com/app/_trust/tuf/"
        func post(_ contentType: String, _ body: [UInt8]) throws -> HTTPResponse {
            try RawHTTP.send(port: server.port, method: "POST", target: target, headers: [("Content-Type", contentType)], body: body)
        }
        // Over the body limit: refused by the HTTP layer.
        let huge = RawHTTP.multipart([("files", "targets", [UInt8](repeating: 0x7B, count: 100 * 1024))])
        #expect(try post(huge.contentType, huge.body).status == 413)
        // Broken multipart: no closing delimiter, no boundary, not multipart.
        let good = RawHTTP.multipart([("files", "targets", Array("{}".utf8))])
        let broken = try post(good.contentType, Array(good.body.dropLast(10)))
        #expect(broken.status == 400 && Probe.errorCode(broken.bodyText) == "MALFORMED_UPLOAD", "\(broken.bodyText)")
        #expect(Probe.errorCode(try post("multipart/form-data", good.body).bodyText) == "MALFORMED_UPLOAD")
        #expect(Probe.errorCode(try post("application/json", Array("{}".utf8)).bodyText) == "MALFORMED_UPLOAD")
        // Parts that are not metadata.
        for content in ["not json", "[]", #"{"signed":[],"signatures":[]}"#, #"{"signed":{"_type":"Targets"},"signatures":[]}"#,
                        #"{"signed":{"_type":"Targets","expires":"x","version":"1"},"signatures":[]}"#, String(repeating: "[", count: 10_000)] {
            let upload = RawHTTP.multipart([("files", "targets", Array(content.utf8))])
            let response = try post(upload.contentType, upload.body)
            #expect(response.status == 400 && Probe.errorCode(response.bodyText) == "MALFORMED_JSON", "\(content.prefix(30)): \(response.bodyText)")
        }
        // A part without a filename.
        let boundary = "b0undary"
        let noName = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\n{}\r\n--\(boundary)--\r\n".utf8)
        let response = try post("multipart/form-data; boundary=\(boundary)", noName)
        #expect(response.status == 400 && Probe.errorCode(response.bodyText) == "NO_FILENAME", "\(response.bodyText)")
        // Still healthy.
        #expect(try server.get("/_notary_server/health").status == 200)
    }
}
