public import AttestWire

extension AttestClient {
    /// How a client connects and what it negotiates.
    public struct Configuration: Sendable, Hashable {
        /// Whether to send HELLO (protocol §5.1) on every new connection and wait for its answer before any
        /// other request. Without it the connection speaks version 1 with the default limits.
        public var negotiate: Bool
        /// Whether to announce and use LZ4 bodies (only when ``negotiate`` is on and the daemon agrees).
        public var lz4: Bool
        /// Smallest body the client compresses when LZ4 is in use.
        public var lz4MinimumBodySize: Int
        /// Name sent in HELLO, shown in the daemon's logs.
        public var clientName: String
        /// Limits the client enforces on frames it receives (sent in HELLO as the client's limits).
        public var receiveLimits: WireLimits
        /// Deadline of each request unless a call gives its own; `nil` waits for ever.
        public var requestTimeout: Duration?
        /// Deadline for connecting (and negotiating) a new connection.
        public var connectTimeout: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - negotiate: Send HELLO on each new connection.
        ///   - lz4: Announce and use LZ4 bodies.
        ///   - lz4MinimumBodySize: Smallest body compressed.
        ///   - clientName: Name sent in HELLO.
        ///   - receiveLimits: Limits on received frames.
        ///   - requestTimeout: Default per-request deadline.
        ///   - connectTimeout: Deadline for connecting.
        public init(
            negotiate: Bool = true,
            lz4: Bool = false,
            lz4MinimumBodySize: Int = FrameEncoder.Compression.defaultMinimumBodySize,
            clientName: String = "attestclient/1.0",
            receiveLimits: WireLimits = .default,
            requestTimeout: Duration? = .seconds(30),
            connectTimeout: Duration = .seconds(5)
        ) {
            self.negotiate = negotiate
            self.lz4 = lz4
            self.lz4MinimumBodySize = lz4MinimumBodySize
            self.clientName = clientName
            self.receiveLimits = receiveLimits
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
        }

        /// The defaults: HELLO without LZ4, 30 s request deadline, 5 s connect deadline.
        public static let `default` = Configuration()
    }
}
