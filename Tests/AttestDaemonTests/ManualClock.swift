import Synchronization

/// A clock that moves only when a test says so.
final class ManualClock: Sendable {
    private let nanoseconds: Atomic<UInt64>

    init(start: UInt64 = 1_000_000_000) {
        nanoseconds = Atomic(start)
    }

    /// The current reading.
    var now: UInt64 {
        nanoseconds.load(ordering: .relaxed)
    }

    /// Moves the clock forward.
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.wrappingAdd(
            UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000),
            ordering: .relaxed
        )
    }

    /// The closure a cache reads.
    var closure: @Sendable () -> UInt64 {
        { [self] in now }
    }
}
