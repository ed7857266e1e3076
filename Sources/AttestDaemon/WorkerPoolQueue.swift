/// The bounded ring buffer, parked-worker list and counters of a ``WorkerPool``, always used under its lock.
struct WorkerPoolQueue<Job>: ~Copyable {
    /// What a push did.
    enum PushOutcome<Wake> {
        case accepted(wake: Wake)
        case busy(depth: Int)
        case shutDown
    }

    private let capacity: Int
    private let ring: UnsafeMutablePointer<Job>
    private var head = 0
    private var count = 0
    /// Workers parked on their semaphores, most recently parked last.
    private var parked: [Int]
    private(set) var isShutDown = false
    private(set) var statistics = WorkerPoolStatistics()

    init(capacity: Int, workers: Int) {
        self.capacity = capacity
        ring = .allocate(capacity: capacity)
        parked = []
        parked.reserveCapacity(workers)
    }

    deinit {
        var index = head
        for _ in 0..<count {
            (ring + index).deinitialize(count: 1)
            index = index + 1 == capacity ? 0 : index + 1
        }
        ring.deallocate()
    }

    // MARK: - Producers

    mutating func push(_ job: Job) -> PushOutcome<Int?> {
        if isShutDown { return .shutDown }
        guard count < capacity else {
            statistics.rejected += 1
            return .busy(depth: count)
        }
        append(job)
        statistics.queued += 1
        return .accepted(wake: parked.popLast())
    }

    mutating func push(batch jobs: [Job]) -> PushOutcome<[Int]> {
        if isShutDown { return .shutDown }
        guard capacity - count >= jobs.count else {
            statistics.rejected += UInt64(jobs.count)
            return .busy(depth: count)
        }
        for job in jobs { append(job) }
        statistics.queued += UInt64(jobs.count)
        statistics.batches += 1
        statistics.batchedJobs += UInt64(jobs.count)
        statistics.largestBatch = max(statistics.largestBatch, jobs.count)
        let woken = min(jobs.count, parked.count)
        let wake = Array(parked.suffix(woken))
        parked.removeLast(woken)
        return .accepted(wake: wake)
    }

    // MARK: - Workers

    mutating func pop() -> Job? {
        guard count > 0 else { return nil }
        let job = (ring + head).move()
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        statistics.depth = count
        return job
    }

    mutating func park(worker: Int) {
        parked.append(worker)
    }

    // MARK: - Shutdown

    /// Refuses further work, and hands back the parked workers to wake and (when not draining) the dropped jobs.
    mutating func beginShutdown(drain: Bool) -> (wake: [Int], dropped: [Job]) {
        isShutDown = true
        var dropped: [Job] = []
        if !drain {
            dropped.reserveCapacity(count)
            while let job = pop() { dropped.append(job) }
            statistics.dropped += UInt64(dropped.count)
        }
        let wake = parked
        parked.removeAll()
        return (wake, dropped)
    }

    // MARK: - Ring

    private mutating func append(_ job: Job) {
        var tail = head + count
        if tail >= capacity { tail -= capacity }
        (ring + tail).initialize(to: job)
        count += 1
        statistics.depth = count
        statistics.maximumDepth = max(statistics.maximumDepth, count)
    }
}
