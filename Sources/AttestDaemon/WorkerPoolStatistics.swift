/// A snapshot of a ``WorkerPool``'s counters, in units of work: a job counts as its weight (1 unless it was
/// submitted with one, see ``WorkerPool/submitBatch(_:weights:)``).
public struct WorkerPoolStatistics: Hashable, Sendable {
    /// Jobs accepted into the queue since the pool started.
    public var queued: UInt64 = 0
    /// Jobs that have finished running.
    public var completed: UInt64 = 0
    /// Jobs refused because the queue was full (each job of a refused batch counts).
    public var rejected: UInt64 = 0
    /// Jobs dropped unrun by ``WorkerPool/shutdown(drain:)`` without draining.
    public var dropped: UInt64 = 0
    /// Jobs waiting in the queue now.
    public var depth: Int = 0
    /// The most jobs that have waited in the queue at once.
    public var maximumDepth: Int = 0
    /// Batches accepted by ``WorkerPool/submitBatch(_:weights:)``.
    public var batches: UInt64 = 0
    /// Jobs in those batches.
    public var batchedJobs: UInt64 = 0
    /// The largest accepted batch.
    public var largestBatch: Int = 0
    /// The number of worker threads.
    public var workers: Int = 0
    /// The queue's capacity.
    public var capacity: Int = 0

    /// The mean size of accepted batches, 0 when there were none.
    public var meanBatchSize: Double {
        batches == 0 ? 0 : Double(batchedJobs) / Double(batches)
    }
}
