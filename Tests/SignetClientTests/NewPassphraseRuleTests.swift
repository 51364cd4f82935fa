import SignetClient
import Testing

/// A new key's passphrase follows one rule whether it comes from the environment or the prompt
/// (issue 10 §3): at least `NewPassphraseRule.minimumCharacters` characters, and the refusal says
/// the minimum instead of claiming no passphrase was given.
@Suite struct NewPassphraseRuleTests {
    @Test func aShortPassphraseFromTheEnvironmentIsRefusedForANewKey() throws {
        let source = PassphraseSource(environment: ["SIGNET_ROOT_PASSPHRASE": "a"], interactive: false)
        let error = try #require(throws: ClientError.self) { try source.newPassphrase(role: "root", keyID: "0123456789abcdef") }
        #expect(error.code == .usage)
        #expect(error.message.contains("SIGNET_ROOT_PASSPHRASE"))
        #expect(error.message.contains("at least 8 characters"))
        #expect(!error.message.contains("\"a\""))  // the passphrase itself never appears
    }

    @Test func aLongEnoughPassphraseFromTheEnvironmentIsTaken() throws {
        let source = PassphraseSource(environment: ["NOTARY_TARGETS_PASSPHRASE": "12345678"], interactive: false)
        #expect(try source.newPassphrase(role: "targets", keyID: "ab") == "12345678")
    }

    @Test func threeShortPassphrasesAtThePromptSayTheMinimum() throws {
        var source = PassphraseSource(environment: [:], interactive: true)
        source.reader = { _ in "short" }
        let error = try #require(throws: ClientError.self) { try source.newPassphrase(role: "root", keyID: "0123456789abcdef") }
        #expect(error.code == .usage)
        #expect(error.message.contains("at least 8 characters"))
        #expect(!error.message.contains("no passphrase given"))
    }

    @Test func endOfInputAtThePromptIsNoPassphrase() throws {
        var source = PassphraseSource(environment: [:], interactive: true)
        source.reader = { _ in nil }
        let error = try #require(throws: ClientError.self) { try source.newPassphrase(role: "root", keyID: "0123456789abcdef") }
        #expect(error.message.contains("no passphrase given"))
    }

    @Test func theRuleCountsCharactersNotBytes() {
        #expect(NewPassphraseRule.problem("ééééééé") != nil)   // 7 characters, 14 bytes
        #expect(NewPassphraseRule.problem("éééééééé") == nil)  // 8 characters
        #expect(NewPassphraseRule.minimumCharacters == 8)
    }
}
