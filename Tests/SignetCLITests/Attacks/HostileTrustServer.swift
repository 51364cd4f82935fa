import Foundation
import Glibc
import SignetCrypto

/// A hostile trust server on 127.0.0.1: answers `GET …/_trust/tuf/<name>` with `files[name]`
/// (200) or 404, whatever the bytes are — what an attacker who controls the server or the network
/// serves to `signet verify`. Each file is also served by hash (`<role>.<sha256 hex>.json`), as
/// clients fetch snapshot and targets. One request per connection.
final class HostileTrustServer: @unchecked Sendable {  // `listener` is set once in init; the thread only reads it.
    let url: String
    private let listener: Int32
    private let files: [String: [UInt8]]

    init(files: [String: [UInt8]]) throws {
        var served = files
        for (name, bytes) in files where name.hasSuffix(".json") {
            served["\(name.dropLast(5)).\(Hex.encode(Digest.sha256(bytes))).json"] = bytes
        }
        self.files = served
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { close(fd); throw TestFailure("hostile server cannot listen") }
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        Thread.detachNewThread { [self] in serve() }
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var head: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while head.count < 65536, !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                let n = read(client, &buffer, buffer.count)
                guard n > 0 else { break }
                head += buffer[0..<n]
            }
            let requestLine = String(decoding: head, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
            let target = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let name = target.components(separatedBy: "/_trust/tuf/").last ?? ""
            let body = files[name]
            let status = body == nil ? "404 Not Found" : "200 OK"
            let bytes = Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body?.count ?? 0)\r\nConnection: close\r\n\r\n".utf8) + (body ?? [])
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                sent += n
            }
            close(client)
        }
    }
}
