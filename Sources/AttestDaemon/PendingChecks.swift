import AttestEngine
import AttestPolicy
import AttestWire
import Synchronization

/// The attestor checks one CHECK or ADMIT request still waits for; decides the request when the last arrives.
final class PendingChecks: Sendable {
    /// One image of the request whose verdict needs attestor checks.
    struct Slot: Sendable {
        /// The image's position in the request.
        var index: Int
        /// What the engine planned for it (shared with the plan memo, never copied).
        var plan: PlanMemo.Entry.Pending
        /// The checks known so far (cache hits first, then results from the workers).
        var results: [String: AttestorCheck]
    }

    private struct State {
        var decided: [ImageVerdict?]
        var slots: [Slot]
        var remaining: Int
        var refusal: WireError?
    }

    private let state: Mutex<State>
    private let engine: AdmissionEngine
    private let completion: @Sendable (Result<[ImageVerdict], WireError>) -> Void

    /// Creates the pending state of one request.
    ///
    /// - Parameters:
    ///   - decided: verdicts settled without cryptography, `nil` where a slot decides.
    ///   - slots: images waiting for checks.
    ///   - remaining: the number of checks that will be delivered.
    ///   - engine: the engine of the request's configuration generation.
    ///   - completion: receives the verdicts, or the refusal that prevented a check.
    init(
        decided: [ImageVerdict?],
        slots: [Slot],
        remaining: Int,
        engine: AdmissionEngine,
        completion: @escaping @Sendable (Result<[ImageVerdict], WireError>) -> Void
    ) {
        state = Mutex(State(decided: decided, slots: slots, remaining: remaining, refusal: nil))
        self.engine = engine
        self.completion = completion
    }

    /// Delivers one check; the delivery that completes the request decides it and calls the completion.
    ///
    /// - Parameters:
    ///   - outcome: the check, or why it could not run.
    ///   - slot: the slot it belongs to.
    ///   - position: the attestor's position in the slot's plan.
    func deliver(_ outcome: RequestHandler.CheckOutcome, slot: Int, position: Int) {
        let finished: State? = state.withLock { state in
            switch outcome {
            case .check(let check):
                state.slots[slot].results[state.slots[slot].plan.image.attestors[position].name] = check
            case .refused(let error): state.refusal = state.refusal ?? error
            }
            state.remaining -= 1
            return state.remaining == 0 ? state : nil
        }
        guard var finished else { return }
        if let refusal = finished.refusal {
            completion(.failure(refusal))
            return
        }
        for slot in finished.slots {
            finished.decided[slot.index] = engine.decide(slot.plan.image, results: slot.results)
        }
        completion(.success(finished.decided.map { $0! }))
    }
}
