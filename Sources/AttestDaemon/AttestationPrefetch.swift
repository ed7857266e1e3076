import AttestCore
import Synchronization

/// The stored attestations of every image one request sends to the workers, read together.
///
/// A request's misses run as one job per image, so that any idle worker can take any of them and the queue
/// counts images. Reading each image's attestations in its own store transaction costs a transaction's locks
/// and bookkeeping per image; instead, the first of the request's jobs to run reads all of them in one call
/// to ``AttestationSource/attestations(images:)``, and the others take their share. The read happens after
/// the request arrived, like every per-image read would, so no commit the request could have seen is missed.
final class AttestationPrefetch: Sendable {
    private enum State {
        case unread
        case read([[StoredAttestation]])
        case failed(any Error)
    }

    private let source: any AttestationSource
    private let images: [(repository: String, digest: String)]
    private let state: Mutex<State>

    /// Prepares the read.
    ///
    /// - Parameters:
    ///   - source: where the attestations are read.
    ///   - images: the request's images, in the positions the jobs will ask for.
    init(source: any AttestationSource, images: [(repository: String, digest: String)]) {
        self.source = source
        self.images = images
        state = Mutex(.unread)
    }

    /// The candidates of the image at `position`, reading every image's on the first call.
    ///
    /// The first caller reads while holding the lock: a second worker asking meanwhile waits for that read
    /// rather than starting one of its own. Each position is asked for once (its rows are handed over).
    ///
    /// - Parameter position: the image's index in `images`.
    /// - Returns: its candidates, or the error that prevented reading them.
    func candidates(at position: Int) -> Result<[StoredAttestation], any Error> {
        state.withLock { state in
            if case .unread = state {
                do {
                    state = .read(try source.attestations(images: images))
                } catch {
                    state = .failed(error)
                }
            }
            switch state {
            case .read(var all):
                // Drop the stored reference first, so the array is unique and is edited in place.
                state = .unread
                let mine = all[position]
                all[position] = []
                state = .read(all)
                return .success(mine)
            case .failed(let error):
                return .failure(error)
            case .unread:
                preconditionFailure("the attestations were just read")
            }
        }
    }
}
