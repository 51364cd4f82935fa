import Foundation
import SignetCrypto
import SignetTUF
import Testing

@Suite struct TrustUpdaterRefusalTests {
    @Test func builtCollectionVerifies() throws {
        let collection = try TestCollection()
        let verified = try collection.update(try collection.files())
        #expect(verified.lookup("1.0")?.meta.length == 1234)
    }

    @Test func sameSignatureTwiceDoesNotMeetThresholdTwo() throws {
        var collection = try TestCollection()
        collection.root.roles[RoleName.targets]!.threshold = 2
        let files = try collection.files(editTargets: { file in file.signatures.append(file.signatures[0]) })
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .threshold)
        #expect(error.role == "targets")
        #expect(error.message.contains("1 distinct valid key(s), threshold 2"))
    }

    @Test func sameKeyUnderTwoKeyIDsCountsOnce() throws {
        var collection = try TestCollection()
        // The targets key listed a second time as an x509 certificate of the same key material.
        let (plainKey, privateKey) = collection.roleKeys[RoleName.targets]!
        let certificate = try Certificate.selfSigned(commonName: "targets", key: privateKey, notBefore: Date(), notAfter: Date().addingTimeInterval(3600))
        let certKey = try TUFKey(certificate: certificate)
        #expect(certKey.id != plainKey.id)
        collection.root.keys[certKey.id] = certKey
        collection.root.roles[RoleName.targets] = RoleKeys(keyIDs: [plainKey.id, certKey.id], threshold: 2)
        let files = try collection.files(editTargets: { file in
            file = try MetadataSigner.sign(file.signed, with: [(plainKey, privateKey), (certKey, privateKey)])
        })
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .threshold)
    }

    @Test func thresholdZeroIsRefused() throws {
        var collection = try TestCollection()
        collection.root.roles[RoleName.snapshot]!.threshold = 0
        let error = try #require(throws: TUFError.self) { try collection.update(try collection.files()) }
        #expect(error.code == .threshold)
        #expect(error.message.contains("snapshot"))
    }

    @Test func wrongTypeIsRefused() throws {
        let collection = try TestCollection()
        let files = try collection.files(editTargets: { file in
            guard case .object(var members) = file.signed else { return }
            members["_type"] = .string("Snapshot")
            file = try MetadataSigner.sign(.object(members), with: collection.signer(RoleName.targets))
        })
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .wrongType)
        #expect(error.role == "targets")
    }

    @Test func versionBelowTrustedIsRefused() throws {
        let collection = try TestCollection()
        let files = try collection.files(snapshotVersion: 3, timestampVersion: 5)
        let error = try #require(throws: TUFError.self) { try collection.update(files, minimumVersions: ["snapshot": 4]) }
        #expect(error.code == .rollback)
        #expect(error.role == "snapshot")
        let error2 = try #require(throws: TUFError.self) { try collection.update(files, minimumVersions: ["timestamp": 6]) }
        #expect(error2.code == .rollback)
    }

    @Test func targetsNotMatchingSnapshotHashIsRefused() throws {
        let collection = try TestCollection()
        var files = try collection.files()
        // A validly signed but different targets file than the snapshot lists.
        var other = collection.targets
        other.targets["evil"] = FileMeta(length: 1, hashes: ["sha256": Digest.sha256([1])])
        files["targets.json"] = try MetadataSigner.sign(other.json, with: collection.signer(RoleName.targets)).serialized()
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .hashMismatch || error.code == .tooLarge)
        #expect(error.role == "targets")
    }

    @Test func snapshotNotMatchingTimestampHashIsRefused() throws {
        let collection = try TestCollection()
        var files = try collection.files()
        let other = try collection.files(snapshotVersion: 2)
        files["snapshot.json"] = other["snapshot.json"]
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .hashMismatch)
        #expect(error.role == "snapshot")
    }

    @Test func expiredRootIsRefused() throws {
        var collection = try TestCollection()
        collection.root.expires = TUFTime(Date().addingTimeInterval(-60))
        let error = try #require(throws: TUFError.self) { try collection.update(try collection.files()) }
        #expect(error.code == .expired)
        #expect(error.role == "root")
    }

    @Test func pinnedRootMustMatch() throws {
        let collection = try TestCollection()
        let files = try collection.files()
        let other = try PrivateKey.generate(.ecdsa)
        let error = try #require(throws: TUFError.self) { try collection.update(files, pin: .publicKey(other.publicKey)) }
        #expect(error.code == .untrustedRoot)
        _ = try collection.update(files, pin: .publicKey(collection.rootKey.publicKey))
        _ = try collection.update(files, pin: .keyID(collection.rootTUFKey.id))
        _ = try collection.update(files, pin: .keyID(try collection.rootTUFKey.canonicalID()))
        let unknownID = #expect(throws: TUFError.self) { try collection.update(files, pin: .keyID(String(repeating: "0", count: 64))) }
        #expect(unknownID?.code == .untrustedRoot)
        #expect(unknownID?.message.contains("does not match the pinned") == true, "\(String(describing: unknownID))")
    }

    @Test func missingRoleFileIsReported() throws {
        let collection = try TestCollection()
        var files = try collection.files()
        files["targets.json"] = nil
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .notFound)
        #expect(error.role == "targets")
    }

    @Test func oversizedTimestampIsRefused() throws {
        let collection = try TestCollection()
        var files = try collection.files()
        files["timestamp.json"] = [UInt8](repeating: 0x20, count: MetadataLimits.maxTimestampBytes + 1)
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .tooLarge)
    }
}

@Suite struct RootReplacementTests {
    @Test func aDifferentRootOfTheSameVersionIsNamedAsSuch() throws {
        let old = try TestCollection()
        let oldFiles = try old.files()
        let new = try TestCollection(gun: old.gun)
        let newFiles = try new.files()
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: old.gun, now: old.now, trustedRoot: oldFiles["root.json"]).update(from: MemoryFetcher(files: newFiles))
        }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("is not the root this client trusts"), "\(error.message)")
    }
}
