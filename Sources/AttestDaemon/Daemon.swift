import AttestCore
import AttestCrypto
import AttestPolicy
import AttestStore
public import AttestWire
import Dispatch
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The attestd daemon: the engine served on a Unix socket, with a verdict cache, in-flight coalescing and a
/// verification worker pool.
///
/// Create it (loads the configuration, opens the store, starts the workers), then ``start()`` to listen, and
/// ``shutdown()`` to drain and stop; or hand it to a swift-service-lifecycle `ServiceGroup`, whose graceful
/// shutdown (SIGTERM, SIGINT) makes ``run()`` drain and return.
///
/// The configuration with everything derived from it lives in one immutable snapshot behind a lock;
/// ``reload(configurationPath:)`` swaps it atomically, so requests in flight finish under the configuration
/// they started with. A reload that fails leaves the running configuration in force. Socket path, store path
/// and worker count are fixed at start; a reload that changes them logs a warning.
public final class Daemon: Service, Sendable {
    /// How the daemon was started.
    public let options: Options
    /// The daemon's request, error and connection counters.
    public let statistics = DaemonStatistics()
    /// The socket path the daemon listens on (the override, or the configuration's).
    public let socketPath: String

    private enum Phase {
        case created
        case running(server: any Channel, socketIdentity: (device: UInt64, inode: UInt64)?)
        case stopping
        case stopped
    }

    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let pool: WorkerPool<VerifierContext>
    private let coalescer = Coalescer<VerdictCache.Key, RequestHandler.CheckOutcome>()
    private let keyDeriver = VerdictCacheKeyDeriver()
    private let memoCounters = PlanMemo.Counters()
    private let store: AttestationStore
    private let snapshot: Mutex<DaemonSnapshot>
    private let reloadLock = Mutex<Void>(())
    private let retiredCacheStatistics = Mutex(VerdictCache.Statistics())
    private let phase = Mutex<Phase>(.created)
    private let draining = Atomic<Bool>(false)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let signalSource = Mutex<SignalSourceBox?>(nil)
    private let handler: Mutex<RequestHandler?> = Mutex(nil)
    private let ownUID = UInt32(geteuid())

    /// Loads the configuration, opens the attestation store and starts the worker threads.
    ///
    /// - Parameters:
    ///   - options: the configuration file, overrides and tuning.
    ///   - logger: the daemon's logger; per-request events are logged at debug level only.
    /// - Throws: ``DaemonError`` with ``DaemonError/Code/configuration`` (the message names file, document and
    ///   field) or ``DaemonError/Code/store``.
    public init(options: Options, logger: Logger) throws(DaemonError) {
        self.options = options
        self.logger = logger
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: options.configurationPath)
        } catch {
            throw DaemonError(.configuration, "\(error)")
        }
        let settings = configuration.settings
        socketPath = options.socketPath ?? settings.socketPath
        let storePath = options.storePath ?? settings.storePath
        do {
            store = try AttestationStore(
                path: storePath,
                createDirectory: options.createStoreDirectory,
                recordCache: .init(maxEntries: settings.storeCacheMaxEntries, maxBytes: settings.storeCacheMaxBytes)
            )
        } catch {
            throw DaemonError(.store, "attestation store \(storePath): \(error)")
        }
        let cache = try Self.makeCache(for: settings, reusing: nil, keyDeriver: keyDeriver)
        snapshot = Mutex(
            DaemonSnapshot(
                configuration: configuration,
                source: store,
                cache: cache,
                generation: 1,
                path: options.configurationPath,
                memoCounters: memoCounters
            )
        )
        let workers = options.workerCount ?? (settings.workerCount > 0 ? settings.workerCount : nil)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.eventLoopThreads))
        pool = WorkerPool(
            workerCount: workers.map { max(1, $0) },
            queueCapacity: max(1, options.queueCapacity),
            name: "attestd-worker"
        ) { _ in VerifierContext() }
    }

    // MARK: - Lifecycle

    /// Binds the socket and starts accepting connections.
    ///
    /// - Throws: ``DaemonError`` when the socket directory or path is unusable, another daemon listens on the
    ///   path, or binding fails; ``DaemonError/Code/state`` when already started or stopped.
    public func start() async throws(DaemonError) {
        let canStart = phase.withLock { phase -> Bool in
            if case .created = phase {
                phase = .stopping  // reserved while binding; set to running below
                return true
            }
            return false
        }
        guard canStart else { throw DaemonError(.state, "the daemon was already started") }
        // Before the socket exists: a SIGHUP sent as soon as clients can connect must reload, not terminate
        // the process by the signal's default action.
        if options.reloadOnSIGHUP { installReloadSignal() }
        do {
            try ServerSocketPath.prepare(socketPath)
            let mode = currentSnapshot().configuration.settings.socketMode
            let server = try await bootstrap().bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: false)
                .get()
            do {
                try ServerSocketPath.setMode(socketPath, mode: mode)
            } catch {
                try? await server.close()
                unlink(socketPath)
                throw error
            }
            let identity = ServerSocketPath.identity(of: socketPath)
            phase.withLock { $0 = .running(server: server, socketIdentity: identity) }
            logger.info(
                "attestd listening",
                metadata: [
                    "socket": "\(socketPath)", "mode": "\(String(mode, radix: 8))", "workers": "\(pool.workerCount)",
                    "generation": "\(currentSnapshot().generation)",
                ]
            )
        } catch {
            phase.withLock { $0 = .created }
            signalSource.withLock { source in
                source?.source.cancel()
                source = nil
            }
            if let error = error as? DaemonError { throw error }
            throw DaemonError(.bind, "cannot listen on \(socketPath): \(error)")
        }
    }

    /// Serves until graceful shutdown (or cancellation), then drains and stops: the `Service` entry point.
    ///
    /// - Throws: ``DaemonError`` when the daemon cannot start.
    public func run() async throws {
        let started = phase.withLock { phase -> Bool in
            if case .running = phase { return true }
            return false
        }
        if !started { try await start() }
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting, answers new requests with SHUTTING_DOWN, waits for requests in flight (at most
    /// ``Options/drainTimeout``), closes every connection, stops the workers and removes the socket file.
    ///
    /// Calling it again, or before ``start()``, stops whatever is running and returns.
    public func shutdown() async {
        let previous = phase.withLock { phase -> Phase in
            let previous = phase
            if case .running = phase { phase = .stopping }
            if case .created = phase { phase = .stopping }
            return previous
        }
        switch previous {
        case .stopping, .stopped:
            return
        case .created:
            await stopWorkersAndLoops()
        case .running(let server, let identity):
            draining.store(true, ordering: .releasing)
            signalSource.withLock { source in
                source?.source.cancel()
                source = nil
            }
            logger.info("attestd draining", metadata: ["in_flight": "\(statistics.inFlight)"])
            try? await server.close()
            for channel in connections.withLock({ Array($0.values) }) {
                channel.pipeline.fireUserInboundEventTriggered(ConnectionHandler.DrainEvent())
            }
            let deadline = ContinuousClock.now.advanced(by: options.drainTimeout)
            while ContinuousClock.now < deadline, statistics.inFlight > 0 || !connections.withLock({ $0.isEmpty }) {
                do { try await Task.sleep(for: .milliseconds(5)) } catch { break }
            }
            for channel in connections.withLock({ Array($0.values) }) {
                try? await channel.close()
            }
            await stopWorkersAndLoops()
            if let identity, let now = ServerSocketPath.identity(of: socketPath), now == identity {
                unlink(socketPath)
            }
            logger.info("attestd stopped")
        }
        phase.withLock { $0 = .stopped }
    }

    private func stopWorkersAndLoops() async {
        let pool = self.pool
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                pool.shutdown(drain: false)
                continuation.resume()
            }
        }
        try? await group.shutdownGracefully()
    }

    // MARK: - Configuration

    /// The configuration generation in force: 1 at start, incremented by each successful reload.
    public var configurationGeneration: UInt64 { currentSnapshot().generation }

    /// Loads a configuration file and makes it the one new requests use; on failure the current one stays.
    ///
    /// - Parameter configurationPath: the file, or `nil` for the file the current configuration came from.
    /// - Returns: `ok` and a summary, or not `ok` and the error naming file, document and field.
    @discardableResult
    public func reload(configurationPath: String? = nil) -> ReloadResponse {
        reloadLock.withLock { _ in
            let current = currentSnapshot()
            let path = configurationPath ?? current.path
            do {
                let configuration = try Configuration.load(path: path)
                let cache = try Self.makeCache(
                    for: configuration.settings,
                    reusing: current.cache,
                    keyDeriver: keyDeriver
                )
                if let old = current.cache, cache !== old {
                    let retired = old.statistics
                    retiredCacheStatistics.withLock { $0.add(retired) }
                }
                let next = DaemonSnapshot(
                    configuration: configuration,
                    source: store,
                    cache: cache,
                    generation: current.generation + 1,
                    path: path,
                    memoCounters: memoCounters
                )
                snapshot.withLock { $0 = next }
                statistics.recordReload(succeeded: true)
                warnAboutFixedSettings(old: current.configuration.settings, new: configuration.settings)
                let message =
                    "reloaded \(path): generation \(next.generation), \(configuration.attestors.count) attestor(s), "
                    + "\(configuration.allPolicies.count) polic\(configuration.allPolicies.count == 1 ? "y" : "ies")"
                logger.info(
                    "configuration reloaded",
                    metadata: ["path": "\(path)", "generation": "\(next.generation)"]
                )
                return ReloadResponse(ok: true, message: message)
            } catch {
                statistics.recordReload(succeeded: false)
                logger.error(
                    "configuration reload refused; keeping the running configuration",
                    metadata: ["path": "\(path)", "error": "\(error)"]
                )
                return ReloadResponse(ok: false, message: "\(error)")
            }
        }
    }

    private func warnAboutFixedSettings(old: AttestdSettings, new: AttestdSettings) {
        if options.socketPath == nil, old.socketPath != new.socketPath {
            logger.warning(
                "socket path changed; it takes effect at the next start",
                metadata: ["path": "\(new.socketPath)"]
            )
        }
        if options.storePath == nil, old.storePath != new.storePath {
            logger.warning(
                "store path changed; it takes effect at the next start",
                metadata: ["path": "\(new.storePath)"]
            )
        }
        if old.storeCacheMaxEntries != new.storeCacheMaxEntries || old.storeCacheMaxBytes != new.storeCacheMaxBytes {
            logger.warning("store cache limits changed; they take effect at the next start")
        }
        if options.workerCount == nil, old.workerCount != new.workerCount {
            logger.warning("worker count changed; it takes effect at the next start")
        }
    }

    private static func makeCache(
        for settings: AttestdSettings,
        reusing current: VerdictCache?,
        keyDeriver: VerdictCacheKeyDeriver
    ) throws(DaemonError) -> VerdictCache? {
        guard settings.cacheMaxEntries > 0 else { return nil }
        let configuration = VerdictCache.Configuration(
            capacity: settings.cacheMaxEntries,
            positiveTTL: settings.positiveTTL,
            negativeTTL: settings.negativeTTL
        )
        if let current, current.configuration == configuration { return current }
        do {
            return try VerdictCache(configuration: configuration, keyDeriver: keyDeriver)
        } catch {
            throw DaemonError(.configuration, "cache settings: \(error.reason)")
        }
    }

    private func currentSnapshot() -> DaemonSnapshot {
        snapshot.withLock { $0 }
    }

    private func installReloadSignal() {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "attestd.sighup"))
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.logger.info("SIGHUP received: reloading the configuration")
            self.reload()
        }
        source.resume()
        let box = SignalSourceBox(source: source)
        signalSource.withLock { $0 = box }
    }

    // MARK: - Statistics

    /// Every counter and gauge, as STATS reports them.
    ///
    /// - Returns: cache, coalescing, pool, request, error and connection counters; sizes and ratios as gauges.
    public func statisticsSnapshot() -> StatsResponse {
        let current = currentSnapshot()
        var cache = retiredCacheStatistics.withLock { $0 }
        let live = current.cache?.statistics ?? VerdictCache.Statistics()
        cache.add(live)
        let coalescing = coalescer.statistics
        let work = pool.statistics
        let handler = requestHandler()
        var counters = [
            StatsCounter(name: "cache.hits", value: cache.hits),
            StatsCounter(name: "cache.misses", value: cache.misses),
            StatsCounter(name: "cache.insertions", value: cache.insertions),
            StatsCounter(name: "cache.evictions", value: cache.evictions),
            StatsCounter(name: "cache.expirations", value: cache.expirations),
            StatsCounter(name: "coalescer.started", value: coalescing.started),
            StatsCounter(name: "coalescer.coalesced", value: coalescing.coalesced),
            StatsCounter(name: "pool.queued", value: work.queued),
            StatsCounter(name: "pool.completed", value: work.completed),
            StatsCounter(name: "pool.rejected", value: work.rejected),
            StatsCounter(name: "pool.dropped", value: work.dropped),
            StatsCounter(name: "pool.batches", value: work.batches),
            StatsCounter(name: "pool.batched_jobs", value: work.batchedJobs),
            StatsCounter(name: "verify.checks", value: handler.verifyChecks.load(ordering: .relaxed)),
            StatsCounter(name: "verify.operations", value: handler.verifyOperations.load(ordering: .relaxed)),
            StatsCounter(name: "plan.memo_hits", value: memoCounters.hits.load(ordering: .relaxed)),
            StatsCounter(name: "plan.memo_misses", value: memoCounters.misses.load(ordering: .relaxed)),
            StatsCounter(name: "plan.memo_resets", value: memoCounters.resets.load(ordering: .relaxed)),
            StatsCounter(
                name: "plan.decision_reuses",
                value: memoCounters.decisionHits.load(ordering: .relaxed)
            ),
        ]
        let lookups = cache.hits + cache.misses
        var gauges = [
            StatsGauge(name: "cache.entries", value: .integer(UInt64(live.count))),
            StatsGauge(name: "cache.capacity", value: .integer(UInt64(live.capacity))),
            StatsGauge(
                name: "cache.hit_ratio",
                value: .double(lookups == 0 ? 0 : Double(cache.hits) / Double(lookups))
            ),
            StatsGauge(name: "coalescer.in_flight", value: .integer(UInt64(coalescing.inFlight))),
            StatsGauge(name: "pool.depth", value: .integer(UInt64(work.depth))),
            StatsGauge(name: "pool.max_depth", value: .integer(UInt64(work.maximumDepth))),
            StatsGauge(name: "pool.workers", value: .integer(UInt64(work.workers))),
            StatsGauge(name: "pool.capacity", value: .integer(UInt64(work.capacity))),
            StatsGauge(name: "pool.batch.size.mean", value: .double(work.meanBatchSize)),
            StatsGauge(name: "pool.batch.size.max", value: .integer(UInt64(work.largestBatch))),
            StatsGauge(name: "config.generation", value: .integer(current.generation)),
            StatsGauge(name: "plan.memo_entries", value: .integer(UInt64(current.memo.count))),
        ]
        if let records = store.recordCacheStatistics {
            counters += [
                StatsCounter(name: "store.cache.hits", value: records.hits),
                StatsCounter(name: "store.cache.misses", value: records.misses),
                StatsCounter(name: "store.cache.evictions", value: records.evictions),
                StatsCounter(name: "store.cache.invalidations", value: records.invalidations),
                StatsCounter(name: "store.cache.stale_reads", value: records.staleReads),
            ]
            gauges += [
                StatsGauge(name: "store.cache.entries", value: .integer(UInt64(records.entries))),
                StatsGauge(name: "store.cache.bytes", value: .integer(UInt64(records.bytes))),
            ]
        }
        let own = statistics.entries()
        counters += own.counters
        gauges += own.gauges
        return StatsResponse(counters: counters, gauges: gauges)
    }

    // MARK: - Serving

    private func requestHandler() -> RequestHandler {
        handler.withLock { handler in
            if let handler { return handler }
            let made = RequestHandler(
                pool: pool,
                coalescer: coalescer,
                keyDeriver: keyDeriver,
                store: store,
                logger: logger,
                currentSnapshot: { [unowned self] in self.currentSnapshot() },
                reload: { [unowned self] path in self.reload(configurationPath: path) },
                stats: { [unowned self] in self.statisticsSnapshot() }
            )
            handler = made
            return made
        }
    }

    private func bootstrap() -> ServerBootstrap {
        let high = max(1, options.writeBufferHighWaterMark)
        let low = min(max(0, options.writeBufferLowWaterMark), high)
        return ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: low, high: high))
            .childChannelInitializer { [self] channel in
                self.initialize(channel)
            }
    }

    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        statistics.connectionsAccepted.wrappingAdd(1, ordering: .relaxed)
        let open = statistics.connectionsOpen.wrappingAdd(1, ordering: .relaxed).newValue
        let id = ObjectIdentifier(channel)
        connections.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            statistics.connectionsOpen.wrappingAdd(-1, ordering: .relaxed)
            connections.withLock { _ = $0.removeValue(forKey: id) }
        }
        let settings = currentSnapshot().configuration.settings
        if draining.load(ordering: .acquiring) {
            return reject(channel, .shuttingDown, "attestd is shutting down")
        }
        if open > settings.limits.maxConnections {
            statistics.connectionsRejected.wrappingAdd(1, ordering: .relaxed)
            logger.warning(
                "connection refused: too many connections",
                metadata: ["limit": "\(settings.limits.maxConnections)"]
            )
            return reject(
                channel,
                .busy,
                "attestd serves at most \(settings.limits.maxConnections) connections; try again later"
            )
        }
        return PeerCredentials.read(from: channel).flatMap { [self] peer -> EventLoopFuture<Void> in
            guard peer.isAllowed(by: settings.allowedPeerUIDs, ownUID: ownUID) else {
                statistics.connectionsDenied.wrappingAdd(1, ordering: .relaxed)
                logger.warning("connection refused: peer uid not allowed", metadata: ["peer": "\(peer)"])
                return reject(channel, .notPermitted, "uid \(peer.uid) may not connect to attestd")
            }
            return serve(channel, peer: peer, settings: settings)
        }.flatMapError { [self] error in
            statistics.connectionsDenied.wrappingAdd(1, ordering: .relaxed)
            logger.warning("connection refused: peer credentials unreadable", metadata: ["error": "\(error)"])
            return reject(channel, .notPermitted, "the peer's credentials (SO_PEERCRED) could not be read")
        }
    }

    private func serve(_ channel: any Channel, peer: PeerCredentials, settings: AttestdSettings) -> EventLoopFuture<
        Void
    > {
        var connectionLogger = logger
        connectionLogger[metadataKey: "peer.uid"] = "\(peer.uid)"
        connectionLogger[metadataKey: "peer.pid"] = "\(peer.pid)"
        let limits = WireLimits(
            maxFrameSize: UInt32(clamping: settings.limits.maxFrameSize),
            maxDecompressedSize: options.maxDecompressedSize,
            maxBatchItems: UInt32(clamping: settings.limits.maxBatchItems),
            maxInFlight: options.maxInFlightPerConnection
        )
        let connectionSettings = ConnectionHandler.Settings(
            limits: limits,
            slowReaderTimeout: TimeAmount(settings.limits.slowReaderTimeout),
            serverVersion: options.serverVersion
        )
        let handler = requestHandler()
        let logger = connectionLogger
        return channel.eventLoop.submit { [self] in
            try channel.pipeline.syncOperations.addHandlers([
                IdleStateHandler(readTimeout: TimeAmount(settings.limits.idleTimeout)),
                ConnectionHandler(
                    settings: connectionSettings,
                    handler: handler,
                    statistics: statistics,
                    logger: logger,
                    peer: peer,
                    isDraining: { [unowned self] in self.draining.load(ordering: .relaxed) }
                ),
            ])
        }
    }

    private func reject(_ channel: any Channel, _ status: WireStatus, _ message: String) -> EventLoopFuture<Void> {
        statistics.recordError(status)
        return channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ConnectionRejectionHandler(status: status, message: message))
        }
    }
}

extension TimeAmount {
    /// The duration as a NIO time amount, saturating.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? .max : whole &+ attoseconds / 1_000_000_000)
    }
}

/// Holds the SIGHUP dispatch source; Dispatch sources are thread-safe, the type just is not marked so.
private final class SignalSourceBox: @unchecked Sendable {
    let source: any DispatchSourceSignal

    init(source: any DispatchSourceSignal) {
        self.source = source
    }
}
