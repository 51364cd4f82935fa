import SignetCrypto
import SignetTUF

/// Decides what digest an image is trusted to be, from a verified collection.
///
/// Docker Content Trust semantics (reference §3.11): the tag is looked up in `targets/releases`
/// first, then `targets`, then other delegations; `requiredDelegations` must each sign the tag with
/// the same sha256; a digest in the reference must equal the trusted one; a payload, when given,
/// must match the target's length and hashes.
package struct ImageVerifier {
    package var requiredDelegations: [String]

    package init(requiredDelegations: [String] = []) {
        self.requiredDelegations = requiredDelegations
    }

    /// The verdict for one image.
    package struct Verdict: Sendable {
        package var image: ImageReference
        package var tag: String
        /// The trusted 32-byte sha256.
        package var digest: [UInt8]
        package var length: Int64
        /// The role that signed it.
        package var role: String
        package var signedBy: [String]
        package var digestString: String { "sha256:\(Hex.encode(digest))" }
    }

    /// - Returns: the verdict.
    /// - Throws: `ClientError(.notTrusted)` when the tag is not signed, a required delegation does
    ///   not sign it, the digest differs, or the payload does not match.
    /// - Parameter payload: length and hashes of the payload file (`FileDigest.describe`), if any.
    package func verify(_ image: ImageReference, in collection: VerifiedCollection, payload: FileMeta? = nil) throws -> Verdict {
        let match: VerifiedCollection.Match
        if let tag = image.tag {
            guard let found = collection.lookup(tag) else {
                throw ClientError(.notTrusted, "no trust data for \(image.gun):\(tag): the tag is not signed in any trusted role")
            }
            match = found
        } else {
            guard let digest = image.digest, let found = collection.targets(withSHA256: digest).first else {
                throw ClientError(.notTrusted, "no signed tag of \(image.gun) has digest \(image.description.split(separator: "@").last ?? "")")
            }
            match = found
        }
        guard let sha256 = match.meta.hashes["sha256"] else {
            throw ClientError(.notTrusted, "\(image.gun):\(match.name) in \(match.role) has no sha256 hash")
        }
        if let wanted = image.digest, wanted != sha256 {
            throw ClientError(.notTrusted, "\(image.gun):\(match.name) is trusted as sha256:\(Hex.encode(sha256)) (signed in \(match.role)), not sha256:\(Hex.encode(wanted))")
        }
        var signedBy = [match.role]
        for role in requiredDelegations {
            guard collection.targets[role] != nil else {
                throw ClientError(.notTrusted, "required delegation \(role) is not a trusted role of \(image.gun)")
            }
            guard let other = collection.lookup(match.name, roles: [role]) else {
                throw ClientError(.notTrusted, "\(image.gun):\(match.name) is not signed by required delegation \(role)")
            }
            guard other.meta.hashes["sha256"] == sha256 else {
                throw ClientError(.notTrusted, "\(role) signs \(image.gun):\(match.name) with a different digest (sha256:\(Hex.encode(other.meta.hashes["sha256"] ?? [])))")
            }
            if !signedBy.contains(role) { signedBy.append(role) }
        }
        if let payload {
            let what = "payload does not match \(image.gun):\(match.name) in \(match.role)"
            guard payload.length == match.meta.length else {
                throw ClientError(.notTrusted, "\(what): it is \(payload.length) bytes, the target \(match.meta.length)")
            }
            let compared = match.meta.hashes.filter { payload.hashes[$0.key] != nil }
            guard !compared.isEmpty else { throw ClientError(.notTrusted, "\(what): the target lists no sha256 or sha512") }
            for (algorithm, expected) in compared.sorted(by: { $0.key < $1.key }) where payload.hashes[algorithm] != expected {
                throw ClientError(.notTrusted, "\(what): its \(algorithm) is \(Hex.encode(payload.hashes[algorithm]!)), the target's \(Hex.encode(expected))")
            }
        }
        return Verdict(image: image, tag: match.name, digest: sha256, length: match.meta.length, role: match.role, signedBy: signedBy)
    }
}
