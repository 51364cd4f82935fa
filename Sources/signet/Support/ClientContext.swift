import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// Builds the client objects for a command from the global options, through the settings in
/// effect (`ClientSettings`: flag > environment > config file > default).
struct ClientContext {
    var global: GlobalOptions
    var settings: ClientSettings { ClientSettings.inEffect(for: global) }
    var trustDir: TrustDirectory { TrustDirectory(url: settings.trustDir) }
    /// The trust dir's keys, with the signing agent of that trust dir asked first unless
    /// `SIGNET_AGENT=off` (`AgentClient.forTrustDirectory`).
    var keyStore: KeyStore {
        let directory = trustDir
        var store = KeyStore(directory: directory)
        store.agent = AgentClient.forTrustDirectory(directory, environment: ProcessInfo.processInfo.environment)
        return store
    }

    func tls() throws -> TLSClientContext? {
        let settings = settings
        guard (settings.tlsClientCert == nil) == (settings.tlsClientKey == nil) else {
            throw ClientError(.usage, "--tls-client-cert and --tls-client-key go together")
        }
        guard settings.tlsCA != nil || settings.tlsClientCert != nil else { return nil }
        return try TLSClientContext(caFile: settings.tlsCA, clientCertificateFile: settings.tlsClientCert, clientKeyFile: settings.tlsClientKey)
    }

    func repository(_ gun: String) throws -> ClientRepository {
        var server = try RemoteServer(baseURL: settings.server, gun: gun, tls: try tls(), credentials: try Credentials.fromEnvironment())
        if let timeout = try settings.timeout() { server.timeout = timeout }
        var repository = try ClientRepository(gun: gun, trustDir: trustDir, keys: keyStore, server: server)
        repository.notice = Output.warning
        return repository
    }

    func changelist(_ gun: String) throws -> Changelist {
        Changelist(directory: try trustDir.changelistDirectory(gun))
    }

    /// Reads a PEM private key file (encrypted keys use the role's passphrase).
    func readPrivateKey(_ path: String, role: String) throws -> PrivateKey {
        let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: "key file")
        guard let block = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)).first(where: { $0.type.hasSuffix("PRIVATE KEY") }) else {
            throw ClientError(.usage, "\(path) holds no PEM private key")
        }
        let stored = StoredKey(id: "(from \(path))", role: block.header("role") ?? role, gun: nil, file: URL(fileURLWithPath: path), block: block)
        return try keyStore.load(stored)
    }
}
