// Signing/verification throughput through SignetCrypto's public API, single thread.
// Prints one line per operation: "<name> <ops/s>". Driven by bench/crypto/run.sh.
import Foundation
import SignetCrypto

// Arguments: [seconds per operation, default 3] [ecdsap256|ed25519, default both]
let arguments = Array(CommandLine.arguments.dropFirst())
let seconds = Double(arguments.first ?? "3") ?? 3
let only = arguments.count > 1 ? arguments[1] : nil
let message = Array("signet bench message: 32 bytes!!".utf8)

func measure(_ name: String, _ body: () throws -> Void) rethrows {
    try body()  // warm-up (provider loading, first fetch)
    var count = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let deadline = start + UInt64(seconds * 1e9)
    var now = start
    while now < deadline {
        for _ in 0..<64 { try body() }
        count += 64
        now = DispatchTime.now().uptimeNanoseconds
    }
    let rate = Double(count) / (Double(now - start) / 1e9)
    print(name, String(format: "%.1f", rate))
}

for (label, algorithm) in [("ecdsap256", KeyAlgorithm.ecdsa), ("ed25519", .ed25519)] where only == nil || only == label {
    let key = try PrivateKey.generate(algorithm)
    let signature = try key.sign(message)
    try measure("\(label)-sign") { _ = try key.sign(message) }
    try measure("\(label)-verify") {
        guard try key.publicKey.verify(signature: signature, message: message, method: key.defaultMethod) else { fatalError("verify failed") }
    }
}
