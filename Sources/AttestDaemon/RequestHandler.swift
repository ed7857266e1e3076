import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import AttestStore
import AttestWire
import Dispatch
import Logging
import Synchronization

/// Answers decoded requests: policy on the calling thread, cryptography on the worker pool.
///
/// Cheap requests (PING, STATS, CHECK and ADMIT answered from the cache) complete synchronously on the caller's
/// thread, an event loop; verification misses run on the ``WorkerPool``, coalesced by cache key so identical
/// checks in flight at once are computed once; store writes and reloads run on their own serial queues. The
/// completion is called exactly once per request, on whichever thread finishes it.
final class RequestHandler: Sendable {
    /// Receives the answer to one request.
    typealias Completion = @Sendable (Response) -> Void

    /// What an attestor check in flight resolves to.
    enum CheckOutcome: Sendable {
        /// The check ran.
        case check(AttestorCheck)
        /// The check could not be queued (the pool is full or stopping).
        case refused(WireError)
    }

    let pool: WorkerPool<VerifierContext>
    let coalescer: Coalescer<VerdictCache.Key, CheckOutcome>
    let keyDeriver: VerdictCacheKeyDeriver
    let store: AttestationStore
    let inlineKeys = InlineKeyCache()
    let logger: Logger
    /// Attestor checks run on the workers for CHECK and ADMIT misses (STATS `verify.checks`).
    let verifyChecks = Atomic<UInt64>(0)
    /// Public-key verifications those checks attempted (STATS `verify.operations`): one per check when every
    /// image has one attestation whose key and algorithm the attestor tries first.
    let verifyOperations = Atomic<UInt64>(0)
    private let currentSnapshot: @Sendable () -> DaemonSnapshot
    private let reload: @Sendable (String?) -> ReloadResponse
    private let stats: @Sendable () -> StatsResponse
    private let storeQueue = DispatchQueue(label: "attestd.store")
    private let reloadQueue = DispatchQueue(label: "attestd.reload")

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - pool: the verification workers.
    ///   - coalescer: shares identical checks in flight.
    ///   - keyDeriver: derives cache and coalescing keys (the cache's own deriver).
    ///   - store: the attestation store, for PUT_ATTESTATIONS.
    ///   - logger: for failures worth an operator's attention.
    ///   - currentSnapshot: the configuration generation new requests start under.
    ///   - reload: performs a reload (blocking; called on a private queue).
    ///   - stats: gathers the STATS answer.
    init(
        pool: WorkerPool<VerifierContext>,
        coalescer: Coalescer<VerdictCache.Key, CheckOutcome>,
        keyDeriver: VerdictCacheKeyDeriver,
        store: AttestationStore,
        logger: Logger,
        currentSnapshot: @escaping @Sendable () -> DaemonSnapshot,
        reload: @escaping @Sendable (String?) -> ReloadResponse,
        stats: @escaping @Sendable () -> StatsResponse
    ) {
        self.pool = pool
        self.coalescer = coalescer
        self.keyDeriver = keyDeriver
        self.store = store
        self.logger = logger
        self.currentSnapshot = currentSnapshot
        self.reload = reload
        self.stats = stats
    }

    /// Answers one request (HELLO is the connection's business and is refused here).
    ///
    /// - Parameters:
    ///   - request: the decoded request.
    ///   - completion: called exactly once with the response or an ERROR.
    func handle(_ request: Request, completion: @escaping Completion) {
        switch request {
        case .ping(let ping):
            completion(.ping(PingResponse(data: ping.data)))
        case .stats:
            completion(.stats(stats()))
        case .reload(let reloadRequest):
            reloadQueue.async { [reload] in completion(.reload(reload(reloadRequest.configPath))) }
        case .putAttestations(let put):
            let snapshot = currentSnapshot()
            storeQueue.async { completion(self.store(put.items, snapshot: snapshot)) }
        case .verify(let verify):
            self.verify(verify.items, snapshot: currentSnapshot(), completion: completion)
        case .check(let check):
            let items = check.items.map { (namespace: $0.namespace, image: $0.image) }
            decide(items, snapshot: currentSnapshot()) { outcome in
                switch outcome {
                case .success(let decisions):
                    completion(.check(CheckResponse(results: decisions.map { $0.result })))
                case .failure(let error): completion(.error(ErrorResponse(error)))
                }
            }
        case .admit(let admit):
            let items = admit.images.map { (namespace: admit.namespace, image: $0) }
            evaluate(items, snapshot: currentSnapshot()) { outcome in
                switch outcome {
                case .success(let verdicts): completion(.admit(Self.admission(admit, verdicts: verdicts)))
                case .failure(let error): completion(.error(ErrorResponse(error)))
                }
            }
        case .hello:
            completion(
                .error(ErrorResponse(status: .invalidRequest, requestOpcode: .hello, message: "HELLO was not expected"))
            )
        }
    }

    // MARK: - Policy evaluation

    /// The attestors of one image that a request must have checked on the workers.
    ///
    /// It refers to the memo's plan and to attestor positions in it instead of copying the attestors and the
    /// image reference: each copy of those retains a dozen strings and arrays that every thread shares.
    private struct ImageMisses {
        /// The image's slot in the request's ``PendingChecks``.
        var slot: Int
        /// The image's plan (its attestors and their cache keys).
        var plan: PlanMemo.Entry.Pending
        /// Positions in `plan.image.attestors`, ascending.
        var positions: [Int]
    }

    /// Decides each (namespace, image): policy here, cache lookups here, misses on the workers.
    ///
    /// - Parameters:
    ///   - items: the questions, in order.
    ///   - snapshot: the configuration generation to decide under.
    ///   - completion: the verdicts in item order, or BUSY when the work could not be queued.
    func evaluate(
        _ items: [(namespace: String, image: String)],
        snapshot: DaemonSnapshot,
        completion: @escaping @Sendable (Result<[ImageVerdict], WireError>) -> Void
    ) {
        decide(items, snapshot: snapshot) { outcome in completion(outcome.map { $0.map { $0.verdict } }) }
    }

    /// The memo entry of a question not remembered: the engine's plan and its attestors' cache keys.
    private func memoEntry(namespace: String, image: String, snapshot: DaemonSnapshot) -> PlanMemo.Entry {
        switch snapshot.engine.plan(namespace: namespace, image: image) {
        case .decided(let verdict):
            return PlanMemo.Entry(plan: .decided(PlanMemo.Decision(verdict)))
        case .pending(let pending):
            let repository = pending.reference.identity
            let digest = pending.reference.digest?.description ?? ""
            let keys = pending.attestors.map { attestor in
                keyDeriver.key(
                    repository: repository,
                    digest: digest,
                    attestor: attestor.name,
                    keySetFingerprint: snapshot.fingerprints[attestor.name] ?? attestor.keySetFingerprintHex
                )
            }
            return PlanMemo.Entry(plan: .pending(PlanMemo.Entry.Pending(image: pending, keys: keys)))
        }
    }

    /// Decides each (namespace, image) like ``evaluate(_:snapshot:completion:)``, answering with decisions that
    /// carry their wire form; a request answered wholly from the plan memo and the cache completes on the
    /// calling thread without building a message.
    ///
    /// - Parameters:
    ///   - items: the questions, in order.
    ///   - snapshot: the configuration generation to decide under.
    ///   - completion: the decisions in item order, or BUSY when the work could not be queued.
    func decide(
        _ items: [(namespace: String, image: String)],
        snapshot: DaemonSnapshot,
        completion: @escaping @Sendable (Result<[PlanMemo.Decision], WireError>) -> Void
    ) {
        let entries = snapshot.memo.entries(for: items) { namespace, image in
            memoEntry(namespace: namespace, image: image, snapshot: snapshot)
        }
        // One clock read for the whole request: every lookup of one request happens at the same instant.
        let now = snapshot.cache?.now ?? 0
        var decided = [PlanMemo.Decision?](repeating: nil, count: items.count)
        var pending: [PendingChecks.Slot] = []
        var misses: [ImageMisses] = []
        for (index, entry) in entries.enumerated() {
            switch entry.plan {
            case .decided(let decision):
                decided[index] = decision
            case .pending(let plan):
                // The image is read only off the fast path: copying a PendingImage retains every string and
                // array it holds.
                let keys = plan.keys
                var verdicts = [VerdictCache.Verdict?](repeating: nil, count: keys.count)
                var allHit = true
                if let cache = snapshot.cache {
                    for position in keys.indices {
                        verdicts[position] = cache.lookup(keys[position], now: now)
                        if verdicts[position] == nil { allHit = false }
                    }
                } else {
                    allHit = false
                }
                if allHit, let decision = entry.decision(for: verdicts) {
                    snapshot.memo.recordDecisionHit()
                    decided[index] = decision
                    continue
                }
                var results: [String: AttestorCheck] = [:]
                var positions: [Int] = []
                for position in keys.indices {
                    if let verdict = verdicts[position] {
                        let attestor = plan.image.attestors[position]
                        results[attestor.name] = CachedCheck.check(
                            from: verdict,
                            attestor: attestor,
                            image: plan.image.reference
                        )
                    } else {
                        positions.append(position)
                    }
                }
                if allHit {
                    let decision = PlanMemo.Decision(snapshot.engine.decide(plan.image, results: results))
                    entry.remember(decision, for: verdicts)
                    decided[index] = decision
                } else {
                    misses.append(ImageMisses(slot: pending.count, plan: plan, positions: positions))
                    pending.append(PendingChecks.Slot(index: index, entry: entry, plan: plan, results: results))
                }
            }
        }
        if misses.isEmpty {
            completion(.success(decided.map { $0! }))
            return
        }
        let checks = PendingChecks(
            decided: decided,
            slots: pending,
            remaining: misses.reduce(0) { $0 + $1.positions.count },
            engine: snapshot.engine,
            memo: snapshot.memo,
            completion: completion
        )
        // Checks started here, grouped by image: one job per image reads its attestations once and checks
        // every attestor of it that no other request is already checking.
        var startedImages: [ImageMisses] = []
        var started: [VerdictCache.Key] = []
        for image in misses {
            let slot = image.slot
            var startedPositions: [Int] = []
            for position in image.positions {
                coalescer.run(
                    key: image.plan.keys[position],
                    waiter: { outcome in checks.deliver(outcome, slot: slot, position: position) }
                ) { key in
                    started.append(key)
                    startedPositions.append(position)
                }
            }
            if !startedPositions.isEmpty {
                startedImages.append(ImageMisses(slot: slot, plan: image.plan, positions: startedPositions))
            }
        }
        // One store read for all of them, done by whichever job runs first.
        let prefetch: AttestationPrefetch? =
            startedImages.count > 1
            ? AttestationPrefetch(
                source: snapshot.verifier.source,
                images: startedImages.map { image in
                    let reference = image.plan.image.reference
                    return (reference.identity, reference.digest?.description ?? "")
                }
            ) : nil
        let jobs = startedImages.enumerated().map { position, image in
            verificationJob(image, snapshot: snapshot, prefetch: prefetch.map { ($0, position) })
        }
        do {
            try pool.submitBatch(jobs)
        } catch {
            let refusal = WireError(
                error.code == .busy ? .busy : .shuttingDown,
                "verification queue refused \(started.count) check(s): \(error.reason)"
            )
            for key in started { coalescer.complete(key: key, value: .refused(refusal)) }
        }
    }

    /// The job that checks attestors of one image on a worker (reading the image's attestations once),
    /// caches each definitive result, and wakes every request waiting for each.
    ///
    /// - Parameters:
    ///   - misses: the image and the positions of the attestors to check.
    ///   - snapshot: the configuration generation.
    ///   - prefetch: the request's shared store read and this image's position in it; `nil` to read alone.
    private func verificationJob(
        _ misses: ImageMisses,
        snapshot: DaemonSnapshot,
        prefetch: (read: AttestationPrefetch, position: Int)?
    ) -> WorkerPool<VerifierContext>.Job {
        let verifier = snapshot.verifier
        let cache = snapshot.cache
        let coalescer = self.coalescer
        let plan = misses.plan
        let positions = misses.positions
        return { [self] context in
            let all = plan.image.attestors
            // Usually every attestor of the image: then the plan's own array serves, uncopied.
            let attestors = positions.count == all.count ? all : positions.map { all[$0] }
            var operations = 0
            let image = plan.image.reference
            let checks =
                if let prefetch, image.digest != nil {
                    verifier.check(
                        image: image,
                        fetched: prefetch.read.candidates(at: prefetch.position),
                        attestors: attestors,
                        context: context,
                        operations: &operations
                    )
                } else {
                    verifier.check(image: image, attestors: attestors, context: context, operations: &operations)
                }
            verifyChecks.wrappingAdd(UInt64(positions.count), ordering: .relaxed)
            verifyOperations.wrappingAdd(UInt64(operations), ordering: .relaxed)
            for (index, check) in checks.enumerated() {
                let key = plan.keys[positions[index]]
                if let cache, let verdict = CachedCheck.verdict(for: check, attestor: attestors[index]) {
                    cache.insert(verdict, for: key)
                }
                coalescer.complete(key: key, value: .check(check))
            }
        }
    }

    /// The wire form of a verdict.
    ///
    /// - Parameter verdict: the engine's verdict.
    /// - Returns: ADMITTED/DENIED, or ERROR when no definitive answer exists (the caller fails closed).
    static func result(_ verdict: ImageVerdict) -> CheckResult {
        let decision: CheckDecision =
            verdict.admitted ? .admitted : (verdict.reason == .unavailable ? .error : .denied)
        // The protocol's stable code for a tag reference (PROTOCOL.md §5.4).
        let reason = verdict.reason == .notAttestable ? "tag-reference" : verdict.reason.rawValue
        var message = verdict.message
        if !verdict.admitted, !verdict.details.isEmpty {
            message += ": " + verdict.details.joined(separator: "; ")
        }
        return CheckResult(
            decision: decision,
            reason: reason,
            message: message,
            missing: verdict.missingAttestors,
            satisfied: verdict.satisfiedAttestors
        )
    }
}
