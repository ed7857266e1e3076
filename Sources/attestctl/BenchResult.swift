import Foundation
import Histogram

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
        baseline: Double?
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
        if let baselineOpsPerSecond, let ratio {
            lines.append(
                String(
                    format: "baseline     %.0f verifies/s bare OpenSSL; ratio daemon/baseline %.3f",
                    baselineOpsPerSecond,
                    ratio
                )
            )
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
