import SignetTUF

/// The GUN and role checks every `MetadataStore` makes before a name reaches a path or a query,
/// refused as `StorageError(.invalidName)` (answered `INVALID_GUN` / `INVALID_ROLE`, reference §2.4).
enum StorageNames {
    /// - Throws: `StorageError(.invalidName)` with `GUN.validate`'s reason.
    static func checkGUN(_ gun: String) throws {
        do { try GUN.validate(gun) } catch { throw StorageError(.invalidName, gun: gun, "\(error)") }
    }

    /// - Throws: `StorageError(.invalidName)` naming the role.
    static func checkRole(_ role: String, gun: String) throws {
        do { try RoleName.validate(role) } catch { throw StorageError(.invalidName, gun: gun, role: role, "\(error)") }
    }
}
