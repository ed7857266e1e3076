import AttestClient
import AttestCore
import AttestCrypto
import AttestDaemon
import AttestStore
import AttestWebhook
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A real attestd (temporary socket, SQLite store with one signed image, generated key) and an in-process
/// attest-webhook over HTTPS on 127.0.0.1 with a throwaway CA; curl is the client.
final class WebhookFixture: @unchecked Sendable {
    static let repository = "registry.example.com/team/app"
    static let signedImage = repository + "@sha256:" + String(repeating: "a", count: 64)
    static let signedInitImage = "registry.example.com/team/init@sha256:" + String(repeating: "c", count: 64)
    static let unsignedImage = repository + "@sha256:" + String(repeating: "b", count: 64)
    static let tagImage = "alpine:3.11"
    static let namespace = "prod"

    let directory: String
    let certificates: TestCertificates
    /// The file-backed TLS credentials, when the fixture was made with `reloadableTLS`.
    private(set) var credentials: TLSCredentials?
    let daemonOptions: Daemon.Options
    let client: AttestClientPool
    let metrics: WebhookMetrics
    private(set) var daemon: Daemon?
    private var serverTask: Task<Void, Never>?
    private(set) var port = 0
    /// Whether the server speaks TLS.
    let usesTLS: Bool

    /// Starts attestd and the webhook.
    /// - Parameters:
    ///   - timeout: The webhook's deadline for attestd.
    ///   - idleTimeout: The webhook's idle timeout, which also bounds how long a request may take to arrive.
    ///   - dryRun: The webhook's dry-run mode.
    ///   - tls: Whether to serve HTTPS.
    ///   - reloadableTLS: Serve HTTPS from file-backed ``TLSCredentials`` (exposed as ``credentials``).
    ///   - requireClientCertificate: Whether to require client certificates from the test CA.
    ///   - socketPath: Ask attestd at another socket (a fake one) instead of the real daemon's.
    init(
        timeout: Duration = .seconds(8),
        idleTimeout: Duration = .seconds(90),
        dryRun: Bool = false,
        tls: Bool = true,
        reloadableTLS: Bool = false,
        requireClientCertificate: Bool = false,
        socketPath overrideSocket: String? = nil
    ) async throws {
        directory = "/tmp/webhook-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        chmod(directory, 0o700)
        certificates = try await TestCertificates.make(in: directory)

        let key = try PrivateKey.generate(for: .ecdsaP256SHA256)
        let configPath = directory + "/attestd.yaml"
        let storePath = directory + "/store.sqlite"
        let socketPath = directory + "/d.sock"
        try Self.configuration(key: key.publicKey, socketPath: socketPath, storePath: storePath)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let store = try AttestationStore(path: storePath)
        try store.put([
            try Self.attestation(for: Self.signedImage, key: key),
            try Self.attestation(for: Self.signedInitImage, key: key),
        ])
        var options = Daemon.Options(configurationPath: configPath)
        options.workerCount = 2
        options.eventLoopThreads = 1
        options.drainTimeout = .seconds(2)
        daemonOptions = options
        usesTLS = tls

        client = AttestClientPool(
            socketPath: overrideSocket ?? socketPath,
            size: 2,
            configuration: AttestClient.Configuration(
                clientName: "attest-webhook-test",
                requestTimeout: timeout,
                connectTimeout: .seconds(8)
            )
        )
        metrics = WebhookMetrics()
        try await startDaemon()
        do {
            var configuration = WebhookServer.Configuration(
                host: "127.0.0.1",
                port: 0,
                tls: tls
                    ? try WebhookServer.tlsConfiguration(
                        certificatePath: certificates.serverCertificate,
                        keyPath: certificates.serverKey,
                        clientCAPath: requireClientCertificate ? certificates.caCertificate : nil
                    ) : nil,
                timeout: timeout,
                // Readiness is asserted to succeed while dozens of tests run at once; the
                // production default of 1 s is a wall-clock bet the tests must not make.
                readinessTimeout: max(timeout, .seconds(8)),
                dryRun: dryRun,
                idleTimeout: idleTimeout
            )
            if tls && reloadableTLS {
                let credentials = try TLSCredentials(
                    files: TLSCredentials.Files(
                        certificate: certificates.serverCertificate,
                        key: certificates.serverKey,
                        clientCA: requireClientCertificate ? certificates.caCertificate : nil
                    )
                )
                configuration.tlsCredentials = credentials
                self.credentials = credentials
            }
            try await startServer(configuration)
        } catch {
            await stop()
            throw error
        }
    }

    /// Runs `body` with a fresh fixture and stops it afterwards, whether `body` throws or not.
    static func with(
        timeout: Duration = .seconds(8),
        idleTimeout: Duration = .seconds(90),
        dryRun: Bool = false,
        tls: Bool = true,
        reloadableTLS: Bool = false,
        requireClientCertificate: Bool = false,
        socketPath: String? = nil,
        _ body: (WebhookFixture) async throws -> Void
    ) async throws {
        let fixture = try await WebhookFixture(
            timeout: timeout,
            idleTimeout: idleTimeout,
            dryRun: dryRun,
            tls: tls,
            reloadableTLS: reloadableTLS,
            requireClientCertificate: requireClientCertificate,
            socketPath: socketPath
        )
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    private func startServer(_ configuration: WebhookServer.Configuration) async throws {
        var logger = Logger(label: "attest-webhook-test")
        logger.logLevel = .critical
        let server = WebhookServer(configuration: configuration, client: client, metrics: metrics, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        serverTask = Task {
            try? await server.run { port in continuation.yield(port) }
            continuation.finish()
        }
        for await bound in ports {
            port = bound
            return
        }
        throw FixtureError(description: "the webhook stopped before listening")
    }

    /// Starts (or restarts) attestd with the same configuration, store and socket.
    func startDaemon() async throws {
        var logger = Logger(label: "attestd-test")
        logger.logLevel = .critical
        let daemon = try Daemon(options: daemonOptions, logger: logger)
        do {
            try await daemon.start()
        } catch {
            await daemon.shutdown()
            throw error
        }
        self.daemon = daemon
    }

    /// Stops attestd (its socket is removed).
    func stopDaemon() async {
        await daemon?.shutdown()
        daemon = nil
    }

    /// Stops everything and removes the directory.
    func stop() async {
        serverTask?.cancel()
        await serverTask?.value
        client.close()
        await stopDaemon()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - HTTP through curl

    struct Reply {
        var curlStatus: Int32
        var httpStatus: Int
        var body: String
        var stderr: String

        /// The AdmissionReview answer.
        func json() throws -> JSONValue {
            try StrictJSON().parse(Array(body.utf8))
        }

        var allowed: Bool? { (try? json())?["response"]?["allowed"]?.boolValue }
        var message: String? { (try? json())?["response"]?["status"]?["message"]?.stringValue }
        var code: Int? { (try? json())?["response"]?["status"]?["code"]?.intValue }
        var warnings: [String] {
            ((try? json())?["response"]?["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
    }

    var baseURL: String { (usesTLS ? "https" : "http") + "://127.0.0.1:\(port)" }

    /// Runs curl against the server (bounded by `--max-time`).
    func curl(
        path: String,
        body: [UInt8]? = nil,
        scheme: String? = nil,
        extra: [String] = [],
        trustCA: Bool = true
    ) async throws -> Reply {
        let id = UUID().uuidString
        let output = directory + "/reply-" + id
        var arguments = ["-sS", "--max-time", "20", "-o", output, "-w", "%{http_code}"]
        if trustCA { arguments += ["--cacert", certificates.caCertificate] }
        if let body {
            let input = directory + "/body-" + id
            try Data(body).write(to: URL(fileURLWithPath: input))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + input]
        }
        arguments += extra
        let base = scheme.map { "\($0)://127.0.0.1:\(port)" } ?? baseURL
        arguments.append(base + path)
        let outcome = try await ProcessRunner.run("/usr/bin/curl", arguments)
        let body = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        return Reply(
            curlStatus: outcome.status,
            httpStatus: Int(outcome.stdout) ?? 0,
            body: body,
            stderr: outcome.stderr
        )
    }

    /// POSTs an AdmissionReview to `/validate`.
    func review(_ body: [UInt8], path: String = "/validate") async throws -> Reply {
        try await curl(path: path, body: body)
    }

    // MARK: - Daemon configuration

    static func configuration(key: PublicKey, socketPath: String, storePath: String) -> String {
        let pem = key.pem.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        return """
            apiVersion: attestd.io/v1alpha1
            kind: AttestdConfig
            spec:
              socket:
                path: \(socketPath)
              store:
                path: \(storePath)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: qa-attestor
            spec:
              publicKeys:
                - keyType: PKIX
                  keyId: qa-key
                  pkixPublicKey:
                    signatureAlgorithm: ECDSA_P256_SHA256
                    publicKeyPem: |
            \(pem)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: require-qa
              namespace: \(namespace)
            spec:
              attestationAuthorityNames: [qa-attestor]

            """
    }

    static func attestation(for image: String, key: PrivateKey) throws -> StoredAttestation {
        let reference = try ImageReference(parsing: image)
        let payload = try SimpleSigningPayload(image: reference).serialized()
        let signature = try key.sign(payload, algorithm: .ecdsaP256SHA256)
        return StoredAttestation(
            repository: reference.identity,
            digest: reference.digest!.description,
            payload: payload,
            signature: signature,
            keyID: "qa-key",
            source: "test"
        )
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }
}
