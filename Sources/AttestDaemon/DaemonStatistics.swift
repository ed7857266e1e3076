public import AttestWire
import Synchronization

/// The daemon's own counters: requests by opcode, errors by status, connections, request batch sizes.
///
/// Updated from event loops; one small lock for request and error counts (a few nanoseconds, uncontended
/// with one event loop per core) and atomics for the connection gauges read by the accept path.
public final class DaemonStatistics: Sendable {
    private struct Counts {
        var requests = [UInt64](repeating: 0, count: 256)
        var errors: [UInt16: UInt64] = [:]
        var errorTotal: UInt64 = 0
        var batchRequests: UInt64 = 0
        var batchItems: UInt64 = 0
        var largestBatch: UInt64 = 0
        var reloads: UInt64 = 0
        var reloadFailures: UInt64 = 0
    }

    private let counts = Mutex(Counts())
    /// Connections accepted since start (rejected ones included).
    let connectionsAccepted = Atomic<UInt64>(0)
    /// Connections refused because the limit was reached.
    let connectionsRejected = Atomic<UInt64>(0)
    /// Connections refused because the peer uid is not allowed.
    let connectionsDenied = Atomic<UInt64>(0)
    /// Connections closed for idling or not reading their answers.
    let connectionsTimedOut = Atomic<UInt64>(0)
    /// Connections open now.
    let connectionsOpen = Atomic<Int>(0)
    /// Requests accepted and not yet answered, over all connections.
    let requestsInFlight = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}

    /// Counts one decoded request.
    ///
    /// - Parameters:
    ///   - opcode: the request's opcode.
    ///   - items: its batch size (items, or images for ADMIT); counted for VERIFY, CHECK, ADMIT and PUT.
    func recordRequest(_ opcode: Opcode, items: Int) {
        counts.withLock { counts in
            counts.requests[Int(opcode.rawValue)] &+= 1
            switch opcode {
            case .verify, .check, .admit, .putAttestations:
                counts.batchRequests &+= 1
                counts.batchItems &+= UInt64(items)
                counts.largestBatch = max(counts.largestBatch, UInt64(items))
            default:
                break
            }
        }
    }

    /// Counts one ERROR frame sent.
    ///
    /// - Parameter status: its status.
    func recordError(_ status: WireStatus) {
        counts.withLock { counts in
            counts.errors[status.rawValue, default: 0] &+= 1
            counts.errorTotal &+= 1
        }
    }

    /// Counts one configuration reload.
    ///
    /// - Parameter succeeded: whether the new configuration was taken.
    func recordReload(succeeded: Bool) {
        counts.withLock { counts in
            if succeeded { counts.reloads &+= 1 } else { counts.reloadFailures &+= 1 }
        }
    }

    /// The number of requests with an opcode since start.
    ///
    /// - Parameter opcode: the opcode.
    /// - Returns: the count.
    public func requests(_ opcode: Opcode) -> UInt64 {
        counts.withLock { $0.requests[Int(opcode.rawValue)] }
    }

    /// The number of ERROR frames with a status sent since start.
    ///
    /// - Parameter status: the status.
    /// - Returns: the count.
    public func errors(_ status: WireStatus) -> UInt64 {
        counts.withLock { $0.errors[status.rawValue] ?? 0 }
    }

    /// Connections open now.
    public var openConnections: Int { connectionsOpen.load(ordering: .relaxed) }

    /// Requests accepted and not yet answered, over all connections.
    public var inFlight: Int { requestsInFlight.load(ordering: .relaxed) }

    /// The counters as STATS entries: `requests.<opcode>`, `errors.total`, `errors.<status>`,
    /// `connections.*`, `batch.*`, `reload.*`.
    func entries() -> (counters: [StatsCounter], gauges: [StatsGauge]) {
        let snapshot = counts.withLock { $0 }
        var counters: [StatsCounter] = []
        for opcode in [Opcode.hello, .ping, .verify, .check, .admit, .putAttestations, .stats, .reload] {
            counters.append(
                StatsCounter(
                    name: "requests.\(opcode.name.lowercased())",
                    value: snapshot.requests[Int(opcode.rawValue)]
                )
            )
        }
        counters.append(StatsCounter(name: "errors.total", value: snapshot.errorTotal))
        for (status, count) in snapshot.errors.sorted(by: { $0.key < $1.key }) {
            let name = String(WireStatus(rawValue: status).name.map { $0 == "-" ? "_" : $0 })
            counters.append(StatsCounter(name: "errors.\(name)", value: count))
        }
        counters.append(StatsCounter(name: "connections.accepted", value: connectionsAccepted.load(ordering: .relaxed)))
        counters.append(StatsCounter(name: "connections.rejected", value: connectionsRejected.load(ordering: .relaxed)))
        counters.append(StatsCounter(name: "connections.denied", value: connectionsDenied.load(ordering: .relaxed)))
        counters.append(
            StatsCounter(name: "connections.timed_out", value: connectionsTimedOut.load(ordering: .relaxed))
        )
        counters.append(StatsCounter(name: "batch.requests", value: snapshot.batchRequests))
        counters.append(StatsCounter(name: "batch.items", value: snapshot.batchItems))
        counters.append(StatsCounter(name: "reload.succeeded", value: snapshot.reloads))
        counters.append(StatsCounter(name: "reload.failed", value: snapshot.reloadFailures))
        let mean = snapshot.batchRequests == 0 ? 0 : Double(snapshot.batchItems) / Double(snapshot.batchRequests)
        let gauges = [
            StatsGauge(name: "connections.open", value: .integer(UInt64(max(0, openConnections)))),
            StatsGauge(name: "requests.in_flight", value: .integer(UInt64(max(0, inFlight)))),
            StatsGauge(name: "batch.size.mean", value: .double(mean)),
            StatsGauge(name: "batch.size.max", value: .integer(snapshot.largestBatch)),
        ]
        return (counters, gauges)
    }
}
