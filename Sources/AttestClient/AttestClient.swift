public import AttestWire
public import NIOCore
import NIOPosix
import Synchronization

/// A client of the attestd wire protocol over one Unix-socket connection, with pipelining.
///
/// Many requests may be in flight at once from any number of tasks: each gets a fresh request id and its
/// answer is matched by id, in whatever order the daemon sends them. The connection is opened on first use
/// (sending HELLO first when ``Configuration/negotiate`` is on); when it breaks, every request in flight
/// fails with ``AttestClientError/Code/connectionClosed`` and the next call connects again.
///
/// Errors: ``AttestClientError`` for client-side failures (connect, timeout, broken stream), ``DaemonRefusal``
/// when the daemon answers with an ERROR frame.
public final class AttestClient: Sendable {
    private enum ConnectionState {
        case idle
        case connecting(Task<ClientConnection, any Error>)
        case connected(ClientConnection)
    }

    /// The daemon's socket.
    public let socketPath: String
    /// How this client connects and negotiates.
    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let state = Mutex(ConnectionState.idle)

    /// Creates a client; nothing is connected until the first request (or ``connect()``).
    /// - Parameters:
    ///   - socketPath: Path of the daemon's Unix socket.
    ///   - configuration: Negotiation and deadlines.
    ///   - group: Event loops for the connection (default: NIO's shared singleton group).
    public init(
        socketPath: String,
        configuration: Configuration = .default,
        group: (any EventLoopGroup)? = nil
    ) {
        self.socketPath = socketPath
        self.configuration = configuration
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
    }

    deinit {
        if case .connected(let connection) = state.withLock({ $0 }) {
            connection.close(because: AttestClientError(.connectionClosed, "client for \(socketPath) released"))
        }
    }

    // MARK: - Connection

    /// Connects now (and negotiates) unless already connected.
    /// - Throws: ``AttestClientError`` (`connect-failed`, `timeout`) or ``DaemonRefusal`` if HELLO is refused.
    public func connect() async throws {
        _ = try await connection()
    }

    /// Closes the connection; requests in flight fail with ``AttestClientError/Code/connectionClosed``. The
    /// next call connects again.
    public func close() {
        let current = state.withLock { state -> ClientConnection? in
            defer { state = .idle }
            if case .connected(let connection) = state { return connection }
            return nil
        }
        current?.close(because: AttestClientError(.connectionClosed, "client closed the connection to \(socketPath)"))
    }

    /// Requests waiting for their answers on the current connection.
    public var inFlightCount: Int {
        if case .connected(let connection) = state.withLock({ $0 }) { return connection.inFlightCount }
        return 0
    }

    /// The daemon's HELLO answer on the current connection (nil before connecting or without negotiation).
    public var negotiated: HelloResponse? {
        if case .connected(let connection) = state.withLock({ $0 }) { return connection.hello }
        return nil
    }

    func connection() async throws -> ClientConnection {
        let task = state.withLock { state -> Task<ClientConnection, any Error> in
            switch state {
            case .connected(let connection) where !connection.isClosed:
                return Task { connection }
            case .connecting(let task):
                return task
            default:
                let task = Task { try await self.establish() }
                state = .connecting(task)
                return task
            }
        }
        do {
            let connection = try await task.value
            state.withLock { state in
                if case .connecting = state { state = .connected(connection) }
            }
            return connection
        } catch {
            state.withLock { state in
                if case .connecting = state { state = .idle }
            }
            throw error
        }
    }

    private func establish() async throws -> ClientConnection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.init(configuration.connectTimeout))
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(unixDomainSocketPath: socketPath).get()
        } catch {
            throw AttestClientError(.connectFailed, "cannot connect to attestd at \(socketPath): \(error)")
        }
        let connection = ClientConnection(channel: channel, socketPath: socketPath)
        let limits = configuration.receiveLimits
        let acceptsLZ4 = configuration.negotiate && configuration.lz4
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                ClientChannelHandler(connection: connection, limits: limits, acceptsCompressed: acceptsLZ4)
            )
        }.get()
        if configuration.negotiate {
            let hello = HelloRequest(
                maxFrameSize: limits.maxFrameSize,
                maxDecompressedSize: limits.maxDecompressedSize,
                features: configuration.lz4 ? [.lz4] : [],
                clientName: configuration.clientName
            )
            let response = try await roundTrip(.hello(hello), on: connection, timeout: configuration.connectTimeout)
            guard case .hello(let answer) = response else {
                throw unexpected(response, for: .hello, on: connection)
            }
            guard WireLimits.supportedVersions.contains(answer.version) else {
                let error = AttestClientError(
                    .protocolViolation,
                    "daemon at \(socketPath) chose protocol version \(answer.version), outside the offered "
                        + "\(WireLimits.supportedVersions)"
                )
                connection.close(because: error)
                throw error
            }
            connection.apply(
                hello: answer,
                lz4: configuration.lz4,
                lz4MinimumBodySize: configuration.lz4MinimumBodySize
            )
        }
        return connection
    }

    // MARK: - Requests

    /// Sends any request and returns its response.
    /// - Parameters:
    ///   - request: The request (a HELLO is refused by the daemon after negotiation).
    ///   - timeout: Deadline for this request (default: ``Configuration/requestTimeout``).
    /// - Returns: The daemon's response, of the request's opcode.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func send(_ request: Request, timeout: Duration? = nil) async throws -> Response {
        let connection = try await connection()
        return try await roundTrip(request, on: connection, timeout: timeout ?? configuration.requestTimeout)
    }

    private func roundTrip(_ request: Request, on connection: ClientConnection, timeout: Duration?) async throws
        -> Response
    {
        let frame = try await withCheckedThrowingContinuation { continuation in
            connection.send(request, timeout: timeout) { continuation.resume(with: $0) }
        }
        let response: Response
        do throws(WireError) {
            response = try Response(decoding: frame, limits: configuration.receiveLimits)
        } catch {
            let failure = AttestClientError(
                .protocolViolation,
                "daemon at \(socketPath) sent a broken \(frame.header.opcode) response to request "
                    + "\(frame.header.requestID): \(error)"
            )
            connection.close(because: failure)
            throw failure
        }
        if case .error(let error) = response {
            throw DaemonRefusal(
                status: error.status,
                requestOpcode: error.requestOpcode,
                requestID: frame.header.requestID,
                message: error.message
            )
        }
        guard response.opcode == request.opcode else { throw unexpected(response, for: request.opcode, on: connection) }
        return response
    }

    private func unexpected(_ response: Response, for opcode: Opcode, on connection: ClientConnection)
        -> AttestClientError
    {
        let error = AttestClientError(
            .protocolViolation,
            "daemon at \(socketPath) answered a \(opcode) request with a \(response.opcode) response"
        )
        connection.close(because: error)
        return error
    }

    /// Sends pre-encoded request bodies in one write with no deadline and no response decoding: the load
    /// generator's low-overhead path. Connects first if needed.
    /// - Parameters:
    ///   - opcode: The request opcode of every frame.
    ///   - bodies: Encoded, uncompressed request bodies (each frame gets a fresh request id).
    ///   - completion: Called once per body, with its index and the raw response frame (possibly ERROR) or a
    ///     client failure; runs on the connection's event loop, so keep it short.
    /// - Throws: ``AttestClientError`` if the connection cannot be made.
    public func sendBatch(
        opcode: Opcode,
        bodies: [[UInt8]],
        completion: @escaping @Sendable (Int, Result<Frame, AttestClientError>) -> Void
    ) async throws {
        let connection = try await connection()
        connection.sendRaw(opcode: opcode, bodies: bodies, completion: completion)
    }

    /// Like ``sendBatch(opcode:bodies:completion:)`` but never suspends: usable from inside a completion to
    /// keep the pipeline full. Fails each body with `connection-closed` if not connected.
    /// - Parameters:
    ///   - opcode: The request opcode of every frame.
    ///   - bodies: Encoded, uncompressed request bodies.
    ///   - completion: Called once per body with its index and the response frame or a failure.
    public func sendBatchNow(
        opcode: Opcode,
        bodies: [[UInt8]],
        completion: @escaping @Sendable (Int, Result<Frame, AttestClientError>) -> Void
    ) {
        guard case .connected(let connection) = state.withLock({ $0 }), !connection.isClosed else {
            let error = AttestClientError(.connectionClosed, "not connected to \(socketPath)")
            for index in bodies.indices { completion(index, .failure(error)) }
            return
        }
        connection.sendRaw(opcode: opcode, bodies: bodies, completion: completion)
    }
}
