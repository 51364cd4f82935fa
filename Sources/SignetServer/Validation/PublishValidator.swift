import FoundationEssentials
import SignetCrypto
import SignetTUF

/// Notary's publish validation (reference §5.1, `server/handlers/validation.go`), in Notary's
/// order, producing the role files to store: the uploaded roles plus a server-generated snapshot
/// (when the client did not send one) and always a server-generated timestamp.
///
/// Runs inside the GUN's write lock so that what it reads from storage is what the commit builds on.
struct PublishValidator {
    let gun: String
    let store: MetadataStore
    let keys: any ServerKeyStore
    let now: TUFTime

    func validate(_ uploads: [String: UploadedRole]) throws -> [MetadataUpdate] {
        var updates: [MetadataUpdate] = []

        // Steps 2–4: root.
        let storedRootFile = try store.current(gun: gun, role: RoleName.root)
        let storedRoot: Root? = try storedRootFile.map { try Self.parseRoot($0.bytes) }
        let root: Root
        let rootBytes: [UInt8]
        if let upload = uploads[RoleName.root] {
            // Stored roots parse, so their version is within MetadataVersion's range.
            guard RootRotation.isAcceptablePublishedVersion(upload.version, replacing: storedRoot?.version) else {
                throw NotaryError.invalidUpdate(.badRoot, "Root modifications must increment the version. Current \(storedRoot?.version ?? 1), new \(upload.version)")
            }
            do {
                if let storedRoot {
                    root = try RootRotation.verify(upload.file, gun: gun, at: now, previous: storedRoot, checkExpiry: true)
                } else {
                    root = try RootRules.verify(upload.file, gun: gun, at: now, checkExpiry: true)
                }
            } catch {
                throw NotaryError.invalidUpdate(.badRoot, Self.message(error, role: RoleName.root))
            }
            guard !Expiry.hasExpired(root.expires, at: now) else {
                throw NotaryError.invalidUpdate(.badRoot, "root expired at \(root.expires.text)")
            }
            rootBytes = upload.bytes
            updates.append(MetadataUpdate(role: RoleName.root, version: upload.version, bytes: upload.bytes))
        } else if let storedRoot, let storedRootFile {
            root = storedRoot
            rootBytes = storedRootFile.bytes
        } else {
            throw NotaryError.invalidUpdate(.validation, "no pre-existing root and no root provided in update.")
        }

        // Step 5: targets and delegations, shallowest first; missing ancestors from storage.
        var loadedTargets: [String: Targets] = [:]
        var targetsBytes: [String: [UInt8]] = [:]
        func loadTargets(_ role: String) throws -> Targets? {
            if let loaded = loadedTargets[role] { return loaded }
            guard let stored = try store.current(gun: gun, role: role) else { return nil }
            let file = try MetadataFile.parse(stored.bytes, role: role)
            let parsed = try Targets(signed: file.signed, role: role)
            loadedTargets[role] = parsed
            return parsed
        }
        let targetRoles = uploads.keys.filter { $0 == RoleName.targets || $0.hasPrefix("targets/") }
            .sorted { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
        for role in targetRoles {
            let upload = uploads[role]!
            let roleKeys: [String: TUFKey]
            let threshold: Int64
            if role == RoleName.targets {
                (roleKeys, threshold) = try root.roleKeys(RoleName.targets)
            } else {
                let parent = RoleName.parent(of: role) ?? RoleName.targets
                let parentTargets: Targets?
                // A stored parent that does not parse is named in the 400; a storage failure is the
                // storage's answer (503 or 500), not the upload's fault.
                do { parentTargets = try loadTargets(parent) } catch let error as TUFError {
                    throw NotaryError.invalidUpdate(.badTargets, "stored \(parent) is invalid: \(error)")
                }
                guard let parentTargets else {
                    throw NotaryError.invalidUpdate(.badTargets, "parent role \(parent) of \(role) does not exist")
                }
                guard let entry = parentTargets.delegations.roles.first(where: { $0.name == role }) else {
                    throw NotaryError.invalidUpdate(.badTargets, "\(role) is not a delegation of \(parent)")
                }
                (roleKeys, threshold) = (parentTargets.delegations.keys(of: entry), entry.threshold)
            }
            let parsed: Targets
            do {
                try SignatureThreshold.verify(upload.file, role: role, keys: roleKeys, threshold: threshold)
                parsed = try Targets(signed: upload.file.signed, role: role)
            } catch {
                throw NotaryError.invalidUpdate(.badTargets, Self.message(error, role: role))
            }
            guard !Expiry.hasExpired(parsed.expires, at: now) else {
                throw NotaryError.invalidUpdate(.badTargets, "\(role) expired at \(parsed.expires.text)")
            }
            try checkTargetNames(parsed, role: role)
            loadedTargets[role] = parsed
            targetsBytes[role] = upload.bytes
            updates.append(MetadataUpdate(role: role, version: upload.version, bytes: upload.bytes))
        }
        if targetsBytes[RoleName.targets] == nil, let stored = try store.current(gun: gun, role: RoleName.targets) {
            targetsBytes[RoleName.targets] = stored.bytes
        }

        // Steps 6–7: snapshot, uploaded or generated.
        let snapshotBytes: [UInt8]
        if let upload = uploads[RoleName.snapshot] {
            let snapshot: Snapshot
            do {
                let (snapshotKeys, threshold) = try root.roleKeys(RoleName.snapshot)
                try SignatureThreshold.verify(upload.file, role: RoleName.snapshot, keys: snapshotKeys, threshold: threshold)
                snapshot = try Snapshot(signed: upload.file.signed)
            } catch {
                throw NotaryError.invalidUpdate(.badSnapshot, Self.message(error, role: RoleName.snapshot))
            }
            guard !Expiry.hasExpired(snapshot.expires, at: now) else {
                throw NotaryError.invalidUpdate(.badSnapshot, "snapshot expired at \(snapshot.expires.text)")
            }
            var checked = targetsBytes
            checked[RoleName.root] = rootBytes
            for (role, bytes) in checked {
                guard let meta = snapshot.meta[role] else {
                    throw NotaryError.invalidUpdate(.badSnapshot, "snapshot is missing metadata for \(role)")
                }
                do { try meta.check(bytes, role: role, parent: RoleName.snapshot) } catch {
                    throw NotaryError.invalidUpdate(.badSnapshot, "\(error)")
                }
            }
            snapshotBytes = upload.bytes
            updates.append(MetadataUpdate(role: RoleName.snapshot, version: upload.version, bytes: upload.bytes))
        } else {
            guard let signer = try keys.signer(gun: gun, role: RoleName.snapshot, root: root) else {
                throw NotaryError.invalidUpdate(.badHierarchy, "no snapshot was included in update and server does not hold current snapshot key for repository", missing: RoleName.snapshot)
            }
            let previous = try store.current(gun: gun, role: RoleName.snapshot)
            // The previous snapshot's entries carry over; one that cannot be read must not be
            // replaced by a snapshot that silently forgets its delegations.
            let previousSnapshot: Snapshot?
            do { previousSnapshot = try previous.map { try Snapshot(signed: MetadataFile.parse($0.bytes, role: RoleName.snapshot).signed) } } catch {
                throw NotaryError(.unknown, detail: .absent, log: "cannot generate a snapshot for \(gun): the stored snapshot does not parse: \(error)")
            }
            var listed = targetsBytes
            listed[RoleName.root] = rootBytes
            let meta = (previousSnapshot?.meta ?? [:]).merging(Snapshot.meta(describing: listed)) { $1 }
            let version: Int64
            do { version = try MetadataVersion.next(after: max(previousSnapshot?.version ?? 0, previous?.version ?? 0), role: RoleName.snapshot) } catch {
                throw NotaryError.invalidUpdate(.badSnapshot, Self.message(error, role: RoleName.snapshot))
            }
            snapshotBytes = try Snapshot.signed(version: version, meta: meta, at: now, by: [signer]).bytes
            updates.append(MetadataUpdate(role: RoleName.snapshot, version: version, bytes: snapshotBytes))
        }

        // Step 8: the timestamp is always the server's.
        updates.append(try makeTimestamp(root: root, snapshotBytes: snapshotBytes))
        return updates
    }

    /// A new timestamp over `snapshotBytes`: stored version + 1, expiring `Expiry.timestampSeconds` (14 days) from now.
    /// - Throws: `ErrBadRoot "no timestamp keys exist on the server"` when `root` lists no
    ///   timestamp key the server holds; `NotaryError(.unknown)` (500) when the stored timestamp
    ///   is at `MetadataVersion.maximum`.
    func makeTimestamp(root: Root, snapshotBytes: [UInt8]) throws -> MetadataUpdate {
        guard let signer = try keys.signer(gun: gun, role: RoleName.timestamp, root: root) else {
            throw NotaryError.invalidUpdate(.badRoot, "no timestamp keys exist on the server")
        }
        let previousVersion = try store.current(gun: gun, role: RoleName.timestamp)?.version ?? 0
        let version: Int64
        do { version = try MetadataVersion.next(after: previousVersion, role: RoleName.timestamp) } catch {
            throw NotaryError(.unknown, detail: .absent, log: "cannot sign a new timestamp for \(gun): \(error)")
        }
        let (timestamp, bytes) = try Timestamp.signed(version: version, snapshotBytes: snapshotBytes, at: now, by: [signer])
        return MetadataUpdate(role: RoleName.timestamp, version: timestamp.version, bytes: bytes)
    }

    static func parseRoot(_ bytes: [UInt8]) throws -> Root {
        do { return try Root(signed: MetadataFile.parse(bytes, role: RoleName.root).signed) } catch {
            throw NotaryError(.unknown, log: "stored root does not parse: \(error)")
        }
    }

    /// Notary's wording for threshold failures; Signet's own message otherwise.
    /// Refuses a target name that breaks `TargetName`'s rule (400 `INVALID_UPDATE`,
    /// `ErrBadTargets`, naming the role and the name), unless the stored version of the role
    /// already held exactly that name: a collection written before the rule (or by notary-server)
    /// can still be re-signed, and the bad name removed.
    /// - Throws: that 400; when the stored version is read to decide and does not parse, the 400
    ///   says so too (with the reason); a storage failure reading it passes through unchanged
    ///   (`ErrorResponse`: 503 for an outage, 500 for a corrupt store), never taken as "not held".
    func checkTargetNames(_ uploaded: Targets, role: String) throws {
        var previous: [String: FileMeta]?
        for name in uploaded.targets.keys {
            do { try TargetName.validate(name) } catch {
                if previous == nil {
                    let stored = try store.current(gun: gun, role: role)
                    do {
                        previous = try stored.map { try Targets(signed: MetadataFile.parse($0.bytes, role: role).signed, role: role).targets } ?? [:]
                    } catch let storedError {
                        throw NotaryError.invalidUpdate(.badTargets, "\(role): \(error); the stored \(role), which might hold that name, is invalid: \(storedError)")
                    }
                }
                if let previous, ExactName.storedKey(in: previous, for: name) != nil { continue }
                throw NotaryError.invalidUpdate(.badTargets, "\(role): \(error)")
            }
        }
    }

    static func message(_ error: Error, role: String) -> String {
        if let error = error as? TUFError {
            if error.code == .threshold { return "valid signatures did not meet threshold for \(role)" }
            return error.message
        }
        return "\(error)"
    }
}
