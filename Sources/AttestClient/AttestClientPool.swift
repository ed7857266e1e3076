public import AttestWire
public import NIOCore
import NIOPosix
import Synchronization

/// A fixed set of ``AttestClient`` connections to one daemon; each request goes to the connection with the
/// fewest requests in flight (ties broken round-robin), so one slow answer does not hold up the others.
public final class AttestClientPool: Sendable {
    /// The connections.
    public let clients: [AttestClient]
    private let cursor = Atomic<Int>(0)

    /// Creates a pool; connections open on first use.
    /// - Parameters:
    ///   - socketPath: Path of the daemon's Unix socket.
    ///   - size: Number of connections (at least 1).
    ///   - configuration: Negotiation and deadlines of every connection.
    ///   - group: Event loops for the connections.
    public init(
        socketPath: String,
        size: Int,
        configuration: AttestClient.Configuration = .default,
        group: (any EventLoopGroup)? = nil
    ) {
        clients = (0..<max(1, size)).map { _ in
            AttestClient(socketPath: socketPath, configuration: configuration, group: group)
        }
    }

    /// The connection with the fewest requests in flight.
    /// - Returns: One of ``clients``.
    public func next() -> AttestClient {
        let start = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        var best = clients[start % clients.count]
        var bestLoad = best.inFlightCount
        for offset in 1..<clients.count where bestLoad > 0 {
            let candidate = clients[(start + offset) % clients.count]
            let load = candidate.inFlightCount
            if load < bestLoad {
                best = candidate
                bestLoad = load
            }
        }
        return best
    }

    /// Connects every connection now.
    /// - Throws: The first connection failure.
    public func connectAll() async throws {
        for client in clients { try await client.connect() }
    }

    /// Closes every connection.
    public func close() {
        for client in clients { client.close() }
    }

    /// CHECK on the least-loaded connection. See ``AttestClient/check(namespace:images:timeout:)``.
    /// - Parameters:
    ///   - namespace: The namespace.
    ///   - images: The images.
    ///   - timeout: Deadline for each request.
    /// - Returns: One result per image.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func check(namespace: String, images: [String], timeout: Duration? = nil) async throws
        -> [CheckResult]
    {
        try await next().check(namespace: namespace, images: images, timeout: timeout)
    }

    /// ADMIT on the least-loaded connection. See ``AttestClient/admit(_:timeout:)``.
    /// - Parameters:
    ///   - request: The admission.
    ///   - timeout: Deadline for the request.
    /// - Returns: The decision.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func admit(_ request: AdmitRequest, timeout: Duration? = nil) async throws -> AdmitResponse {
        try await next().admit(request, timeout: timeout)
    }

    /// VERIFY on the least-loaded connection. See ``AttestClient/verify(_:timeout:)``.
    /// - Parameters:
    ///   - items: The signature checks.
    ///   - timeout: Deadline for each request.
    /// - Returns: One result per item.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func verify(_ items: [VerifyItem], timeout: Duration? = nil) async throws -> [VerifyResult] {
        try await next().verify(items, timeout: timeout)
    }
}
