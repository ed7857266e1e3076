import NIOCore

/// The verification work of every request decided during one event-loop tick, from any connection of that
/// loop, queued to the workers together when the tick's I/O is done.
///
/// Requests that miss the cache are not sent to the workers one by one as they are decided. Each leaves its
/// started checks here; the first one of a tick schedules a flush on the loop, which runs once the loop has
/// read every connection that was ready. The flush reads the stored attestations of up to
/// ``RequestHandler/maximumReadGroup`` images per store transaction, across requests and connections, and
/// queues all the jobs with one lock. Under pipelined single-image requests (the webhook's ADMIT, say) that
/// replaces a transaction and a queue operation per image.
///
/// An instance belongs to one event loop, and only that loop's thread touches it.
final class SubmissionBatch: Sendable {
    /// One request's started checks, waiting for the flush.
    struct Deferred {
        /// The configuration generation the request was decided under.
        var snapshot: DaemonSnapshot
        /// Its images with the attestor positions it started (others were hits or coalesced).
        var images: [ImageMisses]
        /// The cache keys it started, to refuse if the queue has no room.
        var started: [VerdictCache.Key]
    }

    private struct State {
        var deferred: [Deferred] = []
        var flushScheduled = false
    }

    /// The event loop it belongs to.
    let eventLoop: any EventLoop
    private let state: NIOLoopBoundBox<State>

    /// Creates the batch of one event loop.
    ///
    /// - Parameter eventLoop: the loop whose thread alone will use it.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        state = NIOLoopBoundBox(State(), eventLoop: eventLoop)
    }

    /// Keeps a request's started checks until the end of the tick, scheduling the flush if none is pending.
    ///
    /// Must be called on ``eventLoop``.
    ///
    /// - Parameters:
    ///   - deferred: the request's started checks.
    ///   - handler: submits them when the tick's I/O is done.
    func add(_ deferred: Deferred, handler: RequestHandler) {
        state.value.deferred.append(deferred)
        guard !state.value.flushScheduled else { return }
        state.value.flushScheduled = true
        eventLoop.execute { [self] in
            let all = state.value.deferred
            state.value.deferred.removeAll(keepingCapacity: true)
            state.value.flushScheduled = false
            handler.submit(all)
        }
    }
}
