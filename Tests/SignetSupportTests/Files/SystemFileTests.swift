import Foundation
import Glibc
@testable import SignetSupport
import Testing

/// `SystemFile.read` / `ReadOnlyFile.read`: every byte up to the limit, whatever the buffer size
/// chosen from `fstat(2)` (regular files larger and smaller than one buffer, files in /proc that
/// report size 0, pipes, a file read on from the middle).
@Suite struct SystemFileTests {
    static func scratchFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "signet-read-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }

    @Test(arguments: [0, 1, 4_000, SystemFile.minChunk - 1, SystemFile.minChunk, SystemFile.minChunk + 1,
                      SystemFile.maxChunk, SystemFile.maxChunk + 1, 3 * SystemFile.maxChunk + 17])
    func readsARegularFileWhole(size: Int) throws {
        let bytes = Self.pattern(size)
        let path = try Self.scratchFile(bytes)
        defer { unlink(path) }
        let file = try #require(ReadOnlyFile(path: path))
        #expect(try file.read(upToCount: size + 1) == bytes)
        #expect(try file.read(upToCount: 10).isEmpty)
    }

    @Test func stopsAtTheLimitAndGoesOnFromThere() throws {
        let bytes = Self.pattern(SystemFile.maxChunk + 5_000)
        let path = try Self.scratchFile(bytes)
        defer { unlink(path) }
        let file = try #require(ReadOnlyFile(path: path))
        #expect(try file.read(upToCount: 1_000) == Array(bytes[0..<1_000]))
        #expect(try file.read(upToCount: SystemFile.maxChunk) == Array(bytes[1_000..<(1_000 + SystemFile.maxChunk)]))
        #expect(try file.read(upToCount: .max) == Array(bytes[(1_000 + SystemFile.maxChunk)...]))
        #expect(try file.read(upToCount: 0).isEmpty)
    }

    @Test func readsAProcFileThatReportsSizeZero() throws {
        let file = try #require(ReadOnlyFile(path: "/proc/self/status"))
        let text = String(decoding: try file.read(upToCount: 1 << 20), as: UTF8.self)
        #expect(text.hasPrefix("Name:"))
        #expect(text.contains("\nVmRSS:") || text.contains("\nPid:"))
    }

    @Test func readsAPipeToEndOfFile() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let bytes = Self.pattern(200_000)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let writer = Thread {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(readEnd) }
        #expect(try SystemFile.read(readEnd, upToCount: 1 << 30) == bytes)
    }

    @Test func aDirectoryFailsWithEISDIR() throws {
        let file = try #require(ReadOnlyFile(path: NSTemporaryDirectory()))
        #expect(throws: SystemFileError.self) { try file.read(upToCount: 100) }
        do { _ = try file.read(upToCount: 100) } catch { #expect(error.code == EISDIR) }
    }
}
