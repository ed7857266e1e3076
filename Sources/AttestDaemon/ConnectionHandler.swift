import AttestWire
import Logging
import NIOCore
import Synchronization

/// Serves one client connection: cuts frames, dispatches requests, writes answers as they complete.
///
/// Everything here runs on the connection's event loop. Answers completed elsewhere (workers, the store
/// queue) hop back with one `execute`; answers are appended to one output buffer and written with one flush
/// per read burst or per event-loop tick, so pipelined requests cost a fraction of a syscall each.
///
/// Back-pressure: when the channel's outbound buffer passes its high-water mark (the peer does not read),
/// the handler stops reading and starts the slow-reader timer; the peer is disconnected when it fires.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent through the pipeline when the daemon starts draining.
    struct DrainEvent: Sendable {}

    /// Per-connection settings fixed when the connection is accepted.
    struct Settings: Sendable {
        /// The daemon's receive limits (announced in HELLO).
        var limits: WireLimits
        /// How long a peer may leave its answers unread once the outbound buffer is full.
        var slowReaderTimeout: TimeAmount
        /// The server software version announced in HELLO.
        var serverVersion: String
    }

    private let settings: Settings
    private let handler: RequestHandler
    private let statistics: DaemonStatistics
    private let logger: Logger
    private let peer: PeerCredentials?
    private let isDraining: @Sendable () -> Bool

    private var decoder: FrameDecoder
    private var peerLimits = WireLimits.default
    private var compression: FrameEncoder.Compression = .none
    private var helloSeen = false
    private var inFlight = 0
    private var output: [UInt8] = []
    private var inReadBurst = false
    private var flushScheduled = false
    private var stoppedReading = false
    private var draining = false
    private var writablePaused = false
    private var readPending = false
    private var slowReaderTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    /// The event loop's batch, where this connection's cache misses wait for the end of the tick.
    private var batch: SubmissionBatch?

    /// Creates the handler of one connection.
    ///
    /// - Parameters:
    ///   - settings: limits and timeouts.
    ///   - handler: answers requests.
    ///   - statistics: the daemon's counters.
    ///   - logger: the connection's logger (with its metadata).
    ///   - peer: the peer's credentials, when known.
    ///   - isDraining: whether the daemon is shutting down.
    init(
        settings: Settings,
        handler: RequestHandler,
        statistics: DaemonStatistics,
        logger: Logger,
        peer: PeerCredentials?,
        isDraining: @escaping @Sendable () -> Bool
    ) {
        self.settings = settings
        self.handler = handler
        self.statistics = statistics
        self.logger = logger
        self.peer = peer
        self.isDraining = isDraining
        self.decoder = FrameDecoder(limits: settings.limits, acceptsCompressed: true)
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        batch = handler.submissionBatch(for: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        slowReaderTimer?.cancel()
        slowReaderTimer = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        slowReaderTimer?.cancel()
        slowReaderTimer = nil
        stoppedReading = true
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent {
            draining = true
            if inFlight == 0 { flushAndClose(context: context) }
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Idle means nothing asked and nothing owed: a request in flight keeps the connection.
            if inFlight == 0 {
                logger.debug("closing idle connection")
                statistics.connectionsTimedOut.wrappingAdd(1, ordering: .relaxed)
                context.close(promise: nil)
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !stoppedReading else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        inReadBurst = true
        do {
            while !stoppedReading, let frame = try decoder.next() {
                process(frame, context: context)
            }
        } catch {
            fail(error, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        writeOutput(context: context)
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if writablePaused || stoppedReading {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writablePaused = false
            slowReaderTimer?.cancel()
            slowReaderTimer = nil
            if readPending && !stoppedReading {
                readPending = false
                context.read()
            }
        } else if !writablePaused {
            writablePaused = true
            let timeout = settings.slowReaderTimeout
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let statistics = self.statistics
            let logger = self.logger
            slowReaderTimer = context.eventLoop.scheduleTask(in: timeout) {
                logger.debug("closing a connection whose peer does not read its answers")
                statistics.connectionsTimedOut.wrappingAdd(1, ordering: .relaxed)
                loopBound.value.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Requests

    private func process(_ frame: Frame, context: ChannelHandlerContext) {
        let requestID = frame.header.requestID
        let request: Request
        do {
            request = try Request(decoding: frame, limits: settings.limits)
        } catch {
            if error.code.closesConnection {
                fail(error, context: context)
            } else {
                sendError(ErrorResponse(error), requestID: error.requestID)
            }
            return
        }
        statistics.recordRequest(request.opcode, items: request.itemCount)
        if draining || isDraining() {
            sendError(
                ErrorResponse(
                    status: .shuttingDown,
                    requestOpcode: request.opcode,
                    message: "attestd is shutting down"
                ),
                requestID: requestID
            )
            return
        }
        if case .hello(let hello) = request {
            answerHello(hello, requestID: requestID, context: context)
            return
        }
        guard inFlight < Int(settings.limits.maxInFlight) else {
            sendError(
                ErrorResponse(
                    status: .busy,
                    requestOpcode: request.opcode,
                    message: "\(inFlight) requests already in flight on this connection, the maximum"
                ),
                requestID: requestID
            )
            return
        }
        inFlight += 1
        statistics.requestsInFlight.wrappingAdd(1, ordering: .relaxed)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let opcode = request.opcode
        handler.handle(request, batch: batch) { answer in
            // An ERROR made away from the frame (a refused worker batch) names its request (PROTOCOL.md §5.9).
            let response: Response
            if case .error(var error) = answer, error.requestOpcode == Opcode.none {
                error.requestOpcode = opcode
                response = .error(error)
            } else {
                response = answer
            }
            if eventLoop.inEventLoop {
                loopBound.value.complete(response, requestID: requestID)
            } else {
                eventLoop.execute { loopBound.value.complete(response, requestID: requestID) }
            }
        }
    }

    private func answerHello(_ hello: HelloRequest, requestID: UInt64, context: ChannelHandlerContext) {
        guard !helloSeen else {
            sendError(
                ErrorResponse(
                    status: .invalidRequest,
                    requestOpcode: .hello,
                    message: "second HELLO on this connection"
                ),
                requestID: requestID
            )
            return
        }
        helloSeen = true
        let supported = WireLimits.supportedVersions
        let low = max(hello.minVersion, supported.lowerBound)
        let high = min(hello.maxVersion, supported.upperBound)
        guard hello.minVersion <= hello.maxVersion, low <= high else {
            fail(
                WireError(
                    .unsupportedVersion,
                    "client speaks versions \(hello.minVersion)...\(hello.maxVersion); attestd speaks "
                        + "\(supported.lowerBound)...\(supported.upperBound)",
                    requestID: requestID,
                    opcode: .hello
                ),
                context: context
            )
            return
        }
        peerLimits.maxFrameSize = hello.maxFrameSize
        peerLimits.maxDecompressedSize = hello.maxDecompressedSize
        let features = hello.features.intersection(WireFeatures.supported)
        if features.contains(.lz4) {
            compression = .lz4(minimumBodySize: FrameEncoder.Compression.defaultMinimumBodySize)
        }
        let response = HelloResponse(
            version: high,
            limits: settings.limits,
            features: WireFeatures.supported,
            serverName: "attestd",
            serverVersion: settings.serverVersion,
            extensions: []
        )
        append(.hello(response), requestID: requestID)
        scheduleFlushIfNeeded()
    }

    /// Delivers an answer completed anywhere; runs on the event loop.
    private func complete(_ response: Response, requestID: UInt64) {
        inFlight -= 1
        statistics.requestsInFlight.wrappingAdd(-1, ordering: .relaxed)
        guard let context, context.channel.isActive else { return }
        append(response, requestID: requestID)
        if draining && inFlight == 0 {
            flushAndClose(context: context)
        } else {
            scheduleFlushIfNeeded()
        }
    }

    // MARK: - Writing

    private func sendError(_ error: ErrorResponse, requestID: UInt64) {
        append(.error(error), requestID: requestID)
        scheduleFlushIfNeeded()
    }

    private func append(_ response: Response, requestID: UInt64) {
        if case .error(let error) = response { statistics.recordError(error.status) }
        do {
            try FrameEncoder.append(
                response,
                requestID: requestID,
                to: &output,
                compression: compression,
                peerLimits: peerLimits
            )
        } catch {
            statistics.recordError(.internalError)
            let replacement = ErrorResponse(
                status: .internalError,
                requestOpcode: response.opcode,
                message: "the answer does not fit the client's limits: \(error.reason)"
            )
            // An ERROR is a few dozen bytes: it fits any limit a client may announce (at least 16 bytes).
            try? FrameEncoder.append(replacement, requestID: requestID, to: &output)
        }
    }

    private func scheduleFlushIfNeeded() {
        guard !inReadBurst, !flushScheduled, let context else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = loopBound.value
            handler.flushScheduled = false
            if let context = handler.context { handler.writeOutput(context: context) }
        }
    }

    private func writeOutput(context: ChannelHandlerContext) {
        guard !output.isEmpty, context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: output.count)
        buffer.writeBytes(output)
        output.removeAll(keepingCapacity: output.count <= 1 << 20)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Answers a frame that broke the stream, stops reading, and closes once the answer is written.
    private func fail(_ error: WireError, context: ChannelHandlerContext) {
        guard !stoppedReading else { return }
        stoppedReading = true
        logger.debug(
            "closing connection after a broken frame",
            metadata: ["status": "\(error.code)", "reason": "\(error.reason)"]
        )
        append(.error(ErrorResponse(error)), requestID: error.requestID)
        flushAndClose(context: context)
    }

    private func flushAndClose(context: ChannelHandlerContext) {
        stoppedReading = true
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: output.count)
        buffer.writeBytes(output)
        output.removeAll()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
