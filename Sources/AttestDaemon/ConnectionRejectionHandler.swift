import AttestWire
import NIOCore

/// Answers a connection the daemon will not serve with one unattributed ERROR frame, then closes it.
final class ConnectionRejectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let error: ErrorResponse

    /// Creates the handler.
    ///
    /// - Parameters:
    ///   - status: why (BUSY for too many connections, NOT_PERMITTED for a refused peer, SHUTTING_DOWN).
    ///   - message: the human reason.
    init(status: WireStatus, message: String) {
        error = ErrorResponse(status: status, requestOpcode: .none, message: message)
    }

    func channelActive(context: ChannelHandlerContext) {
        reject(context: context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { reject(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever the peer sent is ignored: it gets the one ERROR frame and the close.
    }

    private var rejected = false

    private func reject(context: ChannelHandlerContext) {
        guard !rejected else { return }
        rejected = true
        let bytes = (try? FrameEncoder.encode(error, requestID: 0)) ?? []
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
