import AttestWire
import NIOCore
import Synchronization

/// Splits the daemon's byte stream into frames and hands each to the connection's pending table.
///
/// A broken stream (bad length, unsupported version, corrupt LZ4, frame over the client's limits) fails
/// every request in flight with ``AttestClientError/Code/protocolViolation`` and closes the connection
/// (protocol §8, last paragraph).
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let connection: ClientConnection
    private var decoder: FrameDecoder

    init(connection: ClientConnection, limits: WireLimits, acceptsCompressed: Bool) {
        self.connection = connection
        self.decoder = FrameDecoder(limits: limits, acceptsCompressed: acceptsCompressed)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        connection.inReadBurst.store(true, ordering: .relaxed)
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        do throws(WireError) {
            while let frame = try decoder.next() {
                guard frame.header.isResponse else {
                    throw WireError(
                        .badFrame,
                        "\(frame.header.opcode) frame with request id \(frame.header.requestID) lacks the response flag",
                        requestID: frame.header.requestID,
                        opcode: frame.header.opcode
                    )
                }
                connection.deliver(frame)
            }
        } catch {
            connection.close(
                because: AttestClientError(
                    .protocolViolation,
                    "daemon at \(connection.socketPath) sent a broken frame: \(error)"
                )
            )
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.inReadBurst.store(false, ordering: .relaxed)
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.close(
            because: AttestClientError(.connectionClosed, "connection to \(connection.socketPath) closed")
        )
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.close(
            because: AttestClientError(.connectionClosed, "connection to \(connection.socketPath) failed: \(error)")
        )
    }
}
