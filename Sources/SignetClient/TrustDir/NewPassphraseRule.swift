/// The one rule for a passphrase that will protect a NEW private key (`init`, `key generate`,
/// `key import` of an unencrypted key, `key rotate`, `key passwd`): at least
/// `minimumCharacters` characters, counted as Swift characters (grapheme clusters), whether the
/// passphrase comes from a `SIGNET_*`/`NOTARY_*`/`DOCKER_CONTENT_TRUST_*` variable or from the
/// prompt.
///
/// Source: Notary 0.7's passphrase retriever refuses new passphrases shorter than 8 characters at
/// its prompt (`passphrase.go`); Signet applies the same minimum to the environment as well, so a
/// CI job cannot create a key a person could not. Existing keys unlock with whatever passphrase
/// they were written with: this rule is never applied when decrypting.
package enum NewPassphraseRule {
    /// The minimum length of a new key's passphrase, in characters.
    package static let minimumCharacters = 8

    /// Why `passphrase` may not protect a new key, or nil when it may. The reason never contains
    /// the passphrase.
    package static func problem(_ passphrase: String) -> String? {
        passphrase.count < minimumCharacters
            ? "it has \(passphrase.count) character\(passphrase.count == 1 ? "" : "s"); a new key's passphrase needs at least \(minimumCharacters) characters"
            : nil
    }
}
