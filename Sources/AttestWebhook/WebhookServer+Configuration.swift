public import NIOSSL

extension WebhookServer {
    /// Where and how the webhook listens and how it asks attestd.
    public struct Configuration: Sendable {
        /// The address to bind, such as `0.0.0.0` or `127.0.0.1`.
        public var host: String
        /// The TCP port (0 picks a free one; read it back from `onServerRunning`).
        public var port: Int
        /// TLS for HTTPS; nil serves plain HTTP (only behind `--insecure-http`).
        public var tls: TLSConfiguration?
        /// Reloadable TLS credentials; when set they take the place of ``tls``, and certificates renewed on
        /// disk reach new connections once ``TLSCredentials/reloadIfChanged()`` has loaded them.
        public var tlsCredentials: TLSCredentials?
        /// The most a review waits for attestd, connecting included, before it is denied (default 8 s, under
        /// the API server's 10 s webhook timeout).
        public var timeout: Duration
        /// The most `GET /readyz` waits for attestd's PING answer.
        public var readinessTimeout: Duration
        /// Whether ADMIT requests carry dry-run, so attestd admits what it would deny, with warnings.
        public var dryRun: Bool
        /// The largest AdmissionReview body accepted (default 3 MiB).
        public var maxBodySize: Int
        /// The deepest JSON nesting accepted (default 64).
        public var maxDepth: Int
        /// How long a connection may stay idle (no bytes either way) before the server closes it (default
        /// 90 s, as Go's HTTP client keeps idle connections, so the API server's pooled connections are
        /// reused rather than cut).
        public var idleTimeout: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - host: The address to bind.
        ///   - port: The TCP port (0 for any free one).
        ///   - tls: TLS for HTTPS; nil for plain HTTP.
        ///   - timeout: Deadline of each review's question to attestd.
        ///   - readinessTimeout: Deadline of the readiness PING.
        ///   - dryRun: Send ADMIT as dry-run.
        ///   - maxBodySize: The largest body accepted.
        ///   - maxDepth: The deepest JSON nesting accepted.
        ///   - idleTimeout: How long a connection may stay idle.
        public init(
            host: String = "127.0.0.1",
            port: Int = 8443,
            tls: TLSConfiguration?,
            timeout: Duration = .seconds(8),
            readinessTimeout: Duration = .seconds(1),
            dryRun: Bool = false,
            maxBodySize: Int = AdmissionReview.defaultMaxSize,
            maxDepth: Int = AdmissionReview.defaultMaxDepth,
            idleTimeout: Duration = .seconds(90)
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.tlsCredentials = nil
            self.timeout = timeout
            self.readinessTimeout = readinessTimeout
            self.dryRun = dryRun
            self.maxBodySize = maxBodySize
            self.maxDepth = maxDepth
            self.idleTimeout = idleTimeout
        }
    }

    /// A server TLS configuration from PEM files: TLS 1.2 or later, and, with a client CA, a client
    /// certificate signed by it is required.
    /// - Parameters:
    ///   - certificatePath: The server certificate chain (PEM), leaf first.
    ///   - keyPath: The server private key (PEM).
    ///   - clientCAPath: CA certificates (PEM) that client certificates must chain to; nil accepts any client.
    /// - Returns: The configuration.
    /// - Throws: `NIOSSLError` when a file cannot be read or parsed.
    public static func tlsConfiguration(
        certificatePath: String,
        keyPath: String,
        clientCAPath: String? = nil
    ) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        if let clientCAPath {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCAPath))
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }
}
