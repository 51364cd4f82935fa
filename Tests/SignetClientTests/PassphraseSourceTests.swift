import SignetClient
import Testing

@Suite struct PassphraseSourceTests {
    @Test func signetThenNotaryThenDockerVariables() {
        let all = PassphraseSource(environment: [
            "SIGNET_TARGETS_PASSPHRASE": "s", "NOTARY_TARGETS_PASSPHRASE": "n", "DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "d",
        ], interactive: false)
        #expect(all.fromEnvironment(role: "targets")?.value == "s")
        let notary = PassphraseSource(environment: ["NOTARY_DELEGATION_PASSPHRASE": "n", "DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "d"], interactive: false)
        #expect(notary.fromEnvironment(role: "targets/releases")?.variable == "NOTARY_DELEGATION_PASSPHRASE")
        let docker = PassphraseSource(environment: ["DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE": "r", "DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "d"], interactive: false)
        #expect(docker.fromEnvironment(role: "root")?.value == "r")
        #expect(docker.fromEnvironment(role: "snapshot")?.value == "d")
        #expect(docker.fromEnvironment(role: "targets/releases")?.value == "d")
        #expect(PassphraseSource(environment: [:], interactive: false).fromEnvironment(role: "root") == nil)
    }
}
