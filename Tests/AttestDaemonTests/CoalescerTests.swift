import Dispatch
import Synchronization
import Testing

@testable import AttestDaemon

struct CoalescerTests {
    @Test func oneHundredIdenticalRequestsStartTheWorkOnce() {
        let coalescer = Coalescer<String, Int>()
        let started = Atomic<Int>(0)
        let delivered = Mutex([Int]())
        let outcomes = Mutex([Coalescer<String, Int>.Outcome]())
        DispatchQueue.concurrentPerform(iterations: 100) { caller in
            let outcome = coalescer.run(
                key: "registry.example/app@sha256:aa|attestor",
                waiter: { value in delivered.withLock { $0.append(value * 1000 + caller) } },
                start: { _ in started.wrappingAdd(1, ordering: .relaxed) }
            )
            outcomes.withLock { $0.append(outcome) }
        }
        #expect(started.load(ordering: .relaxed) == 1)
        #expect(outcomes.withLock { $0.filter { $0 == .started }.count } == 1)
        #expect(delivered.withLock { $0.isEmpty }, "nothing is delivered before completion")
        #expect(coalescer.statistics.inFlight == 1)

        #expect(coalescer.complete(key: "registry.example/app@sha256:aa|attestor", value: 7) == 100)
        let values = delivered.withLock { $0 }
        #expect(values.count == 100)
        #expect(Set(values.map { $0 % 1000 }) == Set(0..<100), "every caller got the result exactly once")
        #expect(values.allSatisfy { $0 / 1000 == 7 })
        let stats = coalescer.statistics
        #expect(stats.started == 1)
        #expect(stats.coalesced == 99)
        #expect(stats.completed == 1)
        #expect(stats.inFlight == 0)
    }

    @Test func differentKeysAreNotCoalesced() {
        let coalescer = Coalescer<Int, String>(shardCount: 4)
        let started = Mutex([Int]())
        for key in 0..<50 {
            let outcome = coalescer.run(
                key: key,
                waiter: { _ in },
                start: { key in started.withLock { $0.append(key) } }
            )
            #expect(outcome == .started)
        }
        #expect(started.withLock { $0 } == Array(0..<50))
        #expect(coalescer.statistics.coalesced == 0)
        #expect(coalescer.statistics.inFlight == 50)
        for key in 0..<50 { #expect(coalescer.complete(key: key, value: "\(key)") == 1) }
        #expect(coalescer.statistics.inFlight == 0)
    }

    @Test func completionForgetsTheKeySoTheNextRequestStartsAgain() {
        let coalescer = Coalescer<String, Bool>()
        let received = Mutex([Bool]())
        #expect(
            coalescer.run(key: "k", waiter: { v in received.withLock { $0.append(v) } }, start: { _ in }) == .started
        )
        #expect(
            coalescer.run(key: "k", waiter: { v in received.withLock { $0.append(v) } }, start: { _ in }) == .coalesced
        )
        #expect(coalescer.complete(key: "k", value: true) == 2)
        #expect(coalescer.complete(key: "k", value: false) == 0, "a second completion finds nothing in flight")
        #expect(
            coalescer.run(key: "k", waiter: { v in received.withLock { $0.append(v) } }, start: { _ in }) == .started
        )
        #expect(coalescer.complete(key: "k", value: false) == 1)
        #expect(received.withLock { $0 } == [true, true, false])
    }

    @Test func workThatCompletesInsideStartStillDeliversToItsCaller() {
        // A starter that finds its answer at once (say, in the cache) completes before run returns.
        let coalescer = Coalescer<String, Int>()
        let received = Mutex([Int]())
        let outcome = coalescer.run(key: "k", waiter: { v in received.withLock { $0.append(v) } }) { key in
            coalescer.complete(key: key, value: 42)
        }
        #expect(outcome == .started)
        #expect(received.withLock { $0 } == [42])
        #expect(coalescer.statistics.inFlight == 0)
    }

    @Test func concurrentMixedKeysDeliverEveryWaiterItsOwnKeysResult() {
        let coalescer = Coalescer<Int, Int>(shardCount: 8)
        let keys = 20
        let callers = 400
        let receivedWrong = Atomic<Int>(0)
        let receivedTotal = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            let key = caller % keys
            coalescer.run(
                key: key,
                waiter: { value in
                    if value != key * 10 { receivedWrong.wrappingAdd(1, ordering: .relaxed) }
                    receivedTotal.wrappingAdd(1, ordering: .relaxed)
                },
                start: { _ in }
            )
        }
        let stats = coalescer.statistics
        #expect(stats.started == UInt64(keys))
        #expect(stats.coalesced == UInt64(callers - keys))
        for key in 0..<keys { coalescer.complete(key: key, value: key * 10) }
        #expect(receivedTotal.load(ordering: .relaxed) == callers)
        #expect(receivedWrong.load(ordering: .relaxed) == 0)
    }
}
