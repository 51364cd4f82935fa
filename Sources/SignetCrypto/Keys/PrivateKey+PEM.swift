internal import COpenSSL

extension PrivateKey {
    /// Reads a private key from one PEM block, in every format Notary 0.7 reads (notary.md §4,
    /// notary `tuf/utils` `ParsePEMPrivateKey`):
    /// - `PRIVATE KEY`: PKCS#8 PrivateKeyInfo (including Notary's Ed25519 OID form);
    /// - `ENCRYPTED PRIVATE KEY`: PKCS#8 EncryptedPrivateKeyInfo, PBES2 with PBKDF2 (HMAC-SHA1 or
    ///   HMAC-SHA256) or scrypt, AES-256-CBC;
    /// - `EC PRIVATE KEY` (SEC1, RFC 5915), `RSA PRIVATE KEY` (PKCS#1, RFC 8017) and
    ///   `ED25519 PRIVATE KEY` (Notary's raw 96 bytes), each optionally with OpenSSL's legacy PEM
    ///   encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-256-CBC,<hex IV>`; key from
    ///   MD5 `EVP_BytesToKey`).
    ///
    /// - Parameter passphrase: needed only for encrypted blocks; ignored otherwise.
    /// - Throws: `CryptoError(.passphraseRequired)` for an encrypted block with a nil passphrase;
    ///   `.wrongPassphrase` if the passphrase does not decrypt it; `.malformedKey` for unparsable
    ///   content or a block type that is not a private key; `.unsupportedKey` for other key types.
    public convenience init(pemBlock: PEMBlock, passphrase: String?) throws {
        switch pemBlock.type {
        case "ENCRYPTED PRIVATE KEY":
            guard let passphrase else {
                throw CryptoError(.passphraseRequired, "the \(Self.describe(pemBlock)) is encrypted and no passphrase was given")
            }
            try self.init(encryptedPKCS8: pemBlock.der, passphrase: passphrase)
        case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ED25519 PRIVATE KEY":
            var der = pemBlock.der
            var decrypted = false
            if pemBlock.header("Proc-Type")?.hasPrefix("4,ENCRYPTED") == true {
                guard let passphrase else {
                    throw CryptoError(.passphraseRequired, "the \(Self.describe(pemBlock)) is encrypted and no passphrase was given")
                }
                der = try Self.legacyDecrypt(pemBlock, passphrase: passphrase)
                decrypted = true
            }
            do {
                switch pemBlock.type {
                case "PRIVATE KEY": try self.init(derPKCS8: der)
                case "ED25519 PRIVATE KEY": try self.init(owning: try Self.ed25519PKey(notaryPublicPrivate: der))
                default:
                    let type = pemBlock.type == "EC PRIVATE KEY" ? EVP_PKEY_EC : EVP_PKEY_RSA
                    let pkey = try DERBuffer.decode(der, .malformedKey, "malformed \(pemBlock.type)") {
                        d2i_PrivateKey(type, nil, $0, $1)
                    }
                    try self.init(owning: pkey)
                }
            } catch let error as CryptoError where decrypted && error.code == .malformedKey {
                // Garbage after a padding check that passed by chance: the passphrase was wrong.
                throw CryptoError(.wrongPassphrase, "the passphrase does not decrypt the \(Self.describe(pemBlock))")
            }
        default:
            throw CryptoError(.malformedKey, "PEM block \(pemBlock.type) is not a private key")
        }
    }

    /// True for a block that only carries key parameters, which the `openssl` CLI writes before
    /// the key (`openssl ecparam -genkey` writes `EC PARAMETERS`, then `EC PRIVATE KEY`; DSA and
    /// DH parameter files are the same shape). Readers of key files skip such blocks, as Notary's
    /// `key import` does: a SEC1 / PKCS#8 key carries its own curve, so the block adds nothing.
    public static func isParameterBlock(_ block: PEMBlock) -> Bool {
        block.type.hasSuffix(" PARAMETERS") || block.type == "PARAMETERS"
    }

    /// OpenSSL legacy PEM encryption (RFC 1421 style headers as written by `PEM_write_*` and Go's
    /// `x509.EncryptPEMBlock`): key = EVP_BytesToKey(MD5, salt = first 8 IV bytes, count 1).
    private static func legacyDecrypt(_ block: PEMBlock, passphrase: String) throws -> [UInt8] {
        guard let dekInfo = block.header("DEK-Info"), let comma = dekInfo.firstIndex(of: ",") else {
            throw CryptoError(.malformedKey, "the \(describe(block)) is encrypted but has no DEK-Info header")
        }
        let cipherName = String(dekInfo[..<comma])
        let iv = Hex.decode(String(dekInfo[dekInfo.index(after: comma)...]))
        guard let cipher = EVP_CIPHER_fetch(nil, cipherName, nil) else {
            OpenSSLCall.clearErrors()
            throw CryptoError(.unsupportedKey, "unsupported PEM encryption \(cipherName)")
        }
        defer { EVP_CIPHER_free(cipher) }
        let keyLength = Int(EVP_CIPHER_get_key_length(cipher))
        guard let iv, iv.count == Int(EVP_CIPHER_get_iv_length(cipher)), iv.count >= 8 else {
            throw CryptoError(.malformedKey, "the \(describe(block)) has a malformed DEK-Info IV")
        }
        var key = [UInt8](repeating: 0, count: max(keyLength, 1))
        defer { key.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let pass = Array(passphrase.utf8)
        let derived = iv.withUnsafeBufferPointer { salt in
            pass.withUnsafeBufferPointer { passBytes in
                key.withUnsafeMutableBufferPointer { keyBytes in
                    EVP_BytesToKey(cipher, EVP_md5(), salt.baseAddress, passBytes.baseAddress, Int32(passBytes.count), 1, keyBytes.baseAddress, nil)
                }
            }
        }
        guard Int(derived) == keyLength else {
            throw CryptoError(.openSSL, "EVP_BytesToKey failed", openSSLErrors: OpenSSLCall.drainErrors())
        }
        let ctx = try OpenSSLCall.check(EVP_CIPHER_CTX_new(), .openSSL, "EVP_CIPHER_CTX_new failed")
        defer { EVP_CIPHER_CTX_free(ctx) }
        try OpenSSLCall.check(EVP_DecryptInit_ex2(ctx, cipher, key, iv, nil), .openSSL, "EVP_DecryptInit_ex2 failed")
        let input = block.der
        var output = [UInt8](repeating: 0, count: input.count + Int(EVP_CIPHER_get_block_size(cipher)))
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            input.withUnsafeBufferPointer { inBytes in
                guard EVP_DecryptUpdate(ctx, out.baseAddress, &written, inBytes.baseAddress, Int32(inBytes.count)) == 1 else { return false }
                return EVP_DecryptFinal_ex(ctx, out.baseAddress! + Int(written), &final) == 1
            }
        }
        guard ok else {
            OpenSSLCall.clearErrors()
            throw CryptoError(.wrongPassphrase, "the passphrase does not decrypt the \(describe(block))")
        }
        return Array(output[0..<Int(written + final)])
    }


    /// "targets key (ENCRYPTED PRIVATE KEY)" — names the role for messages, never the key material.
    private static func describe(_ block: PEMBlock) -> String {
        if let role = block.header("role") { return "\(role) key (\(block.type))" }
        return "key (\(block.type))"
    }
}
