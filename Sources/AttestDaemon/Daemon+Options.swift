extension Daemon {
    /// How to start a daemon: the configuration file, command-line overrides, and tuning.
    public struct Options: Sendable {
        /// The YAML configuration file.
        public var configurationPath: String
        /// Overrides the configuration's socket path.
        public var socketPath: String?
        /// Overrides the configuration's store path.
        public var storePath: String?
        /// Overrides the configuration's worker count (at least 1).
        public var workerCount: Int?
        /// The most verification jobs waiting at once; beyond it requests are answered BUSY.
        public var queueCapacity: Int = 65_536
        /// The largest LZ4 body accepted after decompression (announced in HELLO).
        public var maxDecompressedSize: UInt32 = 64 << 20
        /// The most requests one connection may have in flight (announced in HELLO).
        public var maxInFlightPerConnection: UInt32 = 1024
        /// How long a shutdown waits for requests in flight before closing connections anyway.
        public var drainTimeout: Duration = .seconds(10)
        /// Event-loop threads serving sockets (crypto never runs on them).
        ///
        /// Two by default: cache hits are answered on the event loop, so one loop caps them at one core
        /// (≈ 0.87 M checks/s on the 2-core reference machine, 1.2–1.3 M with two); on misses the loops are
        /// mostly idle (≈ 8 % of a core each) and the workers keep the cores.
        public var eventLoopThreads: Int = 2
        /// Outbound bytes queued on a connection above which the daemon stops reading from it.
        public var writeBufferHighWaterMark: Int = 4 << 20
        /// Outbound bytes below which reading resumes.
        public var writeBufferLowWaterMark: Int = 1 << 20
        /// Reload the configuration on SIGHUP (the executable sets this; tests leave it off).
        public var reloadOnSIGHUP: Bool = false
        /// Create the store's directory when it is missing.
        public var createStoreDirectory: Bool = false
        /// The server version announced in HELLO.
        public var serverVersion: String = "0.1.0"

        /// Creates options with defaults.
        ///
        /// - Parameter configurationPath: the YAML configuration file.
        public init(configurationPath: String) {
            self.configurationPath = configurationPath
        }
    }
}
