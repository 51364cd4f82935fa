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

    @Test func gunIsValidatedBeforeItBecomesAPath() {
        let dir = TrustDirectory(url: URL(fileURLWithPath: "/tmp/x"))
        let dotDot = #expect(throws: TUFError.self) { try dir.collectionDirectory("../etc") }
        #expect(dotDot == TUFError(.invalidName, "GUN \"../etc\" has an empty, '.' or '..' path segment"), "\(String(describing: dotDot))")
        let absolute = #expect(throws: TUFError.self) { try dir.collectionDirectory("/abs") }
        #expect(absolute == TUFError(.invalidName, "GUN \"/abs\" must not start with /"), "\(String(describing: absolute))")
    }
}
