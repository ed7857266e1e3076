import Dispatch
import Synchronization
import Testing

@testable import AttestDaemon

#if canImport(Glibc)
    import Glibc
#endif

struct WorkerPoolTests {
    /// Per-worker state that remembers which thread created it; deliberately not Sendable.
    final class ScratchState {
        let index: Int
        let creatingThread: pthread_t
        var jobsRun = 0

        init(index: Int) {
            self.index = index
            creatingThread = pthread_self()
        }
    }

    /// Blocks a worker until the test opens it; bounded so a broken pool fails instead of hanging.
    final class Gate: Sendable {
        private let entered = DispatchSemaphore(value: 0)
        private let opened = DispatchSemaphore(value: 0)

        func pass() {
            entered.signal()
            _ = opened.wait(timeout: .now() + 60)
        }

        func waitUntilEntered() -> Bool {
            entered.wait(timeout: .now() + 60) == .success
        }

        func open() {
            opened.signal()
        }
    }

    @Test(arguments: [1, 2, 4])
    func everyJobRunsExactlyOnce(workers: Int) {
        let pool = WorkerPool(workerCount: workers, queueCapacity: 100_000) { ScratchState(index: $0) }
        let jobs = 20_000
        let runs = Mutex([Int](repeating: 0, count: jobs))
        for index in 0..<(jobs / 2) {
            try? pool.submit { _ in runs.withLock { $0[index] += 1 } }
        }
        let batch: [WorkerPool<ScratchState>.Job] = ((jobs / 2)..<jobs).map { index in
            { _ in runs.withLock { $0[index] += 1 } }
        }
        for chunk in stride(from: 0, to: batch.count, by: 100) {
            #expect(throws: Never.self) { try pool.submitBatch(Array(batch[chunk..<min(chunk + 100, batch.count)])) }
        }
        pool.shutdown(drain: true)
        #expect(runs.withLock { $0.allSatisfy { $0 == 1 } })
        let stats = pool.statistics
        #expect(stats.queued == UInt64(jobs))
        #expect(stats.completed == UInt64(jobs))
        #expect(stats.rejected == 0)
        #expect(stats.depth == 0)
        #expect(stats.batches == UInt64(jobs / 2 / 100))
        #expect(stats.batchedJobs == UInt64(jobs / 2))
        #expect(stats.largestBatch == 100)
        #expect(stats.meanBatchSize == 100)
        #expect(stats.workers == workers)
    }

    @Test func eachStateStaysOnTheThreadThatCreatedIt() {
        let workers = 4
        let factoryCalls = Atomic<Int>(0)
        let pool = WorkerPool(workerCount: workers, queueCapacity: 10_000) { index in
            factoryCalls.wrappingAdd(1, ordering: .relaxed)
            return ScratchState(index: index)
        }
        // (state index, creating thread, running thread) per job.
        let sightings = Mutex([(Int, pthread_t, pthread_t)]())
        for _ in 0..<5000 {
            try? pool.submit { state in
                state.jobsRun += 1
                let record = (state.index, state.creatingThread, pthread_self())
                sightings.withLock { $0.append(record) }
            }
        }
        pool.shutdown(drain: true)
        #expect(factoryCalls.load(ordering: .relaxed) == workers)
        let all = sightings.withLock { $0 }
        #expect(all.count == 5000)
        var threadOfState: [Int: pthread_t] = [:]
        for (index, creator, runner) in all {
            #expect(pthread_equal(creator, runner) != 0, "state \(index) ran on a thread that did not create it")
            if let known = threadOfState[index] {
                #expect(pthread_equal(known, runner) != 0, "state \(index) was used by two threads")
            } else {
                threadOfState[index] = runner
            }
        }
        #expect(threadOfState.keys.allSatisfy { (0..<workers).contains($0) })
    }

    /// Whether a submission failed for want of room.
    static func isBusy(_ error: any Error) -> Bool { (error as? WorkerPoolError)?.code == .busy }

    @Test func refusesWorkWithBusyWhenTheQueueIsFull() throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 2) { ScratchState(index: $0) }
        let gate = Gate()
        try pool.submit { _ in gate.pass() }
        #expect(gate.waitUntilEntered())
        // The only worker is held: the queue fills up.
        try pool.submit { _ in }
        try pool.submit { _ in }
        #expect {
            try pool.submit { _ in Issue.record("a refused job ran") }
        } throws: { Self.isBusy($0) }
        #expect {
            try pool.submitBatch([{ _ in }, { _ in }])
        } throws: { Self.isBusy($0) }
        var stats = pool.statistics
        #expect(stats.depth == 2)
        #expect(stats.maximumDepth == 2)
        #expect(stats.rejected == 3)
        gate.open()
        pool.shutdown(drain: true)
        stats = pool.statistics
        #expect(stats.completed == 3)
        #expect(stats.queued == 3)
        #expect(stats.batches == 0)
    }

    @Test func weightedJobsTakeTheRoomOfTheirWeightAndCountAsIt() throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 6) { ScratchState(index: $0) }
        let gate = Gate()
        try pool.submit { _ in gate.pass() }
        #expect(gate.waitUntilEntered())
        // The only worker is held. A job of weight 7 can never fit a queue of 6, alone or not.
        #expect {
            try pool.submitBatch([{ _ in Issue.record("a refused job ran") }], weights: [7])
        } throws: { Self.isBusy($0) }
        // Two jobs of 2 and 3: five units, one left.
        let ran = Mutex<[Int]>([])
        try pool.submitBatch(
            [{ _ in ran.withLock { $0.append(2) } }, { _ in ran.withLock { $0.append(3) } }],
            weights: [2, 3]
        )
        var stats = pool.statistics
        #expect(stats.depth == 5)
        #expect(stats.rejected == 7)
        #expect(stats.largestBatch == 5)
        // Two more units do not fit; one does.
        #expect {
            try pool.submitBatch([{ _ in Issue.record("a refused job ran") }], weights: [2])
        } throws: { Self.isBusy($0) }
        try pool.submit { _ in ran.withLock { $0.append(1) } }
        stats = pool.statistics
        #expect(stats.depth == 6)
        #expect(stats.maximumDepth == 6)
        #expect(stats.rejected == 9)
        gate.open()
        pool.shutdown(drain: true)
        stats = pool.statistics
        #expect(ran.withLock { $0 } == [2, 3, 1])
        #expect(stats.depth == 0)
        #expect(stats.queued == 7, "1 + 2 + 3 + 1 units accepted")
        #expect(stats.completed == 7)
        #expect(stats.batchedJobs == 5)
    }

    @Test func shutdownWithDrainRunsEveryQueuedJob() throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 1_000_000) { ScratchState(index: $0) }
        let gate = Gate()
        let ran = Atomic<Int>(0)
        try pool.submit { _ in gate.pass() }
        #expect(gate.waitUntilEntered())
        for _ in 0..<50 { try pool.submit { _ in ran.wrappingAdd(1, ordering: .relaxed) } }
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            pool.shutdown(drain: true)
            stopped.signal()
        }
        // Submit until the pool says it is shutting down; every accepted job must still run.
        var accepted = 50
        var refusedForShutdown = false
        // Bounded by time, not by a count: under load the shutdown thread may not run for a long while.
        let deadline = DispatchTime.now() + .seconds(60)
        while DispatchTime.now() < deadline {
            do {
                try pool.submit { _ in ran.wrappingAdd(1, ordering: .relaxed) }
                accepted += 1
            } catch {
                if error.code == .shutDown {
                    refusedForShutdown = true
                    break
                }
            }
            sched_yield()
        }
        #expect(refusedForShutdown)
        gate.open()
        #expect(stopped.wait(timeout: .now() + 60) == .success)
        #expect(ran.load(ordering: .relaxed) == accepted)
        #expect(pool.statistics.completed == UInt64(accepted + 1))
        #expect(pool.statistics.dropped == 0)
        // A second shutdown returns at once.
        pool.shutdown(drain: true)
    }

    @Test func shutdownWithoutDrainDropsQueuedJobs() throws {
        let pool = WorkerPool(workerCount: 1, queueCapacity: 100) { ScratchState(index: $0) }
        let gate = Gate()
        try pool.submit { _ in gate.pass() }
        #expect(gate.waitUntilEntered())
        for _ in 0..<10 { try pool.submit { _ in Issue.record("a dropped job ran") } }
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            pool.shutdown(drain: false)
            stopped.signal()
        }
        // Jobs accepted before shutdown begins are dropped too: the only worker is still held.
        var shutDown = false
        var accepted = 10
        // Bounded by time, not by a count: under load the shutdown thread may not run for a long while.
        let deadline = DispatchTime.now() + .seconds(60)
        while DispatchTime.now() < deadline {
            do {
                try pool.submitBatch([{ _ in Issue.record("a job queued before shutdown ran") }])
                accepted += 1
            } catch {
                if error.code == .shutDown {
                    shutDown = true
                    break
                }
            }
            sched_yield()
        }
        #expect(shutDown)
        gate.open()
        #expect(stopped.wait(timeout: .now() + 60) == .success)
        let stats = pool.statistics
        #expect(stats.completed == 1)
        #expect(stats.dropped == UInt64(accepted))
        #expect(stats.depth == 0)
    }

    @Test func idleWorkersWakeForWorkArrivingOneJobAtATime() throws {
        // Every job arrives while the workers are parked: each must be woken, none may sleep through.
        let pool = WorkerPool(workerCount: 2, queueCapacity: 4) { ScratchState(index: $0) }
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<500 {
            try pool.submit { _ in done.signal() }
            #expect(done.wait(timeout: .now() + 60) == .success)
        }
        pool.shutdown(drain: true)
        #expect(pool.statistics.completed == 500)
    }
}
