import NIOCore
import NIOHTTPTypes

/// Closes a connection that does not deliver a whole request within a deadline of becoming ready for one.
///
/// The idle timeout alone does not stop a client that drips one byte at a time ("slowloris"): every byte
/// restarts it, and each such client holds a connection and its TLS state for as long as it likes. This
/// handler starts a deadline when the connection opens and again when the last response is written, stops
/// it when a request's last part has been read, and closes the connection if it passes in between. A
/// request being reviewed is bounded by the review's own timeout, not by this one.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    private var requestsRead = 0
    private var responsesWritten = 0

    /// Creates the handler.
    ///
    /// - Parameter limit: how long a connection may take to deliver a whole request once it is ready for one.
    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            requestsRead += 1
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesWritten += 1
            // Waiting for a new request only once every request read so far has been answered.
            if responsesWritten >= requestsRead { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: limit) {
            loopBound.value.close(promise: nil)
        }
    }
}
