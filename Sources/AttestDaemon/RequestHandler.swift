import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import AttestStore
import AttestWire
import Dispatch
import Logging
import NIOCore
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
        /// The check ran; `verdict` is its cacheable form (`nil` when transient), computed once on the worker
        /// for the cache and for every request waiting on it.
        case check(AttestorCheck, verdict: VerdictCache.Verdict?)
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
    private let batches = Mutex<[ObjectIdentifier: SubmissionBatch]>([:])
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

    /// The batch of an event loop, shared by all its connections (made on first use).
    ///
    /// - Parameter eventLoop: the loop.
    /// - Returns: its batch.
    func submissionBatch(for eventLoop: any EventLoop) -> SubmissionBatch {
        batches.withLock { batches in
            let key = ObjectIdentifier(eventLoop)
            if let batch = batches[key] { return batch }
            let batch = SubmissionBatch(eventLoop: eventLoop)
            batches[key] = batch
            return batch
        }
    }

    /// Answers one request (HELLO is the connection's business and is refused here).
    ///
    /// - Parameters:
    ///   - request: the decoded request.
    ///   - batch: the calling event loop's batch, where cache misses wait for the end of the tick; `nil` to
    ///     queue them at once.
    ///   - completion: called exactly once with the response or an ERROR.
    func handle(_ request: Request, batch: SubmissionBatch? = nil, completion: @escaping Completion) {
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
            decide(items, snapshot: currentSnapshot(), batch: batch) { outcome in
                switch outcome {
                case .success(let decisions):
                    completion(.check(CheckResponse(results: decisions.map { $0.result })))
                case .failure(let error): completion(.error(ErrorResponse(error)))
                }
            }
        case .admit(let admit):
            let items = admit.images.map { (namespace: admit.namespace, image: $0) }
            evaluate(items, snapshot: currentSnapshot(), batch: batch) { outcome in
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

    /// Decides each (namespace, image): policy here, cache lookups here, misses on the workers.
    ///
    /// - Parameters:
    ///   - items: the questions, in order.
    ///   - snapshot: the configuration generation to decide under.
    ///   - batch: where misses wait for the end of the event-loop tick; `nil` to queue them at once.
    ///   - completion: the verdicts in item order, or BUSY when the work could not be queued.
    func evaluate(
        _ items: [(namespace: String, image: String)],
        snapshot: DaemonSnapshot,
        batch: SubmissionBatch? = nil,
        completion: @escaping @Sendable (Result<[ImageVerdict], WireError>) -> Void
    ) {
        decide(items, snapshot: snapshot, batch: batch) { outcome in
            completion(outcome.map { $0.map { $0.verdict } })
        }
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
    ///   - batch: where misses wait for the end of the event-loop tick; `nil` to queue them at once.
    ///   - completion: the decisions in item order, or BUSY when the work could not be queued.
    func decide(
        _ items: [(namespace: String, image: String)],
        snapshot: DaemonSnapshot,
        batch: SubmissionBatch? = nil,
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
                for position in keys.indices {
                    if let verdict = verdicts[position] {
                        let attestor = plan.image.attestors[position]
                        results[attestor.name] = CachedCheck.check(
                            from: verdict,
                            attestor: attestor,
                            image: plan.image.reference
                        )
                    }
                }
                if allHit {
                    let decision = PlanMemo.Decision(snapshot.engine.decide(plan.image, results: results))
                    entry.remember(decision, for: verdicts)
                    decided[index] = decision
                } else {
                    if misses.isEmpty {
                        // The first miss of a request: room for every item, so appending never regrows.
                        misses.reserveCapacity(items.count - index)
                        pending.reserveCapacity(items.count - index)
                    }
                    // Usually every attestor missed: then the plan's own array of positions serves.
                    let positions =
                        results.isEmpty ? plan.allPositions : keys.indices.filter { verdicts[$0] == nil }
                    misses.append(ImageMisses(slot: pending.count, plan: plan, positions: positions))
                    pending.append(
                        PendingChecks.Slot(index: index, entry: entry, plan: plan, results: results, verdicts: verdicts)
                    )
                }
            }
        }
        if misses.isEmpty {
            completion(.success(decided.map { $0! }))
            return
        }
        let remaining = misses.reduce(0) { $0 + $1.positions.count }
        let checks = PendingChecks(
            decided: decided,
            slots: pending,
            remaining: remaining,
            engine: snapshot.engine,
            memo: snapshot.memo,
            completion: completion
        )
        // Checks started here, grouped by image: a worker reads each image's attestations once and checks every
        // attestor of it that no other request is already checking.
        var startedImages: [ImageMisses] = []
        startedImages.reserveCapacity(misses.count)
        var started: [VerdictCache.Key] = []
        started.reserveCapacity(remaining)
        for image in misses {
            let slot = image.slot
            // Usually every position starts: then the image's own array serves, and none is built.
            var coalesced: [Int] = []
            for position in image.positions {
                let outcome = coalescer.run(
                    key: image.plan.keys[position],
                    waiter: { outcome in checks.deliver(outcome, slot: slot, position: position) }
                ) { key in
                    started.append(key)
                }
                if outcome == .coalesced { coalesced.append(position) }
            }
            if coalesced.count < image.positions.count {
                let positions = coalesced.isEmpty ? image.positions : image.positions.filter { !coalesced.contains($0) }
                startedImages.append(ImageMisses(slot: slot, plan: image.plan, positions: positions))
            }
        }
        guard !started.isEmpty else { return }  // every check is already running for another request
        let deferred = SubmissionBatch.Deferred(snapshot: snapshot, images: startedImages, started: started)
        if let batch {
            batch.add(deferred, handler: self)
        } else {
            submit([deferred])
        }
    }

    /// The most images one verification job checks (reading their attestations in one store call).
    static let maximumReadGroup = 64

    /// Queues the started checks of one or more requests to the workers, all with one lock when they fit;
    /// otherwise request by request, as if each had come alone, so that each gets its own BUSY or its
    /// verdicts.
    ///
    /// - Parameter all: the requests' started checks, in the order they were decided.
    func submit(_ all: [SubmissionBatch.Deferred]) {
        guard !all.isEmpty else { return }
        do {
            let (jobs, weights) = jobs(for: all)
            try pool.submitBatch(jobs, weights: weights)
        } catch {
            guard all.count > 1 else {
                refuse(all[0], error)
                return
            }
            for deferred in all {
                do {
                    let (jobs, weights) = jobs(for: [deferred])
                    try pool.submitBatch(jobs, weights: weights)
                } catch {
                    refuse(deferred, error)
                }
            }
        }
    }

    /// Answers a request's started checks with the queue's refusal.
    private func refuse(_ deferred: SubmissionBatch.Deferred, _ error: WorkerPoolError) {
        let refusal = WireError(
            error.code == .busy ? .busy : .shuttingDown,
            "verification queue refused \(deferred.started.count) check(s): \(error.reason)"
        )
        for key in deferred.started { coalescer.complete(key: key, value: .refused(refusal)) }
    }

    /// The jobs for the started checks of one or more requests, with their weights (images).
    ///
    /// Consecutive images under one configuration snapshot (of any of the requests) are split into jobs of
    /// equal size: one per worker, or more when that would exceed ``maximumReadGroup`` images a job. So a pass's
    /// work spreads over every worker, while each job reads its images' attestations in one store call and
    /// costs one queue entry, one closure and one lock round for all of them. A job weighs its image count, so
    /// the queue's capacity still counts images.
    private func jobs(
        for all: [SubmissionBatch.Deferred]
    ) -> (jobs: [WorkerPool<VerifierContext>.Job], weights: [Int]) {
        var jobs: [WorkerPool<VerifierContext>.Job] = []
        var weights: [Int] = []
        var run: [ImageMisses] = []
        var runSnapshot: DaemonSnapshot? = nil
        func close() {
            guard let snapshot = runSnapshot, !run.isEmpty else { return }
            let perWorker = (run.count + pool.workerCount - 1) / pool.workerCount
            let size = max(1, min(Self.maximumReadGroup, perWorker))
            var start = 0
            while start < run.count {
                let end = min(run.count, start + size)
                jobs.append(verificationJob(Array(run[start..<end]), snapshot: snapshot))
                weights.append(end - start)
                start = end
            }
            run.removeAll(keepingCapacity: true)
            runSnapshot = nil
        }
        for deferred in all {
            if let current = runSnapshot, current !== deferred.snapshot { close() }
            runSnapshot = deferred.snapshot
            run.append(contentsOf: deferred.images)
        }
        close()
        return (jobs, weights)
    }

    /// The job that checks attestors of some images on a worker (reading their attestations in one store call),
    /// caches each definitive result, and wakes every request waiting for each.
    ///
    /// - Parameters:
    ///   - images: the images and the positions of the attestors to check in each.
    ///   - snapshot: the configuration generation.
    private func verificationJob(_ images: [ImageMisses], snapshot: DaemonSnapshot) -> WorkerPool<VerifierContext>.Job {
        let verifier = snapshot.verifier
        let cache = snapshot.cache
        let coalescer = self.coalescer
        return { [self] context in
            // One read for every digest image of the job (a tag image has nothing to read).
            var fetched = [Result<[StoredAttestation], any Error>?](repeating: nil, count: images.count)
            let reads = images.indices.filter { images[$0].plan.image.reference.digest != nil }
            if !reads.isEmpty {
                do {
                    let found = try verifier.source.attestations(
                        images: reads.map { index in
                            let reference = images[index].plan.image.reference
                            return (reference.identity, reference.digest?.description ?? "")
                        }
                    )
                    for (offset, index) in reads.enumerated() { fetched[index] = .success(found[offset]) }
                } catch {
                    for index in reads { fetched[index] = .failure(error) }
                }
            }
            for (index, misses) in images.enumerated() {
                let plan = misses.plan
                let positions = misses.positions
                let all = plan.image.attestors
                // Usually every attestor of the image: then the plan's own array serves, uncopied.
                let attestors = positions.count == all.count ? all : positions.map { all[$0] }
                var operations = 0
                let image = plan.image.reference
                let checks =
                    if let read = fetched[index] {
                        verifier.check(
                            image: image,
                            fetched: read,
                            attestors: attestors,
                            context: context,
                            operations: &operations
                        )
                    } else {
                        verifier.check(image: image, attestors: attestors, context: context, operations: &operations)
                    }
                verifyChecks.wrappingAdd(UInt64(positions.count), ordering: .relaxed)
                verifyOperations.wrappingAdd(UInt64(operations), ordering: .relaxed)
                for (offset, check) in checks.enumerated() {
                    let key = plan.keys[positions[offset]]
                    let verdict = CachedCheck.verdict(for: check, attestor: attestors[offset])
                    if let cache, let verdict { cache.insert(verdict, for: key) }
                    coalescer.complete(key: key, value: .check(check, verdict: verdict))
                }
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

/// The attestors of one image that a request must have checked on the workers.
///
/// It refers to the memo's plan and to attestor positions in it instead of copying the attestors and the
/// image reference: each copy of those retains a dozen strings and arrays that every thread shares.
struct ImageMisses {
    /// The image's slot in the request's ``PendingChecks``.
    var slot: Int
    /// The image's plan (its attestors and their cache keys).
    var plan: PlanMemo.Entry.Pending
    /// Positions in `plan.image.attestors`, ascending.
    var positions: [Int]
}
