import AttestCore
import Synchronization

/// The stored attestations of a group of images sent to the workers together, read together.
///
/// Misses run as one job per image, so that any idle worker can take any of them and the queue counts
/// images. Reading each image's attestations in its own store transaction costs a transaction's locks and
/// bookkeeping per image; instead, the first of the group's jobs to run reads all of them in one call to
/// ``AttestationSource/attestations(images:)``, and the others take their share. A group holds consecutive
/// images of the requests an event loop queued in one pass (``SubmissionBatch``), up to
/// ``RequestHandler/maximumReadGroup``. The read happens after every one of those requests arrived, like every
/// per-image read would, so no commit a request could have seen is missed. A job that arrives while that read
/// is still running reads its own image rather than wait: a worker is never idle behind another's I/O.
final class AttestationPrefetch: Sendable {
    private enum State {
        case unread
        case reading
        case read([[StoredAttestation]])
        case failed(any Error)
    }

    private enum Step {
        case readAll
        case readOwn
        case done(Result<[StoredAttestation], any Error>)
    }

    private let source: any AttestationSource
    private let images: [(repository: String, digest: String)]
    private let state: Mutex<State>

    /// Prepares the read.
    ///
    /// - Parameters:
    ///   - source: where the attestations are read.
    ///   - images: the group's images, in the positions the jobs will ask for.
    init(source: any AttestationSource, images: [(repository: String, digest: String)]) {
        self.source = source
        self.images = images
        state = Mutex(.unread)
    }

    /// The candidates of the image at `position`: read with every other image's on the first call, taken
    /// from that read afterwards, or read alone while that read is still running.
    ///
    /// Each position is asked for once (its rows are handed over).
    ///
    /// - Parameter position: the image's index in `images`.
    /// - Returns: its candidates, or the error that prevented reading them.
    func candidates(at position: Int) -> Result<[StoredAttestation], any Error> {
        let step: Step = state.withLock { state in
            switch state {
            case .unread:
                state = .reading
                return .readAll
            case .reading:
                return .readOwn
            case .read(var all):
                // Drop the stored reference first, so the array is unique and is edited in place.
                state = .unread
                let mine = all[position]
                all[position] = []
                state = .read(all)
                return .done(.success(mine))
            case .failed(let error):
                return .done(.failure(error))
            }
        }
        switch step {
        case .done(let result):
            return result
        case .readOwn:
            let image = images[position]
            return Result { try source.attestations(repository: image.repository, digest: image.digest) }
        case .readAll:
            do {
                var all = try source.attestations(images: images)
                let mine = all[position]
                all[position] = []
                state.withLock { $0 = .read(all) }
                return .success(mine)
            } catch {
                state.withLock { $0 = .failed(error) }
                return .failure(error)
            }
        }
    }
}
