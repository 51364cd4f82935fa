#!/bin/sh
# Throwaway measurement of SignetHTTP alone, without adding a target to Package.swift:
# copies Sources/SignetHTTP (+ CryptoError and the TLS declarations) into a temporary package with a
# tiny server that answers every request with a fixed 1,975-byte body, builds it in release mode,
# and runs wrk against it (same shape as the spike in shared/reference/swift-platform.md §3).
#
# Usage: bench/http/quick-bench.sh [port] [connections]      (needs wrk; run from the repository root
# after one `swift build`, which provides .build/checkouts/swift-log)
set -eu
PORT=${1:-18080}
CONNS=${2:-32}
ROOT=$(pwd)
B=${TMPDIR:-/tmp}/signet-http-bench
rm -rf "$B"
mkdir -p "$B/Sources/SignetCrypto" "$B/Sources/SignetHTTP" "$B/Sources/BenchServer"
cp -r "$ROOT/Sources/SignetHTTP/." "$B/Sources/SignetHTTP/"
cp "$ROOT/Sources/SignetCrypto/Support/CryptoError.swift" "$B/Sources/SignetCrypto/"
# The TLS types only need to exist for plain-HTTP benchmarking; declare throwing placeholders.
cat > "$B/Sources/SignetCrypto/TLS.swift" <<'SWIFT'
public final class Certificate: @unchecked Sendable { public var subjectDescription: String { "" } }
public final class TLSServerContext: @unchecked Sendable { public init(certificateChainPEMFile: String, privateKeyPEMFile: String, clientCAFile: String? = nil, requireClientCertificate: Bool = false) throws { throw CryptoError(.tls, "bench") } }
public final class TLSClientContext: @unchecked Sendable { public init(caFile: String?, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) throws { throw CryptoError(.tls, "bench") } }
public final class TLSConnection: @unchecked Sendable {
    public init(accepting fd: Int32, context: TLSServerContext) throws { throw CryptoError(.tls, "bench") }
    public init(connecting fd: Int32, context: TLSClientContext, hostname: String) throws { throw CryptoError(.tls, "bench") }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
    public func write(_ bytes: UnsafeRawBufferPointer) throws {}
    public func shutdown() {}
    public var peerCertificate: Certificate? { nil }
}
SWIFT
cat > "$B/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "bench", platforms: [.macOS(.v13)],
  dependencies: [.package(path: "$ROOT/.build/checkouts/swift-log")],
  targets: [
    .target(name: "SignetCrypto"),
    .target(name: "SignetHTTP", dependencies: ["SignetCrypto", .product(name: "Logging", package: "swift-log")]),
    .executableTarget(name: "BenchServer", dependencies: ["SignetHTTP", .product(name: "Logging", package: "swift-log")]),
  ])
SWIFT
cat > "$B/Sources/BenchServer/main.swift" <<'SWIFT'
import Logging
import SignetHTTP
var logger = Logger(label: "bench")
logger.logLevel = .warning  // no access log lines during the run
let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1975)
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 18080
let server = HTTPServer(configuration: HTTPServerConfiguration(port: port), logger: logger) { _ in
    HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: body)
}
installShutdownSignalHandlers { server.shutdown(gracePeriod: 2) }
try server.start()
server.waitUntilShutdown()
SWIFT
(cd "$B" && nice swift build -c release --product BenchServer)
"$B/.build/release/BenchServer" "$PORT" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
sleep 1
echo "== keep-alive, $CONNS connections"
wrk -t1 -c"$CONNS" -d5s "http://127.0.0.1:$PORT/v2/x/_trust/tuf/root.json"
echo "== Connection: close (the notary Go client's pattern)"
wrk -t1 -c"$CONNS" -d5s -H 'Connection: close' "http://127.0.0.1:$PORT/v2/x/_trust/tuf/root.json"
grep VmHWM "/proc/$PID/status" || true
