import AttestCore

/// attestd's own settings, from the single `kind: AttestdConfig` document (defaults when there is none).
///
/// `examples/attestd.yaml` documents every field with its YAML spelling and default.
public struct AttestdSettings: Sendable, Hashable {
    /// What happens to an image in a namespace that no policy governs.
    public enum DefaultDecision: String, Sendable, Hashable {
        /// Admit it (kritis's behaviour).
        case admit
        /// Deny it.
        case deny
    }

    /// Resource limits the daemon enforces on its clients.
    public struct Limits: Sendable, Hashable {
        /// The largest wire frame accepted, in bytes.
        public var maxFrameSize: Int = 4 * 1024 * 1024
        /// The most items one batch request may carry.
        public var maxBatchItems: Int = 4096
        /// The largest simple-signing payload verified, in bytes.
        public var maxPayloadSize: Int = SimpleSigningPayload.defaultMaxSize
        /// The most client connections served at once.
        public var maxConnections: Int = 1024
        /// A connection with no request in flight for this long is closed.
        public var idleTimeout: Duration = .seconds(300)
        /// A client that does not read its answers for this long is disconnected.
        public var slowReaderTimeout: Duration = .seconds(10)

        /// Creates the default limits.
        public init() {}
    }

    /// The Unix socket the daemon listens on.
    public var socketPath: String = "/run/attestd/attestd.sock"
    /// The socket file's permission bits.
    public var socketMode: UInt16 = 0o660
    /// Peer uids allowed to connect (checked with `SO_PEERCRED`); empty means the daemon's own uid and root.
    public var allowedPeerUIDs: [UInt32] = []
    /// The embedded SQLite attestation store.
    public var storePath: String = "/var/lib/attestd/attestations.sqlite"
    /// The most images whose attestation records the store keeps in memory; 0 reads the file every time.
    public var storeCacheMaxEntries: Int = 16_384
    /// The most bytes of attestation records the store keeps in memory; 0 reads the file every time.
    public var storeCacheMaxBytes: Int = 64 * 1024 * 1024
    /// The verdict cache's capacity; 0 disables the cache.
    public var cacheMaxEntries: Int = 100_000
    /// How long a positive verification stays cached.
    public var positiveTTL: Duration = .seconds(600)
    /// How long a negative verification stays cached.
    public var negativeTTL: Duration = .seconds(30)
    /// Verification worker threads; 0 means one per core.
    public var workerCount: Int = 0
    /// Client limits.
    public var limits = Limits()
    /// Payload `critical.type` values attestors accept unless they say otherwise.
    public var acceptedPayloadTypes: Set<String> = SimpleSigningPayload.defaultAcceptedTypes
    /// Cluster-wide allowlist patterns (GAP syntax), applied in every namespace.
    public var allowlistPatterns: [AllowlistPattern] = []
    /// The decision for namespaces without a policy.
    public var defaultPolicy: DefaultDecision = .admit
    /// The mode of policies that set neither `mode` nor `threshold`.
    public var defaultMatchMode: PolicyMode = .all

    /// Creates the default settings.
    public init() {}
}
