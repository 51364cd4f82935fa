internal import COpenSSL

/// How `PrivateKey` writes Ed25519 keys into PKCS#8; ECDSA and RSA are the same in both.
public enum PKCS8Encoding: Sendable {
    /// Notary's non-standard Ed25519 form: algorithm OID 1.3.6.1.4.1.11591.15.1 and inner octets
    /// of 96 bytes (32-byte public key ‖ 64-byte seed‖public). Notary 0.7 reads only this.
    case notary
    /// RFC 8410 (OID 1.3.101.112, inner OCTET STRING with the 32-byte seed), which OpenSSL reads.
    case rfc8410
}

extension PrivateKey {
    /// Notary's Ed25519 private-key algorithm OID (not RFC 8410's 1.3.101.112).
    static let notaryEd25519OID = "1.3.6.1.4.1.11591.15.1"

    /// Parses an unencrypted PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958): ECDSA (either version
    /// 0 or Notary's version 1), RSA, RFC 8410 Ed25519, or Notary's Ed25519 form (see `PKCS8Encoding`).
    /// - Throws: `CryptoError(.malformedKey)` if the DER does not parse or the Notary Ed25519 public
    ///   half does not match its seed; `.unsupportedKey` for other key types.
    public convenience init(derPKCS8: [UInt8]) throws {
        let info = try DERBuffer.decode(derPKCS8, .malformedKey, "not a DER PKCS#8 PrivateKeyInfo") {
            d2i_PKCS8_PRIV_KEY_INFO(nil, $0, $1)
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        try self.init(owning: try Self.pkey(fromPKCS8: info))
    }

    /// The key as an unencrypted PKCS#8 PrivateKeyInfo (DER). Ed25519 uses `encoding`
    /// (default `.notary`, so the result can be stored in a trust dir Notary 0.7 reads).
    /// - Throws: `CryptoError(.openSSL)` if OpenSSL cannot encode the key.
    public func pkcs8DER(encoding: PKCS8Encoding = .notary) throws -> [UInt8] {
        if algorithm == .ed25519, encoding == .notary {
            return try notaryEd25519PKCS8()
        }
        let info = try OpenSSLCall.check(EVP_PKEY2PKCS8(pkey), .openSSL, "EVP_PKEY2PKCS8 failed")
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        return try DERBuffer.encode("i2d_PKCS8_PRIV_KEY_INFO failed") { i2d_PKCS8_PRIV_KEY_INFO(info, $0) }
    }

    /// The key as a PKCS#8 EncryptedPrivateKeyInfo (DER): PBES2 with `kdf`, AES-256-CBC, random
    /// 16-byte salt and IV. This is the body of an `ENCRYPTED PRIVATE KEY` PEM block.
    ///
    /// With `KeyDerivation.default` the result is readable by Notary 0.7 and by
    /// `openssl pkey -passin`. PBKDF2 with 1.3 M iterations takes ~0.4–0.6 s to write and again
    /// to read on the 2-core build machine (decrypt once per process, not per signature).
    /// - Throws: `CryptoError(.openSSL)` if encryption fails; `.unsupportedKey` for nonsensical
    ///   KDF parameters (iterations < 1, scrypt n not a power of two).
    public func encryptedPKCS8DER(passphrase: String, kdf: KeyDerivation = .default, encoding: PKCS8Encoding = .notary) throws -> [UInt8] {
        let plain = try pkcs8DER(encoding: encoding)
        let info = try DERBuffer.decode(plain, .openSSL, "re-reading PKCS#8 failed") { d2i_PKCS8_PRIV_KEY_INFO(nil, $0, $1) }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }

        let salt = SecureRandom.bytes(16)
        let cipher = EVP_aes_256_cbc()
        let algorithm: UnsafeMutablePointer<X509_ALGOR> = try salt.withUnsafeBufferPointer { saltBytes in
            let saltPointer = UnsafeMutablePointer(mutating: saltBytes.baseAddress)
            switch kdf {
            case .pbkdf2SHA1(let iterations), .pbkdf2SHA256(let iterations):
                guard iterations >= 1, iterations <= Int(Int32.max) else {
                    throw CryptoError(.unsupportedKey, "PBKDF2 iteration count \(iterations) out of range")
                }
                let prf: Int32
                if case .pbkdf2SHA1 = kdf { prf = NID_hmacWithSHA1 } else { prf = NID_hmacWithSHA256 }
                return try OpenSSLCall.check(PKCS5_pbe2_set_iv(cipher, Int32(iterations), saltPointer, Int32(salt.count), nil, prf),
                                             .openSSL, "building PBES2/PBKDF2 parameters failed")
            case .scrypt(let n, let r, let p):
                guard n > 1, n & (n - 1) == 0, r >= 1, p >= 1 else {
                    throw CryptoError(.unsupportedKey, "invalid scrypt parameters n=\(n) r=\(r) p=\(p)")
                }
                return try OpenSSLCall.check(PKCS5_pbe2_set_scrypt(cipher, saltPointer, Int32(salt.count), nil, UInt64(n), UInt64(r), UInt64(p)),
                                             .openSSL, "building PBES2/scrypt parameters failed")
            }
        }
        let passBytes = Array(passphrase.utf8)
        let sig = passBytes.withUnsafeBufferPointer { pass in
            pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(pass.count, 1)) {
                PKCS8_set0_pbe($0, Int32(pass.count), info, algorithm)
            }
        }
        guard let sig else {
            X509_ALGOR_free(algorithm)  // ownership passes to the X509_SIG only on success
            throw CryptoError(.openSSL, "encrypting the private key failed", openSSLErrors: OpenSSLCall.drainErrors())
        }
        defer { X509_SIG_free(sig) }
        return try DERBuffer.encode("i2d_X509_SIG failed") { i2d_X509_SIG(sig, $0) }
    }

    /// Decrypts a PKCS#8 EncryptedPrivateKeyInfo (any PBES2 scheme OpenSSL supports: PBKDF2 with
    /// any HMAC prf, scrypt; AES-CBC) and parses the key inside.
    /// - Throws: `.malformedKey` if the outer structure does not parse; `.wrongPassphrase` if
    ///   decryption fails or yields garbage.
    convenience init(encryptedPKCS8 der: [UInt8], passphrase: String) throws {
        let sig = try DERBuffer.decode(der, .malformedKey, "not a DER EncryptedPrivateKeyInfo") { d2i_X509_SIG(nil, $0, $1) }
        defer { X509_SIG_free(sig) }
        let passBytes = Array(passphrase.utf8) + [0]
        let info = passBytes.withUnsafeBufferPointer { pass in
            pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pass.count) {
                PKCS8_decrypt(sig, $0, Int32(pass.count - 1))
            }
        }
        guard let info else {
            OpenSSLCall.clearErrors()
            throw CryptoError(.wrongPassphrase, "the passphrase does not decrypt the private key")
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        try self.init(owning: try Self.pkey(fromPKCS8: info))
    }

    /// Returns a new EVP_PKEY (+1) for a parsed PrivateKeyInfo, handling Notary's Ed25519 OID.
    static func pkey(fromPKCS8 info: OpaquePointer) throws -> OpaquePointer {
        var object: OpaquePointer? = nil
        var keyBytes: UnsafePointer<UInt8>? = nil
        var keyLength: Int32 = 0
        try OpenSSLCall.check(PKCS8_pkey_get0(&object, &keyBytes, &keyLength, nil, info), .malformedKey, "malformed PKCS#8 PrivateKeyInfo")
        var oidText = [CChar](repeating: 0, count: 80)
        let oidLength = OBJ_obj2txt(&oidText, Int32(oidText.count), object, 1)
        let oid = String(decoding: oidText.prefix(Int(max(oidLength, 0))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if oid == notaryEd25519OID {
            guard let keyBytes, keyLength == 96 else {
                throw CryptoError(.malformedKey, "Notary Ed25519 key must have 96 bytes, got \(keyLength)")
            }
            let material = Array(UnsafeBufferPointer(start: keyBytes, count: 96))
            return try ed25519PKey(notaryPublicPrivate: material)
        }
        guard let pkey = EVP_PKCS82PKEY(info) else {
            throw CryptoError(.unsupportedKey, "unsupported PKCS#8 key algorithm \(oid)", openSSLErrors: OpenSSLCall.drainErrors())
        }
        return pkey
    }

    /// Notary's 96-byte Ed25519 material: public(32) ‖ seed(32) ‖ public(32). Checks that both
    /// public copies match the one derived from the seed.
    static func ed25519PKey(notaryPublicPrivate material: [UInt8]) throws -> OpaquePointer {
        guard material.count == 96 else {
            throw CryptoError(.malformedKey, "Notary Ed25519 key must have 96 bytes, got \(material.count)")
        }
        let seed = Array(material[32..<64])
        let pkey = try OpenSSLCall.check(
            seed.withUnsafeBufferPointer { EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) },
            .malformedKey, "invalid Ed25519 seed")
        var derived = [UInt8](repeating: 0, count: 32)
        var length = 32
        let rc = derived.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pkey, $0.baseAddress, &length) }
        guard rc == 1, derived == Array(material[0..<32]), derived == Array(material[64..<96]) else {
            EVP_PKEY_free(pkey)
            OpenSSLCall.clearErrors()
            throw CryptoError(.malformedKey, "Ed25519 public key does not match its private seed")
        }
        return pkey
    }

    /// Ed25519 seed (32 bytes) of this key.
    func ed25519Seed() throws -> [UInt8] {
        var seed = [UInt8](repeating: 0, count: 32)
        var length = 32
        try OpenSSLCall.check(seed.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_private_key(pkey, $0.baseAddress, &length) },
                              .openSSL, "reading the Ed25519 seed failed")
        return seed
    }

    private func notaryEd25519PKCS8() throws -> [UInt8] {
        guard let publicRaw = publicKey.rawEd25519 else { throw CryptoError(.openSSL, "reading the Ed25519 public key failed") }
        let material = publicRaw + (try ed25519Seed()) + publicRaw
        // SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING (96) } — Go's layout in notary's pkcs8.go.
        return DERWriter.sequence(
            DERWriter.integer(0)
            + DERWriter.sequence(DERWriter.objectIdentifier(Self.notaryEd25519OID))
            + DERWriter.octetString(material))
    }
}
