import Foundation
@testable import SignetCrypto
import Testing

@Suite("Digest")
struct DigestTests {
    let abc = Array("abc".utf8)

    @Test func sha256KnownAnswer() {
        #expect(Hex.encode(Digest.sha256(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(Data("abc".utf8)) == Digest.sha256(abc))
    }

    @Test func sha512KnownAnswer() {
        #expect(Hex.encode(Digest.sha512(abc)) ==
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(Digest.sha512(abc).count == 64)
    }

    @Test func streamsMatchOneShot() {
        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var s256 = DigestStream(.sha256)
        var s512 = DigestStream(.sha512)
        var offset = 0
        while offset < big.count {
            let chunk = big[offset..<min(offset + 4093, big.count)]
            s256.update(Array(chunk)); s512.update(Array(chunk))
            offset += 4093
        }
        #expect(s256.finalize() == Digest.sha256(big))
        #expect(s512.finalize() == Digest.sha512(big))
        // finalize resets
        s256.update(abc)
        #expect(s256.finalize() == Digest.sha256(abc))
    }

    @Test func streamHasValueSemantics() {
        var a = DigestStream(.sha256)
        a.update(Array("ab".utf8))
        var b = a
        b.update(Array("c".utf8))
        #expect(b.finalize() == Digest.sha256(abc))
        #expect(a.finalize() == Digest.sha256(Array("ab".utf8)))
    }

    @Test func randomAndConstantTime() {
        let r1 = SecureRandom.bytes(32), r2 = SecureRandom.bytes(32)
        #expect(r1.count == 32 && r1 != r2)
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(constantTimeEquals(r1, r1))
        #expect(!constantTimeEquals(r1, r2))
        #expect(!constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(constantTimeEquals([], []))
    }
}
