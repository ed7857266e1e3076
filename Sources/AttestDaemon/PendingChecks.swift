import AttestEngine
import AttestPolicy
import AttestWire
import Synchronization

/// The attestor checks one CHECK or ADMIT request still waits for; decides the request when the last arrives.
///
/// An image whose checks all came back definitive reuses the admitted decision its memo entry remembers for
/// exactly those verdicts, instead of deciding and formatting it again. Only admissions are reused this way: an
/// admission's verdict and message depend on nothing but which attestors were satisfied by which key, which
/// the verdicts carry exactly, while a denial quotes each check's own message.
final class PendingChecks: Sendable {
    /// One image of the request whose verdict needs attestor checks.
    struct Slot: Sendable {
        /// The image's position in the request.
        var index: Int
        /// The memo entry the plan came from, which remembers decisions.
        var entry: PlanMemo.Entry
        /// What the engine planned for it (shared with the plan memo, never copied).
        var plan: PlanMemo.Entry.Pending
        /// The checks known so far (cache hits first, then results from the workers).
        var results: [String: AttestorCheck]
        /// Their verdicts by attestor position (`nil` while pending, or for a transient check).
        var verdicts: [VerdictCache.Verdict?]
    }

    private struct State {
        var decided: [PlanMemo.Decision?]
        var slots: [Slot]
        var remaining: Int
        var refusal: WireError?
    }

    private let state: Mutex<State>
    private let engine: AdmissionEngine
    private let memo: PlanMemo
    private let completion: @Sendable (Result<[PlanMemo.Decision], WireError>) -> Void

    /// Creates the pending state of one request.
    ///
    /// - Parameters:
    ///   - decided: decisions settled without cryptography, `nil` where a slot decides.
    ///   - slots: images waiting for checks.
    ///   - remaining: the number of checks that will be delivered.
    ///   - engine: the engine of the request's configuration generation.
    ///   - memo: the plan memo of that generation (counts reused decisions).
    ///   - completion: receives the decisions, or the refusal that prevented a check.
    init(
        decided: [PlanMemo.Decision?],
        slots: [Slot],
        remaining: Int,
        engine: AdmissionEngine,
        memo: PlanMemo,
        completion: @escaping @Sendable (Result<[PlanMemo.Decision], WireError>) -> Void
    ) {
        state = Mutex(State(decided: decided, slots: slots, remaining: remaining, refusal: nil))
        self.engine = engine
        self.memo = memo
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
            case .check(let check, let verdict):
                let name = state.slots[slot].plan.image.attestors[position].name
                state.slots[slot].results[name] = check
                state.slots[slot].verdicts[position] = verdict
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
            finished.decided[slot.index] = decision(for: slot)
        }
        completion(.success(finished.decided.map { $0! }))
    }

    /// The decision of a slot whose checks are all in.
    private func decision(for slot: Slot) -> PlanMemo.Decision {
        let verdicts = slot.verdicts
        // Reusable only when every check is definitive and every satisfied one names its key.
        let reusable = verdicts.allSatisfy { verdict in
            guard let verdict else { return false }
            return !verdict.isSatisfied || verdict.keyIndex != nil
        }
        if reusable, let remembered = slot.entry.decision(for: verdicts), remembered.verdict.admitted {
            memo.recordDecisionHit()
            return remembered
        }
        let decision = PlanMemo.Decision(engine.decide(slot.plan.image, results: slot.results))
        if reusable, decision.verdict.admitted { slot.entry.remember(decision, for: verdicts) }
        return decision
    }
}
