@testable import SignetClient
import Testing

/// `WWW-Authenticate` challenges as the client reads them; quoted values through `QuotedString`.
@Suite struct AuthChallengeTests {
    @Test func readsBearerParametersWithEscapesAndCommas() {
        let challenges = AuthChallenge.parse([#"Bearer realm="https://auth.example.com/token",service="notary",scope="repository:a\"b:pull,push""#])
        #expect(challenges == [AuthChallenge(scheme: "bearer", parameters: [
            "realm": "https://auth.example.com/token", "service": "notary", "scope": #"repository:a"b:pull,push"#,
        ])])
    }

    /// An unterminated quoted value used to swallow the rest of the header into the value; a
    /// control character inside one was kept. Both now end the parameters there.
    @Test(arguments: [
        #"Bearer service="notary",realm="https://auth.example.com/token"#,
        "Bearer service=\"notary\",realm=\"https://auth.example.com/\u{1}token\"",
        #"Bearer service="notary",realm="https://auth.example.com/token\"#,
    ])
    func hostileQuotedValueIsDropped(_ header: String) {
        let challenges = AuthChallenge.parse([header])
        #expect(challenges == [AuthChallenge(scheme: "bearer", parameters: ["service": "notary"])])
    }
}
