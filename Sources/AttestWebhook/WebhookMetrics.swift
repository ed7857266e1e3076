import CoreMetrics
public import Prometheus
import Synchronization

/// The webhook's Prometheus metrics, recorded through swift-metrics into one ``PrometheusCollectorRegistry``.
///
/// - `attest_webhook_requests_total{kind, operation, decision}`: reviews by object kind (`unknown` for a
///   malformed review), operation and decision (`allowed`, `denied`, `undecided` when attestd could not
///   answer, `skipped` for kinds and operations not reviewed, `malformed` for HTTP 400).
/// - `attest_webhook_request_duration_seconds`: latency of each review, from a complete body to the answer.
/// - `attest_webhook_attestd_errors_total{reason}`: failures talking to attestd (`connect-failed`, `timeout`,
///   `connection-closed`, `protocol-violation`, `refused`, `deadline`, `malformed-answer`).
///
/// The metrics use a factory bound to the registry given here, never the global `MetricsSystem`, so tests
/// can run several servers in one process with a registry each.
public final class WebhookMetrics: Sendable {
    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let latency: CoreMetrics.Timer
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])

    /// Histogram buckets for the review latency: an answer from attestd's cache takes well under a
    /// millisecond, a deadline 8 s.
    public static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Creates the metrics in a registry.
    /// - Parameter registry: Where the metrics are kept (the executable passes the one it bootstrapped the
    ///   global `MetricsSystem` with).
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["attest_webhook_request_duration_seconds"] = Self.latencyBuckets
        self.factory = factory
        latency = CoreMetrics.Timer(label: "attest_webhook_request_duration_seconds", dimensions: [], factory: factory)
    }

    /// Creates the metrics in a fresh registry of their own.
    public convenience init() {
        self.init(registry: PrometheusCollectorRegistry())
    }

    /// Counts one review and records its latency.
    /// - Parameters:
    ///   - kind: The object kind, or `unknown`.
    ///   - operation: The operation, or `unknown`.
    ///   - decision: `allowed`, `denied`, `undecided`, `skipped` or `malformed`.
    ///   - duration: How long the review took.
    public func recordReview(kind: String, operation: String, decision: String, duration: Duration) {
        // Label values come from the request: bound them so a hostile client cannot mint unbounded series.
        let kind = Self.bounded(kind, allowed: WorkloadKind.all.map(\.kind) + ["unknown"])
        let operation = Self.bounded(operation, allowed: ["CREATE", "UPDATE", "DELETE", "CONNECT", "unknown"])
        counter("attest_webhook_requests_total", [("kind", kind), ("operation", operation), ("decision", decision)])
            .increment()
        latency.recordNanoseconds(duration.nanoseconds)
    }

    /// Counts one failure talking to attestd.
    /// - Parameter reason: The failure class.
    public func recordAttestdError(reason: String) {
        counter("attest_webhook_attestd_errors_total", [("reason", reason)]).increment()
    }

    /// The registry's metrics in the Prometheus text format.
    /// - Returns: The exposition text.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = label + dimensions.map { "|" + $0.1 }.joined()
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private static func bounded(_ value: String, allowed: [String]) -> String {
        allowed.contains(value) ? value : "other"
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ attoseconds / 1_000_000_000
    }
}
