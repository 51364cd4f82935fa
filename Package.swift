// swift-tools-version:6.0
// Signet: an image-signing and trust service speaking Notary's dialect of TUF.
// Layers (see docs/architecture.md): SignetSupport, COpenSSL → SignetCrypto → SignetTUF → SignetClient / SignetServer (on SignetHTTP) → signet.
import PackageDescription

let package = Package(
    name: "Signet",
    products: [
        .executable(name: "signet", targets: ["signet"]),
        .library(name: "SignetTUF", targets: ["SignetTUF"]),
        .library(name: "SignetCrypto", targets: ["SignetCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // OpenSSL 3 (Debian libssl-dev) through pkg-config; shim.h wraps the macros Swift cannot import.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // libxcrypt's crypt_r for htpasswd bcrypt entries (Debian libcrypt-dev); used only by SignetServer/Auth.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // Support layer: what every module needs that is not crypto (atomic file writes, locks, path and string
        // text, HTTP dates, quoted strings, JSON string escaping). Imports no C library but Glibc.
        .target(name: "SignetSupport"),
        // libpq's headers (Debian libpq-dev, <postgresql/libpq-fe.h>); used only by SignetServer/Storage/Postgres
        // (`internal import`). Not linked: CLibPQLoader loads libpq.so.5 on the first PostgreSQL connection.
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        // libpq's functions forwarded through dlopen/dlsym, so commands without PostgreSQL storage start
        // without loading libpq and its ~20 libraries (issue 18).
        .target(name: "CLibPQLoader"),
        // <sys/epoll.h>, <sys/eventfd.h> and accept4 for SignetHTTP's event loop (not in the Glibc module).
        .systemLibrary(name: "CEpoll"),
        // Crypto layer: the only module that imports COpenSSL.
        .target(name: "SignetCrypto", dependencies: ["COpenSSL", "SignetSupport"]),
        // TUF layer: Notary-format metadata, canonical JSON, verification. No I/O.
        .target(name: "SignetTUF", dependencies: ["SignetCrypto", "SignetSupport"]),
        // HTTP/1.1 over Glibc sockets and one epoll event loop, TLS through SignetCrypto.
        .target(name: "SignetHTTP", dependencies: [
            "SignetCrypto", "SignetSupport", "CEpoll",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Trust server: Notary routes, publish validation, file store and PostgreSQL store, server-held keys.
        .target(name: "SignetServer", dependencies: [
            "SignetTUF", "SignetCrypto", "SignetHTTP", "SignetSupport", "CCrypt", "CLibPQ", "CLibPQLoader",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Client: trust dir, key store, changelist, remote, verified update.
        .target(name: "SignetClient", dependencies: [
            "SignetTUF", "SignetCrypto", "SignetHTTP", "SignetSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "signet", dependencies: [
            "SignetClient", "SignetServer", "SignetTUF", "SignetCrypto", "SignetSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Fuzz targets: one `fuzzOne(_:)` per parser with its properties; compiled in every build so they keep
        // compiling, and run over the seed corpus by SignetFuzzTargetsTests. Reaches SignetHTTP's readers through `package` entry points.
        .target(name: "SignetFuzzTargets", dependencies: ["SignetTUF", "SignetCrypto", "SignetHTTP"]),
        // The libFuzzer harness over SignetFuzzTargets (scripts/fuzz builds it with -sanitize=fuzzer,address); a file driver otherwise.
        .executableTarget(name: "signet-fuzz", dependencies: ["SignetFuzzTargets"]),
        .executableTarget(name: "signet-bench-crypto", dependencies: ["SignetCrypto"], path: "bench/crypto/Sources"),
        // Test helpers more than one test target uses (raw hostile servers, required tools, the
        // notary-server launcher); test targets only, and no Signet module, so it tests nothing by itself.
        .target(name: "SignetTestSupport", path: "Tests/SignetTestSupport"),
        .testTarget(name: "SignetSupportTests", dependencies: ["SignetSupport"]),
        .testTarget(name: "SignetCryptoTests", dependencies: ["SignetCrypto", "SignetTestSupport"]),
        .testTarget(name: "SignetTUFTests", dependencies: ["SignetTUF", "SignetCrypto", "SignetTestSupport"]),
        .testTarget(name: "SignetHTTPTests", dependencies: [
            "SignetHTTP", "SignetCrypto", "SignetTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SignetServerTests", dependencies: ["SignetServer", "SignetHTTP", "SignetTUF", "SignetCrypto", "SignetTestSupport"]),
        .testTarget(name: "SignetClientTests", dependencies: ["SignetClient", "SignetTUF", "SignetCrypto", "SignetTestSupport"]),
        .testTarget(name: "SignetFuzzTargetsTests", dependencies: ["SignetFuzzTargets", "SignetHTTP"]),
        .testTarget(name: "SignetCLITests", dependencies: ["SignetTUF", "SignetCrypto", "SignetClient", "SignetTestSupport"]),
    ]
)
