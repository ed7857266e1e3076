import Synchronization

/// Runs an operation with a hard deadline: the caller gets the operation's result, or
/// ``DeadlineExceeded`` once `limit` has passed, whichever comes first, even if the operation ignores
/// cancellation. The abandoned operation is cancelled and left to finish on its own (the client's own
/// deadlines bound it), so an admission answer never waits longer than its budget.
/// - Parameters:
///   - limit: The longest the caller waits.
///   - operation: The work.
/// - Returns: The operation's result.
/// - Throws: The operation's error, or ``DeadlineExceeded``.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        race.start(
            continuation: continuation,
            work: Task {
                do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
            },
            timer: Task {
                do { try await Task.sleep(for: limit) } catch { return }
                race.finish(.failure(DeadlineExceeded(limit: limit)))
            }
        )
    }
}

/// The shared state of one ``withDeadline(_:_:)`` call: the first of the two tasks to finish resumes the
/// caller and cancels the other.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var result: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            state.work = work
            state.timer = timer
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            defer {
                state.continuation = nil
                if state.result == nil { state.result = result }
            }
            return state.result == nil ? (state.continuation, state.work, state.timer) : (nil, nil, nil)
        }
        guard let continuation else { return }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
    }
}

/// The deadline of ``withDeadline(_:_:)`` passed before the operation answered.
struct DeadlineExceeded: Error, CustomStringConvertible {
    /// The deadline.
    var limit: Duration

    var description: String { "no answer within \(limit.formattedSeconds)" }
}

extension Duration {
    /// The duration in seconds for messages, such as `8 s` or `0.25 s`.
    var formattedSeconds: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds) s" }
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return "\((value * 1000).rounded() / 1000) s"
    }
}
