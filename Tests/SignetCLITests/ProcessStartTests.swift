import Foundation
import Testing

/// Issue 18, process start: a command that does not open PostgreSQL storage must not load libpq
/// and the ~20 libraries it depends on (Kerberos, LDAP, GnuTLS, …), which cost every CLI run
/// milliseconds in the dynamic loader. CLibPQLoader loads libpq on the first connection instead;
/// PostgresServeTests show that `signet serve --storage postgres://…` still works.
@Suite struct ProcessStartTests {
    /// The shared objects the dynamic loader opens for one run (glibc's `LD_DEBUG=files`).
    static func loadedLibraries(_ arguments: [String]) throws -> Set<String> {
        let result = try CLI.run(CLI.signet, arguments, environment: ["LD_DEBUG": "files"])
        return Set(result.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "file=") else { return nil }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        })
    }

    @Test(arguments: [["--version"], ["verify", "docker.io/library/alpine:3.8", "--metadata-dir",
                                      SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine").path,
                                      "--at", "2018-07-25T00:00:00Z"]])
    func commandsWithoutPostgreSQLDoNotLoadLibpq(_ arguments: [String]) throws {
        let libraries = try Self.loadedLibraries(arguments)
        #expect(libraries.contains("libcrypto.so.3"), "LD_DEBUG=files listed \(libraries.sorted())")
        for library in ["libpq.so.5", "libgssapi_krb5.so.2", "libldap-2.5.so.0", "libgnutls.so.30"] {
            #expect(!libraries.contains(library), "signet \(arguments.first!) loaded \(library): \(libraries.sorted())")
        }
    }
}
