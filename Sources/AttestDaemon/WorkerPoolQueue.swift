/// The bounded ring buffer, parked-worker list and counters of a ``WorkerPool``, always used under its lock.
///
/// Each job has a weight, the units of work it stands for (a verification job checking eight images weighs
/// eight); capacity, depth and the counters are in those units, so a queue of capacity N holds N units however
/// they are grouped into jobs.
struct WorkerPoolQueue<Job>: ~Copyable {
    /// A queued job and its weight.
    struct Entry {
        var job: Job
        var weight: Int
    }

    /// What a push did.
    enum PushOutcome<Wake> {
        case accepted(wake: Wake)
        case busy(depth: Int)
        case shutDown
    }

    private let capacity: Int
    private let ring: UnsafeMutablePointer<Entry>
    private var head = 0
    /// Jobs in the ring.
    private var count = 0
    /// The sum of their weights: what capacity bounds.
    private var load = 0
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

    mutating func push(_ job: Job, weight: Int = 1) -> PushOutcome<Int?> {
        if isShutDown { return .shutDown }
        guard capacity - load >= weight else {
            statistics.rejected += UInt64(weight)
            return .busy(depth: load)
        }
        append(Entry(job: job, weight: weight))
        statistics.queued += UInt64(weight)
        return .accepted(wake: parked.popLast())
    }

    /// Queues every job or none.
    ///
    /// - Parameters:
    ///   - jobs: the jobs, in order.
    ///   - weights: each job's weight, at least 1; `nil` for 1 each.
    /// - Returns: the workers to wake (at most one per job), or why nothing was queued.
    mutating func push(batch jobs: [Job], weights: [Int]? = nil) -> PushOutcome<[Int]> {
        if isShutDown { return .shutDown }
        let total = weights?.reduce(0, +) ?? jobs.count
        guard capacity - load >= total else {
            statistics.rejected += UInt64(total)
            return .busy(depth: load)
        }
        for (index, job) in jobs.enumerated() { append(Entry(job: job, weight: weights?[index] ?? 1)) }
        statistics.queued += UInt64(total)
        statistics.batches += 1
        statistics.batchedJobs += UInt64(total)
        statistics.largestBatch = max(statistics.largestBatch, total)
        let woken = min(jobs.count, parked.count)
        let wake = Array(parked.suffix(woken))
        parked.removeLast(woken)
        return .accepted(wake: wake)
    }

    // MARK: - Workers

    mutating func pop() -> Entry? {
        guard count > 0 else { return nil }
        let entry = (ring + head).move()
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        load -= entry.weight
        statistics.depth = load
        return entry
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
            var weight = 0
            while let entry = pop() {
                dropped.append(entry.job)
                weight += entry.weight
            }
            statistics.dropped += UInt64(weight)
        }
        let wake = parked
        parked.removeAll()
        return (wake, dropped)
    }

    // MARK: - Ring

    private mutating func append(_ entry: Entry) {
        var tail = head + count
        if tail >= capacity { tail -= capacity }
        (ring + tail).initialize(to: entry)
        count += 1
        load += entry.weight
        statistics.depth = load
        statistics.maximumDepth = max(statistics.maximumDepth, load)
    }
}
