import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// Length, sha256 and sha512 of a file, read in 1 MiB chunks so a multi-gigabyte payload is
/// hashed in constant memory (what `signet add GUN NAME FILE` and `verify --payload` need).
package enum FileDigest {
    /// - Parameter progress: called after each chunk with the bytes read so far.
    /// - Throws: `ClientError(.usage)` when the file cannot be opened (it was named on the command
    ///   line); `ClientError(.io)` when reading fails midway.
    package static func describe(_ path: String, what: String, progress: ((Int64) -> Void)? = nil) throws -> FileMeta {
        guard let handle = ReadOnlyFile(path: path) else {
            throw ClientError(.usage, "cannot read \(what) at \(path)")
        }
        var sha256 = DigestStream(.sha256)
        var sha512 = DigestStream(.sha512)
        var length: Int64 = 0
        while true {
            let chunk: [UInt8]
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                // A directory opens fine and fails on the first read: that is bad input, not I/O.
                let code: ClientError.Code = length == 0 ? .usage : .io
                throw ClientError(code, "cannot read \(what) at \(path): \(FileErrorText.describe(error))")
            }
            if chunk.isEmpty { break }
            sha256.update(chunk)
            sha512.update(chunk)
            length += Int64(chunk.count)
            progress?(length)
        }
        return FileMeta(length: length, hashes: ["sha256": sha256.finalize(), "sha512": sha512.finalize()])
    }
}
