/// Go's nil slices and maps on the wire (Notary `tuf/data/*.go`).
///
/// Go's `encoding/json` writes a nil slice or map as `null` unless its field is tagged
/// `omitempty`, and reads `null` back as nil, i.e. empty. Notary's metadata types have such fields,
/// and the notary client does write them: removing the last key of a delegation
/// (`notary delegation remove GUN ROLE KEYID`, which `docker trust signer remove` runs) uploads
/// `"keyids":null`. The fields, all read here as empty when `null`:
///
/// | field | Go type (file) |
/// |---|---|
/// | `signatures` of the file envelope | `[]Signature` (`types.go` `Signed`) |
/// | root `keys`, delegations `keys` | `Keys` map (`root.go`, `types.go` `Delegations`) |
/// | root `roles` | `map[RoleName]*RootRole` (`root.go`) |
/// | `keyids` of a root role or a delegation | `[]string` (`roles.go` `RootRole`) |
/// | delegations `roles` | `[]*Role` (`types.go` `Delegations`) |
/// | targets `targets`, snapshot and timestamp `meta` | `Files` map (`targets.go`, `snapshot.go`, `timestamp.go`) |
/// | `hashes` of a file entry | `Hashes` map (`types.go` `FileMeta`) |
///
/// `paths` (`omitempty`) and `custom` (`omitempty` pointer) are never written as `null` by Go but
/// read as absent when they are. A missing field is still an error: Go never omits these.
///
/// Only the typed reading changes: the file's `signed` tree keeps the `null`, so what is hashed
/// and what signatures are checked over are the bytes as received (`MetadataFile`). A role whose
/// `keyids` is `null` has no keys and so can never meet its threshold (`SignatureThreshold`).
extension JSONFields {
    /// The array at `key`; `null` (a Go nil slice) reads as empty.
    /// - Throws: `TUFError(.malformed)` when `key` is missing or neither an array nor `null`.
    func goSlice(_ key: String) throws -> [JSONValue] {
        if members[key]?.isNull == true { return [] }
        return try array(key)
    }

    /// The array of strings at `key`; `null` reads as empty.
    /// - Throws: `TUFError(.malformed)` as `goSlice`, or for an element that is not a string.
    func goStringSlice(_ key: String) throws -> [String] {
        if members[key]?.isNull == true { return [] }
        return try stringArray(key)
    }

    /// The object at `key`; `null` (a Go nil map) reads as empty.
    /// - Throws: `TUFError(.malformed)` when `key` is missing or neither an object nor `null`.
    func goMap(_ key: String) throws -> [String: JSONValue] {
        if members[key]?.isNull == true { return [:] }
        return try object(key)
    }
}
