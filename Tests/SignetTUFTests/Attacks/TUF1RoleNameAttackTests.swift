import Foundation
import SignetTUF
import Testing

/// Attack: a delegated role name or target path that is a path (`../x`, `/x`, `?`, `#`) and writes
/// outside the metadata or target directory, or asks the repository for another URL — python-tuf's
/// CVE-2021-41131 (role names used unquoted as file names). Signet percent-encodes every byte but
/// RFC 3986's unreserved ones, `/` included, in URLs and file names alike (`TUF1Names`), as the
/// conformance suite's `test_unusual_role_name` checks.
@Suite("Attack: TUF 1.0 role and target names")
struct TUF1RoleNameAttackTests {
    let now = TUFTime(Date())

    @Test("unusual role names are fetched quoted and stored under their quoted name")
    func unusualRoleNames() throws {
        for name in ["?", "#", "/delegatedrole", "../delegatedrole"] {
            let repository = try TUF1TestRepository()
            let store = TUF1MemoryStore(root: repository.initialRoot)
            try repository.delegate(name, from: "targets")
            repository.publish([name, "targets", "snapshot", "timestamp"])
            #expect(try TUF1Updater(local: store, remote: repository, now: now).targetInfo("nonexistent") == nil)
            #expect(repository.requests.contains("1.\(TUF1Names.quoted(name)).json"))
            #expect(store.files[name] != nil)
            let file = try TUF1Names.storedMetadataFileName(name)
            #expect(!file.contains("/") && file != "." && file != "..", "\(file)")
        }
    }

}
