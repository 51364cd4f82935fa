import FoundationEssentials
import Glibc
import SignetHTTP
import SignetSupport
import SignetTUF

extension TrustServer {
    // MARK: Metadata GETs

    func getCurrent(gun: String, role: String) throws -> HTTPResponse {
        try Self.checkNames(gun: gun, role: role)
        return try cachedCurrent(gun: gun, role: role) {
            if role == RoleName.timestamp || role == RoleName.snapshot {
                do { try refreshServerRoles(gun: gun) } catch let error as NotaryError where error.code == .invalidUpdate {
                    // Re-signing failed (say the root no longer lists a key the server holds): a server
                    // error, as in notary-server, never a client-error envelope on a GET.
                    throw NotaryError(.unknown, detail: .absent, log: "cannot re-sign \(gun): \(error.logMessage)")
                } catch let error as TUFError {
                    // Stored metadata that cannot be re-signed (say a version at the maximum): a 500
                    // for this GUN, named in the log; the server and every other GUN carry on.
                    throw NotaryError(.unknown, detail: .absent, log: "cannot re-sign \(gun): \(error.message)")
                }
            }
            if role == RoleName.snapshot, let timestamp = try store.current(gun: gun, role: RoleName.timestamp),
               let hash = try? Timestamp(signed: MetadataFile.parse(timestamp.bytes, role: RoleName.timestamp).signed).snapshot.sha256Hex,
               let snapshot = try store.byHash(gun: gun, role: RoleName.snapshot, sha256Hex: hash) {
                // The snapshot the current timestamp vouches for (reference §2.3).
                return metadataResponse(snapshot, maxAge: settings.currentMaxAge, current: true)
            }
            guard let stored = try store.current(gun: gun, role: role) else { throw NotaryError.notFound }
            return metadataResponse(stored, maxAge: settings.currentMaxAge, current: true)
        }
    }

    func getByHash(gun: String, role: String, hash: String) throws -> HTTPResponse {
        try Self.checkNames(gun: gun, role: role)
        guard hash.utf8.count == 64, let stored = try store.byHash(gun: gun, role: role, sha256Hex: hash) else {
            throw NotaryError.notFound
        }
        return metadataResponse(stored, maxAge: settings.consistentMaxAge, current: false)
    }

    func getByVersion(gun: String, role: String, version: Int64?) throws -> HTTPResponse {
        try Self.checkNames(gun: gun, role: role)
        guard let version, version >= 1, let stored = try store.version(gun: gun, role: role, version: version) else {
            throw NotaryError.notFound
        }
        return metadataResponse(stored, maxAge: settings.consistentMaxAge, current: false)
    }

    /// Raw bytes as stored, `text/plain; charset=utf-8` (what Go's sniffing gives notary-server),
    /// `Cache-Control` and `Last-Modified` per reference §2.5.
    func metadataResponse(_ stored: StoredMetadata, maxAge: Int, current: Bool) -> HTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        if maxAge <= 0 {
            headers.add("Cache-Control", "max-age=0, no-cache, no-store")
            headers.add("Pragma", "no-cache")
        } else {
            headers.add("Cache-Control", "public, max-age=\(maxAge), s-maxage=\(maxAge)\(current ? ", must-revalidate" : "")")
        }
        headers.add("Last-Modified", Self.rfc1123(stored.created))
        return HTTPResponse(status: 200, headers: headers, body: stored.bytes)
    }

    /// `Last-Modified` as notary-server writes it: Go's `time.RFC1123` in UTC, zone name `UTC`
    /// rather than `GMT` (`HTTPDate`, zone `.utc`).
    static func rfc1123(_ date: Date) -> String {
        HTTPDate.format(secondsSinceEpoch: time_t(date.timeIntervalSince1970.rounded(.down)), zone: .utc)
    }

    // MARK: Keys

    /// `GET`/`POST …/{timestamp|snapshot}.key` (reference §2.6). Body as Go's encoding/json writes
    /// Notary's `data.TUFKey`: `{"keytype":…,"keyval":{"public":…,"private":null}}`.
    func keyResponse(gun: String, role: String, rotate: Bool) throws -> HTTPResponse {
        guard (try? GUN.validate(gun)) != nil else { throw NotaryError.notFound }
        let key: TUFKey = try store.withWriteLock(gun: gun) {
            if rotate { return try keys.create(gun: gun, role: role) }
            let root = try store.current(gun: gun, role: RoleName.root).map { try PublishValidator.parseRoot($0.bytes) }
            return try keys.getOrCreate(gun: gun, role: role, root: root)
        }
        var body = Array(#"{"keytype":"#.utf8) + NotaryError.jsonString(key.keyType)
        body += Array(#","keyval":{"public":"#.utf8) + NotaryError.jsonString(key.publicBase64)
        body += Array(#","private":null}}"#.utf8)
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: body)
    }

    // MARK: Publish and delete

    func publish(gun: String, _ request: HTTPRequest) throws -> HTTPResponse {
        do { try GUN.validate(gun) } catch {
            throw NotaryError(.invalidGUN, detail: .text("\(error)"), log: "\(error)")
        }
        let parts: [MultipartPart]
        do { parts = try Multipart.parse(body: request.body, contentType: request.headers["Content-Type"] ?? "") } catch {
            throw NotaryError(.malformedUpload, detail: .absent, log: "\(error)")
        }
        let uploads = try UploadedRole.parse(parts: parts, maxRoles: settings.maxRolesPerPublish)
        try store.withWriteLock(gun: gun) {
            let validator = PublishValidator(gun: gun, store: store, keys: keys, now: TUFTime(settings.clock()))
            let updates = try validator.validate(uploads)
            try store.commit(gun: gun, updates: updates)
            logger.info("published \(gun): \(updates.map { "\($0.role) v\($0.version)" }.joined(separator: ", "))")
        }
        return HTTPResponse(status: 200)
    }

    func deleteCollection(gun: String) throws -> HTTPResponse {
        do { try GUN.validate(gun) } catch {
            throw NotaryError(.invalidGUN, detail: .text("\(error)"), log: "\(error)")
        }
        try store.delete(gun: gun)
        logger.info("deleted \(gun)")
        return HTTPResponse(status: 200)
    }

    // MARK: Changefeed

    /// `GET /v2/_trust/changefeed` and `/v2/<gun>/_trust/changefeed` (reference §2.7).
    func changefeed(gun: String?, _ request: HTTPRequest) throws -> HTTPResponse {
        let recordsText = request.query["records"] ?? ""
        guard var records = Int(recordsText) else {
            throw NotaryError(.invalidParameters, detail: .text("invalid records parameter: strconv.ParseInt: parsing \(Self.goQuote(recordsText)): invalid syntax"))
        }
        if records == 0 { records = 100 }
        records = max(-10_000, min(records, 10_000))
        let changeText = request.query["change_id"] ?? ""
        let changeID: Int64
        if changeText.isEmpty { changeID = 0 } else {
            guard let parsed = Int64(changeText) else { throw NotaryError(.invalidParameters, detail: .empty) }
            changeID = parsed
        }
        let list = try store.changes(gun: gun, changeID: changeID, records: records)
        var body = Array(#"{"count":\#(list.count),"records":["#.utf8)
        for (index, record) in list.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array(#"{"ID":"\#(record.id)","CreatedAt":"#.utf8) + NotaryError.jsonString(TUFTime(record.createdAt).text)
            body += Array(#","GUN":"#.utf8) + NotaryError.jsonString(record.gun)
            body += Array(#","Version":\#(record.version),"SHA256":"#.utf8) + NotaryError.jsonString(record.sha256)
            body += Array(#","Category":"#.utf8) + NotaryError.jsonString(record.category) + Array("}".utf8)
        }
        body += Array("]}".utf8)
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: body)
    }

    /// Go's `strconv.Quote` for the ASCII cases that matter in error details.
    static func goQuote(_ text: String) -> String {
        String(decoding: NotaryError.jsonString(String(text.prefix(100))), as: UTF8.self)
    }
}
