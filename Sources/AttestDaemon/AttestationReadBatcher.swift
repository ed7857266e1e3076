import AttestCore
import Synchronization

/// Reads the stored attestations of the images waiting for the workers together, whichever request or
/// connection they came from.
///
/// Misses run as one worker job per image, so that any idle worker can take any of them and the queue counts
/// images. Reading each image in its own store transaction costs a transaction's locks and bookkeeping per
/// image. Instead, each image gets a ``Ticket`` when its job is queued; the first job to run takes its own
/// ticket and up to ``maximumBatch`` − 1 other waiting ones (oldest first, from any request) and reads them all
/// with one call to ``AttestationSource/attestations(images:)``. The jobs of those tickets then take their
/// rows without touching the store. A job whose ticket is in a read still running reads its own image instead
/// of waiting: a worker is never idle behind another's I/O.
///
/// Every read happens after its ticket was issued, that is after the request arrived, so no commit the
/// request could have seen is missed. A failed read is the answer of every ticket it covered (a transient
/// one: the caller never caches it).
final class AttestationReadBatcher: Sendable {
    /// One image waiting for its attestations; hand it back to ``candidates(for:)`` exactly once, or to
    /// ``withdraw(_:)`` when its job will never run.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
        let repository: String
        let digest: String
    }

    private enum Slot {
        case queued(repository: String, digest: String)
        case reading
        /// Its job stopped waiting (it read its own image); the read's answer for it is dropped.
        case abandoned
        case read(Result<[StoredAttestation], any Error>)
    }

    private struct State: ~Copyable {
        var nextID: UInt64 = 0
        /// Ticket ids in issue order; ids whose slot is no longer `.queued` are skipped when met.
        var queue: [UInt64] = []
        var head = 0
        var slots: [UInt64: Slot] = [:]

        /// Drops the consumed front of `queue` once it is most of the array.
        mutating func compact() {
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
        }
    }

    private enum Step {
        case done(Result<[StoredAttestation], any Error>)
        case readOwn
        case readBatch(ids: [UInt64], images: [(repository: String, digest: String)])
    }

    /// Counts the store reads of a daemon's batchers (STATS `store.reads`, `store.read_images`), across
    /// configuration generations.
    final class Counters: Sendable {
        /// Calls to the source: shared reads and own reads.
        let reads = Atomic<UInt64>(0)
        /// Images those calls read.
        let images = Atomic<UInt64>(0)

        /// Creates zeroed counters.
        init() {}
    }

    /// The most images one store transaction reads.
    let maximumBatch: Int
    /// The reads made so far.
    let counters: Counters
    private let source: any AttestationSource
    private let state = Mutex(State())

    /// Creates a batcher.
    ///
    /// - Parameters:
    ///   - source: where the attestations are read.
    ///   - maximumBatch: the most images read in one call, at least 1.
    ///   - counters: where the reads are counted.
    init(source: any AttestationSource, maximumBatch: Int = 32, counters: Counters = Counters()) {
        precondition(maximumBatch >= 1, "a read batch holds at least one image, not \(maximumBatch)")
        self.source = source
        self.maximumBatch = maximumBatch
        self.counters = counters
    }

    /// Issues a ticket per image, in order; call it before the images' jobs are queued.
    ///
    /// - Parameter images: (repository identity, digest) pairs.
    /// - Returns: one ticket per image.
    func enqueue(_ images: [(repository: String, digest: String)]) -> [Ticket] {
        state.withLock { state in
            images.map { image in
                let id = state.nextID
                state.nextID &+= 1
                state.queue.append(id)
                state.slots[id] = .queued(repository: image.repository, digest: image.digest)
                return Ticket(id: id, repository: image.repository, digest: image.digest)
            }
        }
    }

    /// Forgets tickets whose jobs will never run (their submission was refused).
    ///
    /// - Parameter tickets: tickets from ``enqueue(_:)`` not yet given to ``candidates(for:)``.
    func withdraw(_ tickets: [Ticket]) {
        state.withLock { state in
            for ticket in tickets {
                switch state.slots[ticket.id] {
                case .reading: state.slots[ticket.id] = .abandoned
                case .queued, .abandoned, .read, nil: state.slots[ticket.id] = nil
                }
            }
        }
    }

    /// The candidates of the ticket's image: taken from a read that covered it, read now with other waiting
    /// images, or read alone while another worker's read of it is still running.
    ///
    /// - Parameter ticket: a ticket from ``enqueue(_:)``, asked for once.
    /// - Returns: its candidates, or the error that prevented reading them.
    func candidates(for ticket: Ticket) -> Result<[StoredAttestation], any Error> {
        let step: Step = state.withLock { state in
            switch state.slots[ticket.id] {
            case .read(let result):
                state.slots[ticket.id] = nil
                return .done(result)
            case .reading:
                state.slots[ticket.id] = .abandoned
                return .readOwn
            case .abandoned, nil:
                return .readOwn
            case .queued:
                var ids: [UInt64] = [ticket.id]
                var images: [(repository: String, digest: String)] = [(ticket.repository, ticket.digest)]
                state.slots[ticket.id] = .reading
                while ids.count < maximumBatch, state.head < state.queue.count {
                    let id = state.queue[state.head]
                    state.head += 1
                    guard case .queued(let repository, let digest) = state.slots[id] else { continue }
                    state.slots[id] = .reading
                    ids.append(id)
                    images.append((repository, digest))
                }
                state.compact()
                return .readBatch(ids: ids, images: images)
            }
        }
        switch step {
        case .done(let result):
            return result
        case .readOwn:
            counters.reads.wrappingAdd(1, ordering: .relaxed)
            counters.images.wrappingAdd(1, ordering: .relaxed)
            return Result { try source.attestations(repository: ticket.repository, digest: ticket.digest) }
        case .readBatch(let ids, let images):
            counters.reads.wrappingAdd(1, ordering: .relaxed)
            counters.images.wrappingAdd(UInt64(images.count), ordering: .relaxed)
            let result = Result { try source.attestations(images: images) }
            // The caller's own answer is returned, not stored.
            state.withLock { state in
                state.slots[ids[0]] = nil
                for position in 1..<ids.count {
                    let id = ids[position]
                    switch state.slots[id] {
                    case .reading: state.slots[id] = .read(result.map { $0[position] })
                    case .abandoned, .queued, .read, nil: state.slots[id] = nil
                    }
                }
            }
            return result.map { $0[0] }
        }
    }

    /// Tickets issued and not yet answered or withdrawn (for tests).
    var outstanding: Int { state.withLock { $0.slots.count } }
}
