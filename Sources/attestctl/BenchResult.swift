import AttestWire
import Foundation
import Histogram

/// One round of a bench run: the daemon's rate and, with `--baseline`, the bare loop's rate just before it.
struct BenchRound: Encodable {
    var opsPerSecond: Double
    var baseline: Double?
    var ratio: Double? { baseline.map { opsPerSecond / $0 } }

    enum CodingKeys: String, CodingKey { case opsPerSecond, baseline, ratio }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(opsPerSecond, forKey: .opsPerSecond)
        try container.encodeIfPresent(baseline, forKey: .baseline)
        try container.encodeIfPresent(ratio, forKey: .ratio)
    }
}

/// What the daemon counted during a bench run (STATS after minus STATS before), so a report shows whether its
/// misses were misses: verdict cache hits and misses, coalesced checks, and store records read from memory or
/// from the file.
struct BenchDaemonCounters: Encodable {
    var cacheHits: UInt64
    var cacheMisses: UInt64
    var coalesced: UInt64
    var storeCacheHits: UInt64?
    var storeCacheMisses: UInt64?

    init(_ before: StatsResponse, _ after: StatsResponse) {
        func delta(_ name: String) -> UInt64? {
            guard let end = after.counters.first(where: { $0.name == name })?.value else { return nil }
            let start = before.counters.first(where: { $0.name == name })?.value ?? 0
            return end >= start ? end - start : 0
        }
        cacheHits = delta("cache.hits") ?? 0
        cacheMisses = delta("cache.misses") ?? 0
        coalesced = delta("coalescer.coalesced") ?? 0
        storeCacheHits = delta("store.cache.hits")
        storeCacheMisses = delta("store.cache.misses")
    }

    /// One line for the text report.
    var text: String {
        if cacheHits == 0, cacheMisses == 0, coalesced == 0, (storeCacheHits ?? 0) == 0, (storeCacheMisses ?? 0) == 0 {
            return "no verdict-cache lookups and no store reads (VERIFY and PING use neither)"
        }
        var line = "verdict cache \(cacheHits) hits, \(cacheMisses) misses; \(coalesced) coalesced"
        if let storeCacheHits, let storeCacheMisses {
            line += "; store records of \(storeCacheHits) images from memory, \(storeCacheMisses) from the file"
        }
        return line
    }
}

/// What one bench run measured, printed as text or as one JSON object.
struct BenchResult: Encodable {
    var opsPerSecond: Double
    var framesPerSecond: Double
    var p50Us: Double
    var p90Us: Double
    var p99Us: Double
    var p999Us: Double
    var maxUs: Double
    var cpuSeconds: Double
    var benchCpuSeconds: Double
    var daemonCpuSeconds: Double?
    var errors: UInt64
    var firstError: String?
    var baselineOpsPerSecond: Double?
    var ratio: Double?
    var mode: String
    var algorithm: String
    var connections: Int
    var depth: Int
    var batch: Int
    var hitRatio: Double
    var seconds: Double
    /// Each round's rates (and ratio), when the run had more than one.
    var rounds: [BenchRound]?
    /// The median of the rounds' ratios.
    var medianRatio: Double?
    /// What the daemon counted during the run (STATS after minus before), when it could be asked.
    var daemon: BenchDaemonCounters?

    init(
        report: BenchLoad.Report,
        mode: String,
        algorithm: String,
        connections: Int,
        depth: Int,
        batch: Int,
        hitRatio: Double,
        benchCPU: Double,
        daemonCPU: Double?,
        baseline: Double?,
        rounds: [BenchRound],
        daemonCounters: BenchDaemonCounters?
    ) {
        func micros(_ percentile: Double) -> Double { Double(report.histogram.valueAtPercentile(percentile)) / 1000 }
        let rate = Double(report.items) / report.seconds
        opsPerSecond = rate
        framesPerSecond = Double(report.frames) / report.seconds
        p50Us = micros(50)
        p90Us = micros(90)
        p99Us = micros(99)
        p999Us = micros(99.9)
        maxUs = Double(report.histogram.max) / 1000
        benchCpuSeconds = benchCPU
        daemonCpuSeconds = daemonCPU
        cpuSeconds = benchCPU + (daemonCPU ?? 0)
        errors = report.errors
        firstError = report.firstError
        baselineOpsPerSecond = baseline
        ratio = baseline.map { rate / $0 }
        self.mode = mode
        self.algorithm = algorithm
        self.connections = connections
        self.depth = depth
        self.batch = batch
        self.hitRatio = hitRatio
        seconds = report.seconds
        self.rounds = rounds.count > 1 ? rounds : nil
        let ratios = rounds.compactMap(\.ratio).sorted()
        medianRatio =
            rounds.count > 1 && !ratios.isEmpty
            ? (ratios[(ratios.count - 1) / 2] + ratios[ratios.count / 2]) / 2 : nil
        daemon = daemonCounters
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    func text() -> String {
        var lines = [
            "\(mode) \(algorithm): \(connections) connections × depth \(depth) × batch \(batch), hit ratio "
                + String(format: "%.2f, %.1f s", hitRatio, seconds),
            String(
                format: "throughput   %.0f %@/s (%.0f frames/s)",
                opsPerSecond,
                Self.unit(forMode: mode),
                framesPerSecond
            ),
            String(
                format: "latency      p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.1f µs",
                p50Us,
                p90Us,
                p99Us,
                p999Us,
                maxUs
            ),
            String(
                format: "cpu          %.2f s (bench %.2f s%@)",
                cpuSeconds,
                benchCpuSeconds,
                daemonCpuSeconds.map { String(format: ", daemon %.2f s", $0) } ?? ""
            ),
            "errors       \(errors)" + (firstError.map { " (first: \($0))" } ?? ""),
        ]
        if let daemon { lines.append("daemon       " + daemon.text) }
        if let baselineOpsPerSecond, let ratio {
            lines.append(
                String(
                    format: "baseline     %.0f verifies/s bare OpenSSL; ratio daemon/baseline %.3f",
                    baselineOpsPerSecond,
                    ratio
                )
            )
        }
        if let rounds, let medianRatio {
            let each = rounds.compactMap(\.ratio).map { String(format: "%.3f", $0) }.joined(separator: " ")
            lines.append(String(format: "rounds       %d, ratios %@; median %.3f", rounds.count, each, medianRatio))
        }
        return lines.joined(separator: "\n")
    }

    /// What one item of a mode is called in the text report.
    static func unit(forMode mode: String) -> String {
        switch mode {
        case "check": "checks"
        case "webhook": "reviews"
        case "ping": "pings"
        default: "verifies"
        }
    }
}
