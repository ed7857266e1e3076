import ArgumentParser
import AttestClient
import AttestCore
import AttestWire
import Foundation

/// `attestctl bench`: the load tester.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test attestd: throughput, latency percentiles and CPU, optionally against bare OpenSSL.",
        discussion: """
            Without --socket, bench generates a key, signs attestations for a few hot digests (cache hits) and \
            many miss digests, stores them in a SQLite store, writes an attestd configuration (a HEAD-layout \
            AttestationAuthority and a GenericAttestationPolicy on namespace "bench", a cache of \
            --cache-entries entries), starts the attestd next to this executable on a temporary socket, drives \
            it, and stops it. Misses are real: the miss set is several times the cache capacity and each connection \
            cycles its own share of it in order, so each miss digest was evicted before it comes round again and \
            no two requests in flight share one; the report's "daemon" line (STATS before and after) shows it.

            With --socket PATH, bench drives a daemon that is already running; it must have been started with \
            the configuration of a bench work directory: run bench once with --workdir DIR (it keeps DIR), start \
            `attestd --config DIR/attestd.yaml`, then run bench --socket PATH --workdir DIR. --config FILE \
            starts the daemon with FILE instead of the generated configuration (a tuned copy of \
            DIR/attestd.yaml: the attestor, policy and store must stay the same).

            Items per second count checks (CHECK) or signature verifications (VERIFY); latency is per request \
            frame (N items), from write to answer. CPU is this process plus, when bench started it, the daemon.

            With --webhook URL, bench drives a running attest-webhook instead, as kube-apiserver does: \
            --connections keep-alive HTTPS connections with one review in flight on each, POSTing the \
            AdmissionReview of --review FILE again and again (so, after the first, every answer comes from \
            attestd's verdict cache); --cacert is the CA the webhook's certificate must chain to. Latency is per \
            review, from request written to answer complete; each connection's first \(BenchWebhook.warmupReviews) \
            answers (TLS handshake, first miss) are not recorded. Every answer must be HTTP 200 with the \
            --expect decision (checked on every 64th). --depth, --batch and the daemon options do not apply.
            """
    )

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Drive the attestd on this socket instead of starting one (needs --workdir; see above).")
    var socket: String?

    @Option(help: "Keep (or reuse) the generated key, attestations, store and configuration in this directory.")
    var workdir: String?

    @Option(help: "Start the daemon with this configuration instead of the generated one.")
    var config: String?

    @Option(help: "Connections (1...256).")
    var connections: Int = 4

    @Option(help: "Request frames in flight per connection (1...1024).")
    var depth: Int = 16

    @Option(help: "Seconds of load (1...600).")
    var duration: Double = 10

    @Option(help: "Signature algorithm (RSA keys are 2048 bits).")
    var alg: String = "rsa-pss-sha256"

    @Option(name: .customLong("hit-ratio"), help: "Fraction of items that repeat a cached digest (0...1).")
    var hitRatio: Double = 0

    @Option(help: "Items per request frame (1...4096).")
    var batch: Int = 16

    @Option(
        help: """
            Request type: check (policy checks), verify (raw signature checks) or ping (PING frames, \
            a like-with-like latency baseline).
            """
    )
    var mode: String = "check"

    @Option(name: .customLong("cache-entries"), help: "Verdict cache capacity in the generated configuration.")
    var cacheEntries: Int = 1024

    @Option(help: "Distinct miss digests to sign (default: enough to defeat the cache, at most 16384).")
    var misses: Int?

    @Option(help: "Worker threads of the started daemon (0: one per core).")
    var workers: Int = 0

    @Flag(help: "Also measure a bare in-process OpenSSL verify loop (one thread per core) and print the ratio.")
    var baseline = false

    @Option(
        help: """
            Split --duration into this many rounds (1...60), each measuring the baseline (with --baseline) and \
            then the daemon, so that a host whose speed drifts affects both alike; prints each round's ratio.
            """
    )
    var rounds = 1

    @Option(help: "Output format: text or json.")
    var output: Format = .text

    @Option(help: "Drive the attest-webhook at this URL (https://HOST:PORT/validate) instead of attestd.")
    var webhook: String?

    @Option(help: "With --webhook: the CA certificate (PEM) the webhook's certificate must chain to.")
    var cacert: String?

    @Option(help: "With --webhook: the AdmissionReview JSON file sent with every request.")
    var review: String?

    @Option(help: "With --webhook: the decision every answer must carry, allowed or denied.")
    var expect: String = "allowed"

    func validate() throws {
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1...256") }
        guard (1...1024).contains(depth) else { throw ValidationError("--depth must be 1...1024") }
        guard (1...600).contains(duration) else { throw ValidationError("--duration must be 1...600 seconds") }
        guard (0...1).contains(hitRatio) else { throw ValidationError("--hit-ratio must be 0...1") }
        guard (1...60).contains(rounds) else { throw ValidationError("--rounds must be 1...60") }
        guard duration / Double(rounds) >= 0.5 else {
            throw ValidationError("--duration must give each of the --rounds at least 0.5 s")
        }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be 1...4096") }
        guard BenchLoad.Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be check, verify or ping")
        }
        guard SignatureAlgorithm(name: alg) != nil else { throw ValidationError("unknown --alg \(alg)") }
        guard (16...10_000_000).contains(cacheEntries) else { throw ValidationError("--cache-entries must be 16...") }
        if let misses, !(0...1_000_000).contains(misses) { throw ValidationError("--misses must be 0...1000000") }
        if socket != nil, workdir == nil { throw ValidationError("--socket needs --workdir (see --help)") }
        if socket != nil, config != nil { throw ValidationError("--config starts a daemon; not with --socket") }
        if webhook != nil {
            guard review != nil else { throw ValidationError("--webhook needs --review FILE") }
            guard socket == nil, config == nil, !baseline else {
                throw ValidationError("--webhook drives attest-webhook; not with --socket, --config or --baseline")
            }
            guard expect == "allowed" || expect == "denied" else {
                throw ValidationError("--expect must be allowed or denied")
            }
        } else if cacert != nil || review != nil {
            throw ValidationError("--cacert and --review go with --webhook")
        }
    }

    func run() async throws {
        if let webhook, let review {
            try await runReportingInputErrors { try await runWebhook(url: webhook, review: review) }
            return
        }
        try await runReportingInputErrors {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("attestctl-bench-\(getpid())")
            let directory = workdir.map { URL(fileURLWithPath: $0) } ?? temporary
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { if workdir == nil { try? FileManager.default.removeItem(at: temporary) } }
            let fixture = try loadOrGenerate(in: directory)

            var daemon: BenchDaemon?
            let socketPath: String
            if let socket {
                socketPath = socket
            } else {
                socketPath = directory.appendingPathComponent("attestd.sock").path
                try? FileManager.default.removeItem(atPath: socketPath)
                let configPath = config ?? directory.appendingPathComponent("attestd.yaml").path
                daemon = try BenchDaemon(
                    config: configPath,
                    socket: socketPath,
                    log: directory.appendingPathComponent("attestd.log").path
                )
            }
            defer { daemon?.stop() }

            let loadMode = BenchLoad.Mode(rawValue: mode)!
            // Each connection cycles its own share of the misses (see BenchLoad).
            let share = fixture.misses.count / connections
            if loadMode != .ping, hitRatio < 1, !fixture.misses.isEmpty, depth * batch > share {
                printError(
                    "bench: warning: \(depth * batch) items in flight per connection for its \(share) miss "
                        + "digests: identical misses will be in flight at once and coalesce"
                )
            }
            let statsBefore = await Self.daemonStatistics(socket: socketPath)
            let slice = duration / Double(rounds)
            let load = BenchLoad(
                fixture: fixture,
                mode: loadMode,
                batch: batch,
                depth: depth,
                connections: connections,
                hitRatio: hitRatio
            )
            var rounds: [BenchRound] = []
            var report: BenchLoad.Report?
            var benchCPU = 0.0
            var daemonCPU: Double? = daemon == nil ? nil : 0
            for round in 0..<self.rounds {
                var baselineRate: Double?
                if baseline {
                    let threads = ProcessInfo.processInfo.activeProcessorCount
                    printError(
                        "bench: round \(round + 1)/\(self.rounds): baseline: bare OpenSSL \(fixture.algorithm), "
                            + "\(threads) threads, \(slice) s"
                    )
                    baselineRate = try BenchBaseline.run(fixture: fixture, threads: threads, duration: slice)
                }
                let clients = (0..<connections).map { _ in
                    AttestClient(
                        socketPath: socketPath,
                        configuration: .init(clientName: "attestctl-bench/1.0", requestTimeout: .seconds(60))
                    )
                }
                defer { for client in clients { client.close() } }
                let cpuBefore = (selfCPUSeconds(), daemon?.cpuSeconds ?? 0)
                let part: BenchLoad.Report
                do {
                    part = try await load.run(clients: clients, duration: slice)
                } catch let error as AttestClientError {
                    throw InputError("cannot reach attestd at \(socketPath): \(error.reason)")
                }
                benchCPU += selfCPUSeconds() - cpuBefore.0
                if let used = daemon?.cpuSeconds { daemonCPU? += used - cpuBefore.1 }
                rounds.append(BenchRound(opsPerSecond: Double(part.items) / part.seconds, baseline: baselineRate))
                report = report.map { $0.adding(part) } ?? part
            }
            guard let report else { throw InputError("bench: no round ran") }
            let statsAfter = await Self.daemonStatistics(socket: socketPath)
            let baselineRates = rounds.compactMap(\.baseline)
            let result = BenchResult(
                report: report,
                mode: mode,
                algorithm: fixture.algorithm,
                connections: connections,
                depth: depth,
                batch: batch,
                hitRatio: hitRatio,
                benchCPU: benchCPU,
                daemonCPU: daemonCPU,
                // Each round's baseline ran as long as its load, so their mean is the rate over the same time.
                baseline: baselineRates.isEmpty ? nil : baselineRates.reduce(0, +) / Double(baselineRates.count),
                rounds: rounds,
                daemonCounters: statsBefore.flatMap { before in statsAfter.map { BenchDaemonCounters(before, $0) } }
            )
            print(output == .json ? result.json() : result.text())
            if report.errors > 0 { throw ExitStatus.negative }
        }
    }

    /// The daemon's STATS, or `nil` when it cannot be asked (the report then omits what it did).
    private static func daemonStatistics(socket: String) async -> StatsResponse? {
        let client = AttestClient(socketPath: socket, configuration: .init(clientName: "attestctl-bench/1.0"))
        defer { client.close() }
        do {
            try await client.connect()
            return try await client.stats(timeout: .seconds(10))
        } catch {
            printError("bench: warning: cannot read the daemon's STATS: \(error)")
            return nil
        }
    }

    /// Drives a running attest-webhook (see ``BenchWebhook``) and prints the same report as the daemon bench.
    private func runWebhook(url: String, review: String) async throws {
        let target = try BenchWebhook.Target.parse(url)
        guard let body = FileManager.default.contents(atPath: review), !body.isEmpty else {
            throw InputError("--review \(review): cannot read the AdmissionReview (missing or empty file)")
        }
        let load = try BenchWebhook(
            target: target,
            review: Array(body),
            expectAllowed: expect == "allowed",
            connections: connections,
            caCertificate: cacert
        )
        let cpuBefore = selfCPUSeconds()
        let report = try await load.run(duration: duration)
        let result = BenchResult(
            report: report,
            mode: "webhook",
            algorithm: "\(expect) review over \(target.tls ? "HTTPS" : "HTTP") keep-alive",
            connections: connections,
            depth: 1,
            batch: 1,
            hitRatio: 1,
            benchCPU: selfCPUSeconds() - cpuBefore,
            daemonCPU: nil,
            baseline: nil,
            rounds: [],
            daemonCounters: nil
        )
        print(output == .json ? result.json() : result.text())
        if report.errors > 0 || report.items == 0 { throw ExitStatus.negative }
    }

    private func loadOrGenerate(in directory: URL) throws -> BenchFixture {
        let manifest = directory.appendingPathComponent("bench.json")
        if let data = try? Data(contentsOf: manifest) {
            let fixture = try JSONDecoder().decode(BenchFixture.self, from: data)
            guard SignatureAlgorithm(name: fixture.algorithm) == SignatureAlgorithm(name: alg) else {
                throw InputError("\(directory.path) was prepared for \(fixture.algorithm), not \(alg)")
            }
            return fixture
        }
        guard socket == nil else {
            throw InputError("\(manifest.path) does not exist: prepare the work directory with a bench run first")
        }
        let algorithm = SignatureAlgorithm(name: alg)!
        let inFlightItems = connections * depth * batch
        let missCount =
            misses ?? (hitRatio >= 1 ? 0 : min(16_384, max(4 * cacheEntries, 2 * inFlightItems)))
        if hitRatio < 1, missCount < 2 * cacheEntries {
            printError("bench: warning: \(missCount) miss digests for a cache of \(cacheEntries): some misses will hit")
        }
        printError("bench: signing \(64 + missCount) attestations with \(algorithm.name)")
        let fixture = try BenchFixture.generate(
            algorithm: algorithm,
            hotCount: 64,
            missCount: missCount,
            cacheEntries: cacheEntries
        )
        let store = directory.appendingPathComponent("attestations.sqlite").path
        try fixture.store(at: store)
        let socketPath = directory.appendingPathComponent("attestd.sock").path
        let yaml = fixture.configuration(socket: socketPath, store: store, workers: workers)
        try Files.write(
            Array(yaml.utf8),
            to: directory.appendingPathComponent("attestd.yaml").path,
            what: "configuration"
        )
        try Files.write(Array(try JSONEncoder().encode(fixture)), to: manifest.path, what: "bench manifest")
        return fixture
    }
}
