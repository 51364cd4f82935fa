import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// Builds the client objects for a command from the global options.
struct ClientContext {
    var global: GlobalOptions
    var trustDir: TrustDirectory { TrustDirectory(url: global.resolvedTrustDir) }
    var keyStore: KeyStore { KeyStore(directory: trustDir) }

    func tls() throws -> TLSClientContext? {
        guard (global.tlsClientCert == nil) == (global.tlsClientKey == nil) else {
            throw ClientError(.usage, "--tls-client-cert and --tls-client-key go together")
        }
        guard global.tlsCa != nil || global.tlsClientCert != nil else { return nil }
        return try TLSClientContext(caFile: global.tlsCa, clientCertificateFile: global.tlsClientCert, clientKeyFile: global.tlsClientKey)
    }

    func repository(_ gun: String) throws -> ClientRepository {
        var server = try RemoteServer(baseURL: global.resolvedServer, gun: gun, tls: try tls(), credentials: try Credentials.fromEnvironment())
        if let timeout = try global.resolvedTimeout() { server.timeout = timeout }
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
