import AttestWire
import NIOCore
import Synchronization

/// One connected socket with its table of requests in flight, matched to responses by request id.
///
/// Thread-safe: requests are sent from any thread; responses arrive on the channel's event loop and complete
/// their callers there. Every pending request leaves the table exactly once: answered, timed out, or failed
/// when the connection closes.
final class ClientConnection: Sendable {
    /// Receives the response frame of one request (an ERROR frame is a response too) or the client failure.
    typealias Completion = @Sendable (Result<Frame, AttestClientError>) -> Void

    private struct Pending {
        var opcode: Opcode
        var completion: Completion
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var pending: [UInt64: Pending] = [:]
        var nextID: UInt64 = 1
        var closedBecause: AttestClientError?
        var peerLimits: WireLimits = .default
        var maxInFlight = Int(WireLimits.default.maxInFlight)
        var compression: FrameEncoder.Compression = .none
        var hello: HelloResponse?
    }

    let channel: any Channel
    let socketPath: String
    private let state = Mutex(State())
    /// True while the handler delivers the frames of one read burst: writes then wait for its flush.
    /// Written and read on the channel's event loop only; atomic so the class stays `Sendable`.
    let inReadBurst = Atomic<Bool>(false)

    init(channel: any Channel, socketPath: String) {
        self.channel = channel
        self.socketPath = socketPath
    }

    /// Whether the connection is closed (no more requests can be sent on it).
    var isClosed: Bool { state.withLock { $0.closedBecause != nil } }

    /// Requests currently waiting for their answers.
    var inFlightCount: Int { state.withLock { $0.pending.count } }

    /// The daemon's HELLO answer, once negotiated.
    var hello: HelloResponse? { state.withLock { $0.hello } }

    /// The limits the daemon announced (the defaults before HELLO).
    var peerLimits: WireLimits { state.withLock { $0.peerLimits } }

    /// Records the outcome of HELLO: the daemon's limits and whether LZ4 is in use.
    func apply(hello: HelloResponse, lz4: Bool, lz4MinimumBodySize: Int) {
        state.withLock {
            $0.hello = hello
            $0.peerLimits = hello.limits
            $0.maxInFlight = Int(hello.limits.maxInFlight)
            $0.compression = lz4 && hello.features.contains(.lz4) ? .lz4(minimumBodySize: lz4MinimumBodySize) : .none
        }
    }

    // MARK: - Sending

    /// Sends one request and calls `completion` exactly once with its response frame or a failure.
    /// - Parameters:
    ///   - request: The request.
    ///   - timeout: Deadline after which the caller fails with ``AttestClientError/Code/timeout``.
    ///   - completion: Called once, on the event loop or the calling thread.
    func send(_ request: Request, timeout: Duration?, completion: @escaping Completion) {
        let opcode = request.opcode
        let reserved = state.withLock {
            state -> Result<(UInt64, WireLimits, FrameEncoder.Compression), AttestClientError> in
            if let closed = state.closedBecause { return .failure(closed) }
            guard state.pending.count < state.maxInFlight else {
                return .failure(
                    AttestClientError(
                        .tooManyInFlight,
                        "\(opcode) request refused locally: \(state.pending.count) requests already in flight on "
                            + "\(socketPath), the daemon allows \(state.maxInFlight)"
                    )
                )
            }
            let id = state.nextID
            state.nextID &+= 1
            state.pending[id] = Pending(opcode: opcode, completion: completion, timeout: nil)
            return .success((id, state.peerLimits, state.compression))
        }
        guard case .success(let (id, limits, compression)) = reserved else {
            if case .failure(let error) = reserved { completion(.failure(error)) }
            return
        }
        var bytes: [UInt8] = []
        do throws(WireError) {
            try FrameEncoder.append(request, requestID: id, to: &bytes, compression: compression, peerLimits: limits)
        } catch {
            let failed = state.withLock { $0.pending.removeValue(forKey: id) }
            failed?.completion(
                .failure(AttestClientError(.encodingFailed, "cannot encode \(opcode) request: \(error)"))
            )
            return
        }
        if let timeout {
            let scheduled = channel.eventLoop.scheduleTask(in: .init(timeout)) { [self] in
                expire(id, after: timeout)
            }
            let kept = state.withLock { state -> Bool in
                guard state.pending[id] != nil else { return false }
                state.pending[id]!.timeout = scheduled
                return true
            }
            if !kept { scheduled.cancel() }
        }
        write(bytes)
    }

    /// Sends pre-encoded request bodies as frames of one opcode in a single write, without deadlines: the
    /// load generator's path. `completion` is called once per body with its index.
    /// - Parameters:
    ///   - opcode: The request opcode of every frame.
    ///   - bodies: Encoded request bodies (protocol §5), uncompressed.
    ///   - completion: Called once per body, with the body's index and its response frame or a failure.
    func sendRaw(
        opcode: Opcode,
        bodies: [[UInt8]],
        completion: @escaping @Sendable (Int, Result<Frame, AttestClientError>) -> Void
    ) {
        let firstID = state.withLock { state -> Result<UInt64, AttestClientError> in
            if let closed = state.closedBecause { return .failure(closed) }
            guard state.pending.count + bodies.count <= state.maxInFlight else {
                return .failure(
                    AttestClientError(
                        .tooManyInFlight,
                        "\(bodies.count) \(opcode) requests refused locally: \(state.pending.count) already in "
                            + "flight on \(socketPath), the daemon allows \(state.maxInFlight)"
                    )
                )
            }
            let first = state.nextID
            state.nextID &+= UInt64(bodies.count)
            for index in bodies.indices {
                state.pending[first &+ UInt64(index)] = Pending(
                    opcode: opcode,
                    completion: { completion(index, $0) },
                    timeout: nil
                )
            }
            return .success(first)
        }
        let first: UInt64
        switch firstID {
        case .success(let id): first = id
        case .failure(let error):
            for index in bodies.indices { completion(index, .failure(error)) }
            return
        }
        var buffer = channel.allocator.buffer(capacity: bodies.reduce(0) { $0 + $1.count + FrameHeader.size })
        for (index, body) in bodies.enumerated() {
            buffer.writeInteger(UInt32(FrameHeader.lengthCounted + body.count))
            buffer.writeInteger(WireLimits.currentVersion)
            buffer.writeInteger(opcode.rawValue)
            buffer.writeInteger(UInt16(0))
            buffer.writeInteger(first &+ UInt64(index))
            buffer.writeBytes(body)
        }
        write(buffer)
    }

    private func write(_ bytes: [UInt8]) {
        write(channel.allocator.buffer(bytes: bytes))
    }

    private func write(_ buffer: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            if inReadBurst.load(ordering: .relaxed) {
                channel.write(buffer, promise: nil)
            } else {
                channel.writeAndFlush(buffer, promise: nil)
            }
        } else {
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    // MARK: - Receiving

    /// Hands a response frame to the request it answers. Late answers to requests that timed out are dropped.
    func deliver(_ frame: Frame) {
        let id = frame.header.requestID
        if id == 0 {
            // An unattributed ERROR means the daemon found the stream broken and is closing it.
            var reason = "\(socketPath) sent an unattributable \(frame.header.opcode) frame"
            if frame.header.opcode == .error, let error = try? ErrorResponse(decoding: frame.body) {
                reason = "daemon at \(socketPath) reported a broken stream: \(error.status.name): \(error.message)"
            }
            close(because: AttestClientError(.connectionClosed, reason))
            return
        }
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.timeout?.cancel()
        pending.completion(.success(frame))
    }

    private func expire(_ id: UInt64, after timeout: Duration) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.completion(
            .failure(
                AttestClientError(
                    .timeout,
                    "\(pending.opcode) request \(id) to \(socketPath) got no answer within \(timeout)"
                )
            )
        )
    }

    /// Marks the connection closed, fails every request in flight with `error`, and closes the channel.
    func close(because error: AttestClientError) {
        let failed = state.withLock { state -> [Pending] in
            if state.closedBecause == nil { state.closedBecause = error }
            let pending = Array(state.pending.values)
            state.pending.removeAll()
            return pending
        }
        for pending in failed {
            pending.timeout?.cancel()
            pending.completion(.failure(error))
        }
        channel.close(promise: nil)
    }
}

extension TimeAmount {
    /// The Swift `Duration` as a NIO time amount, saturating at the largest representable value.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let nanos = overflow ? Int64.max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
        self = .nanoseconds(nanos)
    }
}
