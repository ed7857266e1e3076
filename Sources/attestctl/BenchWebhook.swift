import Foundation
import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Drives attest-webhook as kube-apiserver does: C keep-alive HTTPS connections, one AdmissionReview in flight
/// on each (HTTP/1.1, no pipelining), the same review body again and again, for a fixed time; records each
/// review's round trip (request written → response complete) in an HDR histogram.
///
/// Everything runs on one NIO event loop, callback-driven, so the client adds no task hops to the measured
/// time. The first ``warmupReviews`` answers on each connection (the TLS handshake and the verdict cache's
/// first miss) are not recorded. Every answer must be HTTP 200; every 64th is decoded, and its
/// `response.allowed` must be the expected decision.
final class BenchWebhook: @unchecked Sendable {
    /// Where the reviews go.
    struct Target: Sendable {
        var host: String
        var port: Int
        var path: String
        var tls: Bool

        /// Parses `https://HOST:PORT/PATH` (or `http://` for a webhook started with `--insecure-http`).
        /// - Parameter url: The URL.
        /// - Returns: The target.
        /// - Throws: ``InputError`` naming what is wrong with the URL.
        static func parse(_ url: String) throws -> Target {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                scheme == "https" || scheme == "http"
            else { throw InputError("--webhook \(url) is not an http(s):// URL") }
            guard let host = components.host, !host.isEmpty else { throw InputError("--webhook \(url) has no host") }
            let port = components.port ?? (scheme == "https" ? 443 : 80)
            guard (1...65_535).contains(port) else {
                throw InputError("--webhook \(url): port \(port) is out of range")
            }
            let path = components.percentEncodedPath.isEmpty ? "/validate" : components.percentEncodedPath
            return Target(host: host, port: port, path: path, tls: scheme == "https")
        }

        /// Whether the host is a literal IPv4 or IPv6 address (no SNI; the certificate must name the IP).
        var hostIsAddress: Bool { (try? SocketAddress(ipAddress: host, port: port)) != nil }
    }

    /// Answers per connection that are not recorded (handshake, first verdict-cache miss).
    static let warmupReviews = 16

    private struct Shared {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: 120_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        var reviews: UInt64 = 0
        var errors: UInt64 = 0
        var firstError: String?

        mutating func fail(_ problem: String) {
            errors += 1
            if firstError == nil { firstError = problem }
        }
    }

    let target: Target
    let body: ByteBuffer
    let expectAllowed: Bool
    let connections: Int
    private let tlsContext: NIOSSLContext?
    private let running = Atomic<Bool>(true)
    private let shards: [LockedBox<Shared>]

    /// Creates a load generator.
    /// - Parameters:
    ///   - target: Where the reviews go.
    ///   - review: The AdmissionReview JSON sent every time.
    ///   - expectAllowed: The decision every answer must carry.
    ///   - connections: Keep-alive connections (one review in flight on each).
    ///   - caCertificate: PEM file of the CA the webhook's certificate must chain to (nil: the system's roots).
    /// - Throws: ``InputError`` when the CA file cannot be read or TLS cannot be set up.
    init(target: Target, review: [UInt8], expectAllowed: Bool, connections: Int, caCertificate: String?) throws {
        self.target = target
        body = ByteBuffer(bytes: review)
        self.expectAllowed = expectAllowed
        self.connections = connections
        shards = (0..<connections).map { _ in LockedBox(Shared()) }
        if target.tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.applicationProtocols = ["http/1.1"]
            if let caCertificate {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificate))
                } catch {
                    throw InputError("--cacert \(caCertificate): cannot read a PEM certificate: \(error)")
                }
            }
            do {
                tlsContext = try NIOSSLContext(configuration: configuration)
            } catch {
                throw InputError("cannot set up TLS: \(error)")
            }
        } else {
            tlsContext = nil
        }
    }

    /// Runs the load for `duration` seconds, printing the rate each second on standard error.
    /// - Parameter duration: Seconds of load.
    /// - Returns: Reviews answered (items and frames alike), errors and the latency histogram.
    /// - Throws: ``InputError`` when a connection cannot be made.
    func run(duration: Double) async throws -> BenchLoad.Report {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channels = LockedBox<[any Channel]>([])
        do {
            let report = try await run(duration: duration, group: group, channels: channels)
            await Self.close(channels.get(), group: group)
            return report
        } catch {
            await Self.close(channels.get(), group: group)
            throw error
        }
    }

    private static func close(_ channels: [any Channel], group: MultiThreadedEventLoopGroup) async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    private func run(
        duration: Double,
        group: MultiThreadedEventLoopGroup,
        channels: LockedBox<[any Channel]>
    ) async throws -> BenchLoad.Report {
        let ready = LockedBox(0)
        for index in 0..<connections {
            let loop = ReviewLoop(owner: self, shard: index, ready: ready)
            let tlsContext = self.tlsContext
            let serverHostname = target.hostIsAddress ? nil : target.host
            let bootstrap = ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname)
                            )
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(loop)
                    }
                }
            do {
                let channel = try await bootstrap.connect(host: target.host, port: target.port).get()
                channels.update { $0.append(channel) }
            } catch {
                throw InputError("cannot connect to \(target.host):\(target.port): \(error)")
            }
        }
        let started = ContinuousClock.now
        var last = (reviews: UInt64(0), at: started)
        while (ContinuousClock.now - started).seconds < duration {
            try await Task.sleep(for: .seconds(Swift.min(1.0, duration - (ContinuousClock.now - started).seconds)))
            let now = ContinuousClock.now
            let totals = shards.reduce((UInt64(0), UInt64(0))) { sum, shard in
                let value = shard.get()
                return (sum.0 + value.reviews, sum.1 + value.errors)
            }
            printError(
                String(
                    format: "bench: %5.1f s  %10.0f reviews/s  %llu errors",
                    (now - started).seconds,
                    Double(totals.0 - last.reviews) / Swift.max(1e-9, (now - last.at).seconds),
                    totals.1
                )
            )
            last = (totals.0, now)
        }
        running.store(false, ordering: .relaxed)
        let measured = (ContinuousClock.now - started).seconds
        var merged = Shared()
        for shard in shards {
            shard.update {
                merged.histogram.add($0.histogram)
                merged.reviews += $0.reviews
                merged.errors += $0.errors
                merged.firstError = merged.firstError ?? $0.firstError
            }
        }
        if merged.reviews == 0, merged.errors == 0, ready.get() < connections {
            merged.fail("no connection completed a review (TLS handshake or HTTP failed)")
        }
        return BenchLoad.Report(
            items: merged.reviews,
            frames: merged.reviews,
            errors: merged.errors,
            firstError: merged.firstError,
            seconds: measured,
            histogram: merged.histogram
        )
    }

    /// Checks one answer: status 200, and every 64th decoded with the expected `response.allowed`.
    fileprivate func problem(status: UInt, body: ByteBuffer, sequence: UInt64) -> String? {
        guard status == 200 else {
            return "HTTP \(status): \(String(buffer: body).prefix(200))"
        }
        guard sequence % 64 == 0 else { return nil }
        let bytes = Data(body.readableBytesView)
        guard let review = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let response = review["response"] as? [String: Any], let allowed = response["allowed"] as? Bool
        else { return "answer is not an AdmissionReview with response.allowed: \(String(buffer: body).prefix(200))" }
        guard allowed == expectAllowed else {
            let message = (response["status"] as? [String: Any])?["message"] as? String ?? "no message"
            return "expected \(expectAllowed ? "allowed" : "denied"), got \(allowed ? "allowed" : "denied"): \(message)"
        }
        return nil
    }

    /// Records one answer's round trip (after the warm-up) or its problem.
    fileprivate func record(shard: Int, nanoseconds: Int64, sequence: UInt64, problem: String?) {
        guard running.load(ordering: .relaxed) else { return }
        shards[shard].update {
            if let problem {
                $0.fail(problem)
            } else if sequence >= Self.warmupReviews {
                _ = $0.histogram.record(UInt64(Swift.max(0, nanoseconds)))
                $0.reviews += 1
            }
        }
    }

    /// Records a connection lost while the load runs.
    fileprivate func lost(shard: Int, _ reason: String) {
        guard running.load(ordering: .relaxed) else { return }
        shards[shard].update { $0.fail(reason) }
    }

    fileprivate var isRunning: Bool { running.load(ordering: .relaxed) }
}

/// One connection's loop: send the review, read the answer, record, send again; all on the channel's loop.
private final class ReviewLoop: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let owner: BenchWebhook
    private let shard: Int
    private let ready: LockedBox<Int>
    private let head: HTTPRequestHead
    private var status: UInt = 0
    private var answer = ByteBuffer()
    private var sentAt = ContinuousClock.now
    private var sequence: UInt64 = 0
    private var failed = false

    init(owner: BenchWebhook, shard: Int, ready: LockedBox<Int>) {
        self.owner = owner
        self.shard = shard
        self.ready = ready
        var headers = HTTPHeaders()
        headers.add(
            name: "Host",
            value: owner.target.port == 443 ? owner.target.host : "\(owner.target.host):\(owner.target.port)"
        )
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Content-Length", value: String(owner.body.readableBytes))
        headers.add(name: "Connection", value: "keep-alive")
        head = HTTPRequestHead(version: .http1_1, method: .POST, uri: owner.target.path, headers: headers)
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            status = response.status.code
            answer.clear()
        case .body(var chunk):
            answer.writeBuffer(&chunk)
        case .end:
            let elapsed = ContinuousClock.now - sentAt
            let problem = owner.problem(status: status, body: answer, sequence: sequence)
            owner.record(shard: shard, nanoseconds: elapsed.nanoseconds, sequence: sequence, problem: problem)
            if sequence == 0 { ready.update { $0 += 1 } }
            sequence += 1
            if owner.isRunning { send(context: context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !failed { owner.lost(shard: shard, "the webhook closed connection \(shard) after \(sequence) reviews") }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !failed { owner.lost(shard: shard, "connection \(shard): \(error)") }
        failed = true
        context.close(promise: nil)
    }

    private func send(context: ChannelHandlerContext) {
        sentAt = ContinuousClock.now
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(owner.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
