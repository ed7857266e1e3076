import Dispatch
import Foundation
import Testing

@testable import AttestDaemon

/// ``WorkerPool/shutdown(drain:)`` called again after the workers exited, from threads that did not exist
/// before: it must return, never mistake the caller for one of the exited workers.
struct WorkerPoolShutdownTests {
    @Test func repeatedShutdownFromNewThreadsReturns() {
        let pool = WorkerPool(workerCount: 2, queueCapacity: 4) { $0 }
        pool.shutdown(drain: true)
        // Thread objects of new threads are allocated where the exited workers' were freed: the pool must not
        // recognise a worker by the address of a Thread object that no longer exists.
        let done = DispatchGroup()
        for _ in 0..<64 {
            done.enter()
            let thread = Thread {
                pool.shutdown(drain: true)
                done.leave()
            }
            thread.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
    }
}
