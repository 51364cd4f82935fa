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
        #expect(throws: TUFError.self) { try dir.collectionDirectory("../etc") }
        #expect(throws: TUFError.self) { try dir.collectionDirectory("/abs") }
    }
}
