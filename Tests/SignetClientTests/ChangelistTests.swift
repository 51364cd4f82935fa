import Foundation
@testable import SignetClient
import SignetTUF
import Testing

/// Notary 0.7's changelist files read back and re-encode to the same bytes.
@Suite struct ChangelistTests {
    static let fixtures = URL(fileURLWithPath: "/work/shared/fixtures/notary-0.7/changelists/example.com_library_app")

    @Test(arguments: ["01-pending-adds", "02-pending-delegation", "03-pending-delegated-adds", "04-pending-removes"])
    func notaryChangesRoundTrip(_ folder: String) throws {
        let entries = try Changelist(directory: Self.fixtures.appendingPathComponent(folder)).entries()
        #expect(!entries.isEmpty)
        for entry in entries {
            let original = try [UInt8](Data(contentsOf: entry.file))
            #expect(entry.change.encoded() == original, "\(entry.file.lastPathComponent)")
            if entry.change.type == .target, let data = entry.change.data {
                let meta = try Change.parseTargetData(data, target: entry.change.path)
                #expect(try Change.targetData(meta) == data)
            }
            if entry.change.type == .delegation {
                let edit = try Change.parseDelegationData(entry.change.data, role: entry.change.role)
                #expect(Change.delegationData(edit) == entry.change.data)
            }
        }
    }

    /// Notary's removals (data null) are not forced; `remove --force` writes `{"force":true}`,
    /// which reads back as forced and which Notary's client ignores (a delete's data is unused).
    @Test func forcedRemovalsAreMarkedInTheData() throws {
        let entries = try Changelist(directory: Self.fixtures.appendingPathComponent("04-pending-removes")).entries()
        #expect(entries.contains { $0.change.action == .delete })
        #expect(entries.allSatisfy { !$0.change.isForcedRemoval })
        let forced = Change(action: .delete, role: "targets", type: .target, path: "old", data: Change.forcedRemovalData)
        let read = try Change(bytes: forced.encoded(), file: "forced.change")
        #expect(read.isForcedRemoval)
        #expect(String(decoding: forced.encoded(), as: UTF8.self).contains(#""data":"eyJmb3JjZSI6dHJ1ZX0=""#))
        #expect(!Change(action: .delete, role: "targets", type: .target, path: "old", data: Array(#"{"force":false}"#.utf8)).isForcedRemoval)
        #expect(!Change(action: .create, role: "targets", type: .target, path: "old", data: Change.forcedRemovalData).isForcedRemoval)
    }

    @Test func stagedFileNamesSortInOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = Changelist(directory: directory)
        try list.add((0..<5).map { Change(action: .create, role: "targets", type: .target, path: "t\($0)", data: nil) })
        let entries = try list.entries()
        #expect(entries.map(\.change.path) == ["t0", "t1", "t2", "t3", "t4"])
        #expect(entries.allSatisfy { $0.file.lastPathComponent.range(of: #"^\d{20}_[0-9a-f-]{36}\.change$"#, options: .regularExpression) != nil })
        try list.remove()
        #expect(try list.entries().isEmpty)
    }

    /// Bulk entries (issue 18): many changes, one `.changes` file, read in order among one-change
    /// files; removing some rewrites the file under its name, removing the rest deletes it.
    @Test func bulkEntryHoldsManyChangesInOneFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = Changelist(directory: directory)
        func changes(_ prefix: String, _ count: Int) -> [Change] {
            (0..<count).map { Change(action: .create, role: "targets", type: .target, path: "\(prefix)\($0)", data: Array("{\"n\":\($0)}".utf8)) }
        }
        try list.add(changes("single", 1), bulk: true)        // one change: still Notary's one-change file
        try list.add(changes("bulk", 1000), bulk: true)
        try list.add(changes("after", 2))                      // not bulk: one file each
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.filter { $0.hasSuffix(".change") }.count == 3)
        #expect(files.filter { $0.hasSuffix(".changes") }.count == 1)
        let entries = try list.entries()
        #expect(entries.map(\.change.path) == ["single0"] + (0..<1000).map { "bulk\($0)" } + ["after0", "after1"])
        #expect(entries[1...1000].allSatisfy { $0.file == entries[1].file && $0.indexInBulk != nil })
        #expect(entries[1...1000].map(\.change) == changes("bulk", 1000)[...].map { $0 })

        // Drop some of the bulk entry: the file keeps its name (its place in the order) and the rest.
        let bulkFile = entries[1].file
        try list.remove([entries[1], entries[500], entries[1000], entries[1001]])
        let left = try list.entries()
        #expect(left.map(\.change.path) == ["single0"] + (1..<1000).filter { $0 != 499 && $0 != 999 }.map { "bulk\($0)" } + ["after1"])
        #expect(left[1].file == bulkFile)
        // Drop the rest of it: the file goes.
        try list.remove(left.filter { $0.indexInBulk != nil })
        #expect(!FileManager.default.fileExists(atPath: bulkFile.path))
        #expect(try list.entries().map(\.change.path) == ["single0", "after1"])
    }

    /// A bulk entry larger than one file's share is split into several, still in order.
    @Test func bulkEntriesSplitAtTheirLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = Changelist(directory: directory)
        let count = Changelist.maxChangesPerBulkFile + 3
        try list.add((0..<count).map { Change(action: .delete, role: "targets", type: .target, path: "t\($0)", data: nil) }, bulk: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".changes") }.count == 2)
        let entries = try list.entries()
        #expect(entries.count == count)
        #expect(entries.map(\.change.path) == (0..<count).map { "t\($0)" })
        try list.remove()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    /// A damaged bulk file is refused naming the file and the change, never half read.
    @Test(arguments: [
        ("{\"action\":\"create\"}", "is not a JSON array of changes"),
        ("[{\"action\":\"create\",\"role\":\"targets\",\"type\":\"target\",\"path\":\"a\",\"data\":null},{\"action\":\"nope\"}]", "(change 1) lacks a valid action, role or type"),
        ("[{\"action\":\"create\",\"role\":\"targets\",\"type\":\"target\",\"path\":\"a\",\"data\":\"!!\"}]", "(change 0): data is not base64"),
        ("[", "is not JSON"),
    ])
    func damagedBulkEntryIsRefused(_ text: String, _ reason: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: directory.appendingPathComponent("00000000000000000001_x.changes"))
        let error = #expect(throws: ClientError.self) { try Changelist(directory: directory).entries() }
        #expect(error?.message.contains("00000000000000000001_x.changes") == true && error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func gunIsValidatedBeforeItBecomesAPath() {
        let dir = TrustDirectory(url: URL(fileURLWithPath: "/tmp/x"))
        let dotDot = #expect(throws: TUFError.self) { try dir.collectionDirectory("../etc") }
        #expect(dotDot == TUFError(.invalidName, "GUN \"../etc\" has an empty, '.' or '..' path segment"), "\(String(describing: dotDot))")
        let absolute = #expect(throws: TUFError.self) { try dir.collectionDirectory("/abs") }
        #expect(absolute == TUFError(.invalidName, "GUN \"/abs\" must not start with /"), "\(String(describing: absolute))")
    }
}
