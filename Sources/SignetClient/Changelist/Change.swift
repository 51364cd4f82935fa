import FoundationEssentials
import SignetSupport
import SignetTUF

/// One staged change, in Notary's changelist JSON (reference §1.3):
/// `{"action":"create","role":"targets","type":"target","path":"hello","data":"<base64>"}`.
package struct Change: Sendable, Equatable {
    package enum Action: String, Sendable { case create, update, delete }
    package enum Kind: String, Sendable { case target, delegation, role, witness }

    package var action: Action
    /// The scope: `targets`, `targets/x`, `targets/*` or `root`.
    package var role: String
    package var type: Kind
    /// Target name (empty for delegation and witness changes).
    package var path: String
    /// Decoded `data` bytes, nil for JSON null.
    package var data: [UInt8]?

    package init(action: Action, role: String, type: Kind, path: String, data: [UInt8]?) {
        self.action = action
        self.role = role
        self.type = type
        self.path = path
        self.data = data
    }

    /// Parses a `.change` file's bytes. Throws `ClientError(.usage)` naming `file` for anything else.
    package init(bytes: [UInt8], file: String) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, what: "change \(file)") } catch {
            throw ClientError(.usage, "change file \(file) is not JSON: \(error)")
        }
        try self.init(json: value, file: file)
    }

    /// Reads one change object. Throws `ClientError(.usage)` naming `file` when a field is missing or wrong.
    init(json value: JSONValue, file: String) throws {
        guard let action = value["action"]?.stringValue.flatMap(Action.init(rawValue:)),
              let role = value["role"]?.stringValue,
              let type = value["type"]?.stringValue.flatMap(Kind.init(rawValue:)) else {
            throw ClientError(.usage, "change file \(file) lacks a valid action, role or type")
        }
        self.action = action
        self.role = role
        self.type = type
        self.path = value["path"]?.stringValue ?? ""
        if let text = value["data"]?.stringValue {
            guard let decoded = Base64.decode(text) else { throw ClientError(.usage, "change file \(file): data is not base64") }
            self.data = decoded
        } else {
            self.data = nil
        }
    }

    /// The file bytes as Go's `json.Marshal` writes Notary's `TUFChange`.
    package func encoded() -> [UInt8] {
        var out = "{\"action\":" + GoJSON.string(action.rawValue)
        out += ",\"role\":" + GoJSON.string(role)
        out += ",\"type\":" + GoJSON.string(type.rawValue)
        out += ",\"path\":" + GoJSON.string(path)
        out += ",\"data\":" + (data.map { GoJSON.string(Base64.encode($0)) } ?? "null") + "}"
        return Array(out.utf8)
    }

    /// A bulk entry file's bytes (`Changelist`): a JSON array of `encoded()` objects, one per line.
    package static func encodeBulk(_ changes: ArraySlice<Change>) -> [UInt8] {
        var out: [UInt8] = Array("[\n".utf8)
        for (offset, change) in changes.enumerated() {
            if offset > 0 { out += Array(",\n".utf8) }
            out += change.encoded()
        }
        return out + Array("\n]\n".utf8)
    }

    /// Parses a bulk entry file: a JSON array of change objects, each read as `init(bytes:file:)` reads one.
    /// - Throws: `ClientError(.usage)` naming `file` (and the change's position) for anything else.
    package static func decodeBulk(_ bytes: [UInt8], file: String) throws -> [Change] {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, what: "bulk change \(file)") } catch {
            throw ClientError(.usage, "bulk change file \(file) is not JSON: \(error)")
        }
        guard let items = value.arrayValue else { throw ClientError(.usage, "bulk change file \(file) is not a JSON array of changes") }
        return try items.enumerated().map { index, item in
            try Change(json: item, file: "\(file) (change \(index))")
        }
    }

    // MARK: - Data payloads

    /// The data of a target removal staged with `signet remove --force`: `{"force":true}`. Publish
    /// then removes the name even from a role that does not hold it (it only re-signs that role);
    /// without it, such a removal is refused. Notary's client ignores a delete's data.
    package static let forcedRemovalData: [UInt8] = Array(#"{"force":true}"#.utf8)

    /// True for a target removal staged with `--force` (data `{"force":true}`).
    package var isForcedRemoval: Bool {
        guard action == .delete, type == .target, let data, let value = try? JSONParser.parse(data, what: "removal data") else { return false }
        return value["force"]?.boolValue == true
    }

    /// A target change's data: Go's encoding of `data.FileMeta` — `{"length":N,"hashes":{…},"custom":…}`.
    package static func targetData(_ meta: FileMeta) throws -> [UInt8] {
        var out = "{\"length\":\(meta.length),\"hashes\":{"
        out += meta.hashes.keys.sorted().map { GoJSON.string($0) + ":" + GoJSON.string(Base64.encode(meta.hashes[$0]!)) }.joined(separator: ",")
        out += "}"
        if let custom = meta.custom {
            out += ",\"custom\":" + String(decoding: try CanonicalJSON.encode(custom, htmlEscaped: true), as: UTF8.self)
        }
        return Array((out + "}").utf8)
    }

    /// Parses a target change's data.
    package static func parseTargetData(_ bytes: [UInt8], target: String) throws -> FileMeta {
        let value = try JSONParser.parse(bytes, what: "target \(target) change data")
        guard let length = value["length"]?.intValue, let hashObject = value["hashes"]?.objectValue else {
            throw ClientError(.usage, "staged target \(target) has no length or hashes")
        }
        var hashes: [String: [UInt8]] = [:]
        for (algorithm, encoded) in hashObject {
            guard let text = encoded.stringValue, let digest = Base64.decode(text) else {
                throw ClientError(.usage, "staged target \(target): hash \(algorithm) is not base64")
            }
            hashes[algorithm] = digest
        }
        let custom = value["custom"].flatMap { $0.isNull ? nil : $0 }
        return FileMeta(length: length, hashes: hashes, custom: custom)
    }

    /// A delegation change's data (Notary `TUFDelegation`, fields omitted when empty).
    package static func delegationData(_ edit: RepositoryEditor.DelegationEdit) -> [UInt8] {
        var fields: [String] = []
        if let threshold = edit.threshold { fields.append("\"threshold\":\(threshold)") }
        if !edit.addKeys.isEmpty {
            fields.append("\"add_keys\":[" + edit.addKeys.map {
                "{\"keytype\":\(GoJSON.string($0.keyType)),\"keyval\":{\"public\":\(GoJSON.string($0.publicBase64)),\"private\":null}}"
            }.joined(separator: ",") + "]")
        }
        if !edit.removeKeys.isEmpty { fields.append("\"remove_keys\":" + GoJSON.array(edit.removeKeys)) }
        if !edit.addPaths.isEmpty { fields.append("\"add_paths\":" + GoJSON.array(edit.addPaths)) }
        if !edit.removePaths.isEmpty { fields.append("\"remove_paths\":" + GoJSON.array(edit.removePaths)) }
        if edit.clearPaths { fields.append("\"clear_paths\":true") }
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    /// Parses a delegation change's data.
    package static func parseDelegationData(_ bytes: [UInt8]?, role: String) throws -> RepositoryEditor.DelegationEdit {
        var edit = RepositoryEditor.DelegationEdit()
        guard let bytes else { return edit }
        let value = try JSONParser.parse(bytes, what: "delegation \(role) change data")
        edit.threshold = value["threshold"]?.intValue
        for key in value["add_keys"]?.arrayValue ?? [] {
            edit.addKeys.append(try TUFKey(json: key, context: "delegation \(role) change key", role: role))
        }
        edit.removeKeys = (value["remove_keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        edit.addPaths = (value["add_paths"]?.arrayValue ?? []).compactMap(\.stringValue)
        edit.removePaths = (value["remove_paths"]?.arrayValue ?? []).compactMap(\.stringValue)
        edit.clearPaths = value["clear_paths"]?.boolValue ?? false
        return edit
    }
}

/// Strings and arrays as Go's `encoding/json` writes them (HTML-safe escaping).
enum GoJSON {
    static func string(_ text: String) -> String { JSONString.quoted(text, style: .goEncodingJSON) }

    static func array(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ",") + "]" }
}
