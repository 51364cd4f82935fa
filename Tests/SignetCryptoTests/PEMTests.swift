import Foundation
@testable import SignetCrypto
import Testing

@Suite("PEM")
struct PEMTests {
    @Test func goLayoutHeadersSortedProcTypeFirst() {
        let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY",
                             headers: [("role", "targets"), ("path", "abc"), ("Proc-Type", "4,ENCRYPTED"), ("gun", "docker.io/x")],
                             der: Array(0..<100))
        let text = block.encoded()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "-----BEGIN ENCRYPTED PRIVATE KEY-----")
        #expect(Array(lines[1...5]) == ["Proc-Type: 4,ENCRYPTED", "gun: docker.io/x", "path: abc", "role: targets", ""])
        #expect(lines[6].count == 64)
        #expect(text.hasSuffix("-----END ENCRYPTED PRIVATE KEY-----\n"))
        #expect(PEMBlock(type: "X", der: [1, 2, 3]).encoded() == "-----BEGIN X-----\nAQID\n-----END X-----\n")
    }

    @Test func parseAllKeepsOrderHeadersAndSkipsNoise() throws {
        let a = PEMBlock(type: "CERTIFICATE", der: Array(repeating: 7, count: 200))
        let b = PEMBlock(type: "EC PRIVATE KEY", headers: [("role", "root"), ("gun", "g")], der: [9, 9, 9])
        let text = "junk before\n" + a.encoded() + "between\r\n" + b.encoded().replacingOccurrences(of: "\n", with: "\r\n") + "trailer"
        let blocks = try PEMBlock.parseAll(text)
        #expect(blocks.count == 2)
        #expect(blocks[0] == a)
        #expect(blocks[1].type == "EC PRIVATE KEY")
        #expect(blocks[1].der == [9, 9, 9])
        #expect(blocks[1].header("role") == "root")
        #expect(blocks[1].header("gun") == "g")
        #expect(blocks[1].headers.map(\.name) == ["gun", "role"])  // as written by encoded()
        #expect(try PEMBlock.parseAll("").isEmpty)
    }

    @Test func malformedBlocksThrow() {
        #expect(throws: CryptoError.self) { try PEMBlock.parseAll("-----BEGIN X-----\nAQID\n") }
        #expect(throws: CryptoError.self) { try PEMBlock.parseAll("-----BEGIN X-----\n@@@\n-----END X-----\n") }
    }

    @Test func publicKeyPEMRoundTrip() throws {
        for algorithm in [KeyAlgorithm.ecdsa, .ed25519] {
            let key = try PrivateKey.generate(algorithm).publicKey
            let pem = key.pem()
            #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
            #expect(try PublicKey(pem: pem) == key)
        }
    }
}
