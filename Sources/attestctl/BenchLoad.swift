import AttestClient
import AttestWire
import Foundation
import Histogram
import Synchronization

/// Drives the daemon: C connections, D frames in flight on each, N items per frame, for a fixed time; records
/// each frame's round trip in an HDR histogram.
///
/// Bodies are encoded once up front into one ring per connection, each cycling its own share of the miss set
/// in order (see ``BenchFixture``), so the client spends its CPU on sockets, not encoding. Responses are
/// checked cheaply: an ERROR frame or a wrong result count is an error, and every 64th response is fully
/// decoded and each result must be admitted (CHECK) or valid (VERIFY).
///
/// PING mode sends PING frames (one item each, `--batch` bytes of echo data, at least 8) through exactly the
/// same raw client path, so a depth-1 cache hit (`--mode check --hit-ratio 1 --depth 1 --batch 1`) can be
/// compared with the bare round trip of the same client, socket and daemon event loop.
final class BenchLoad: @unchecked Sendable {
    enum Mode: String, CaseIterable, Sendable {
        case check, verify, ping

        /// The request opcode of the mode.
        var opcode: Opcode {
            switch self {
            case .check: .check
            case .verify: .verify
            case .ping: .ping
            }
        }

        /// What one item is called in the progress line.
        var itemName: String {
            switch self {
            case .check: "checks"
            case .verify: "verifies"
            case .ping: "pings"
            }
        }
    }

    struct Report {
        var items: UInt64
        var frames: UInt64
        var errors: UInt64
        var firstError: String?
        var seconds: Double
        var histogram: Histogram<UInt64>

        /// This report and a later one of the same load, as one: counts and times added, histograms merged.
        func adding(_ other: Report) -> Report {
            var histogram = histogram
            histogram.add(other.histogram)
            return Report(
                items: items + other.items,
                frames: frames + other.frames,
                errors: errors + other.errors,
                firstError: firstError ?? other.firstError,
                seconds: seconds + other.seconds,
                histogram: histogram
            )
        }
    }

    private struct Shared {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: 120_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        var frames: UInt64 = 0
        var errors: UInt64 = 0
        var firstError: String?
        /// Where each of this connection's slots stopped: the next run resumes the ring there.
        var resume: [Int] = []
    }

    let mode: Mode
    let batch: Int
    let depth: Int
    /// Each connection's request bodies, sent in order and round again.
    let rings: [[[UInt8]]]
    let items = Atomic<UInt64>(0)
    private let running = Atomic<Bool>(true)
    private let inFlight = Atomic<Int>(0)
    private let shards: [LockedBox<Shared>]

    init(fixture: BenchFixture, mode: Mode, batch: Int, depth: Int, connections: Int, hitRatio: Double) {
        self.mode = mode
        self.batch = mode == .ping ? 1 : batch
        self.depth = depth
        shards = (0..<connections).map { _ in LockedBox(Shared()) }
        if mode == .ping {
            // One PING frame is one item; its echo data is --batch bytes (at least 8, like `attestctl ping`).
            let ring = [PingRequest(data: [UInt8](repeating: 0x61, count: Swift.max(8, batch))).encodedBody()]
            rings = Array(repeating: ring, count: connections)
            return
        }
        // Each connection cycles its own share of the miss set, so no two connections ever send the same miss
        // (connections drift apart in speed, and on a shared ring one would lap another and coalesce with it).
        let shares = Swift.min(connections, Swift.max(1, fixture.misses.count))
        rings = (0..<connections).map { index in
            let share = index % shares
            let lower = share * fixture.misses.count / shares
            let upper = (share + 1) * fixture.misses.count / shares
            return Self.ring(
                fixture: fixture,
                misses: fixture.misses[lower..<upper],
                mode: mode,
                batch: batch,
                hitRatio: hitRatio
            )
        }
    }

    /// One connection's frames: one pass over its misses (64 frames of hot digests when there are none), a
    /// fraction `hitRatio` of each frame's slots being hot digests, spread evenly.
    private static func ring(
        fixture: BenchFixture,
        misses: ArraySlice<BenchFixture.Item>,
        mode: Mode,
        batch: Int,
        hitRatio: Double
    ) -> [[UInt8]] {
        let missShare = Swift.max(1.0, Double(batch) * (1 - hitRatio))
        let period = Int((Double(misses.count) / missShare).rounded(.up))
        let frames = Swift.min(65_536, misses.isEmpty || hitRatio >= 1 ? 64 : Swift.max(1, period))
        var ring: [[UInt8]] = []
        ring.reserveCapacity(frames)
        var slot = 0
        var miss = 0
        var hot = 0
        for _ in 0..<frames {
            var chosen: [BenchFixture.Item] = []
            for _ in 0..<batch {
                let isHit =
                    misses.isEmpty
                    || Int((Double(slot + 1) * hitRatio).rounded(.down)) > Int((Double(slot) * hitRatio).rounded(.down))
                slot += 1
                if isHit {
                    chosen.append(fixture.hot[hot % fixture.hot.count])
                    hot += 1
                } else {
                    chosen.append(misses[misses.startIndex + miss % misses.count])
                    miss += 1
                }
            }
            switch mode {
            case .check:
                let request = CheckRequest(
                    items: chosen.map { CheckItem(namespace: BenchFixture.namespace, image: $0.image) }
                )
                ring.append(request.encodedBody())
            case .verify:
                let request = VerifyRequest(
                    items: chosen.map {
                        VerifyItem(
                            algorithm: fixture.algorithm,
                            key: .attestor(BenchFixture.attestor),
                            image: $0.image,
                            payload: $0.payload,
                            signature: $0.signature
                        )
                    }
                )
                ring.append(request.encodedBody())
            case .ping:
                break  // answered in init
            }
        }
        return ring
    }

    /// Runs the load on `clients` (one per connection, as many as at ``init``) for `duration` seconds,
    /// printing progress to standard error every second.
    ///
    /// A later run (the next round, on new clients) resumes each slot where the previous run stopped it, so the
    /// rounds together send the ring in order, exactly like one long run: a miss does not come round sooner.
    func run(clients: [AttestClient], duration: Double) async throws -> Report {
        for client in clients { try await client.connect() }
        let opcode = mode.opcode
        running.store(true, ordering: .relaxed)
        items.store(0, ordering: .relaxed)
        var starts: [[Int]] = []
        for (index, shard) in shards.enumerated() {
            starts.append(
                shard.update { shared in
                    let resume = shared.resume
                    shared = Shared()
                    if resume.count == depth { return resume }
                    return (0..<depth).map { $0 % rings[index].count }
                }
            )
        }
        let started = ContinuousClock.now
        for (index, client) in clients.enumerated() {
            for cursor in starts[index] { send(client: client, shard: index, opcode: opcode, cursor: cursor) }
        }
        var last = (items: UInt64(0), at: ContinuousClock.now)
        while (ContinuousClock.now - started).seconds < duration {
            try await Task.sleep(for: .seconds(Swift.min(1.0, duration - (ContinuousClock.now - started).seconds)))
            let now = ContinuousClock.now
            let done = items.load(ordering: .relaxed)
            let rate = Double(done - last.items) / Swift.max(1e-9, (now - last.at).seconds)
            let errors = shards.reduce(UInt64(0)) { $0 + $1.get().errors }
            printError(
                String(
                    format: "bench: %5.1f s  %10.0f %@/s  %llu errors",
                    (now - started).seconds,
                    rate,
                    mode.itemName,
                    errors
                )
            )
            last = (done, now)
        }
        running.store(false, ordering: .relaxed)
        let measured = (ContinuousClock.now - started).seconds
        let counted = items.load(ordering: .relaxed)
        let drainDeadline = ContinuousClock.now + .seconds(10)
        while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < drainDeadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        var merged = Shared()
        for shard in shards {
            shard.update {
                merged.histogram.add($0.histogram)
                merged.frames += $0.frames
                merged.errors += $0.errors
                merged.firstError = merged.firstError ?? $0.firstError
            }
        }
        return Report(
            items: counted,
            frames: merged.frames,
            errors: merged.errors,
            firstError: merged.firstError,
            seconds: measured,
            histogram: merged.histogram
        )
    }

    private func send(client: AttestClient, shard: Int, opcode: Opcode, cursor: Int) {
        inFlight.add(1, ordering: .relaxed)
        let start = ContinuousClock.now
        let ring = rings[shard]
        client.sendBatchNow(opcode: opcode, bodies: [ring[cursor]]) { [self] _, result in
            let elapsed = ContinuousClock.now - start
            let problem = problem(with: result, sequence: cursor)
            shards[shard].update {
                _ = $0.histogram.record(UInt64(Swift.max(0, elapsed.nanoseconds)))
                $0.frames += 1
                if let problem {
                    $0.errors += 1
                    if $0.firstError == nil { $0.firstError = problem }
                }
            }
            if problem == nil, running.load(ordering: .relaxed) { items.add(UInt64(batch), ordering: .relaxed) }
            inFlight.subtract(1, ordering: .relaxed)
            let next = (cursor + depth) % ring.count
            if running.load(ordering: .relaxed) {
                if case .failure = result {
                    // A broken connection would fail instantly in a loop: stop this slot.
                    return
                }
                send(client: client, shard: shard, opcode: opcode, cursor: next)
            } else {
                shards[shard].update { $0.resume.append(next) }
            }
        }
    }

    private func problem(with result: Result<Frame, AttestClientError>, sequence: Int) -> String? {
        let frame: Frame
        switch result {
        case .failure(let error): return error.description
        case .success(let answer): frame = answer
        }
        if frame.header.opcode == .error {
            let error = try? ErrorResponse(decoding: frame.body)
            return "daemon refused a frame: \(error.map { "\($0.status.name): \($0.message)" } ?? "unreadable ERROR")"
        }
        if mode == .ping {
            guard frame.header.opcode == .ping, frame.body == rings[0][0] else {
                return "PING answered with \(frame.header.opcode) and \(frame.body.count) body bytes, not the echo"
            }
            return nil
        }
        guard frame.body.count >= 4 else { return "response body of \(frame.body.count) bytes" }
        let count = Int(frame.body[0]) << 24 | Int(frame.body[1]) << 16 | Int(frame.body[2]) << 8 | Int(frame.body[3])
        guard count == batch else { return "response with \(count) results for \(batch) items" }
        guard sequence % 64 == 0 else { return nil }
        do {
            switch mode {
            case .check:
                let response = try CheckResponse(decoding: frame.body)
                if let bad = response.results.first(where: { $0.decision != .admitted }) {
                    return "an attested image was not admitted: \(bad.reason): \(bad.message)"
                }
            case .verify:
                let response = try VerifyResponse(decoding: frame.body)
                if let bad = response.results.first(where: { $0.status != .valid }) {
                    return "a valid signature did not verify: \(bad.reason): \(bad.message)"
                }
            case .ping:
                break
            }
        } catch {
            return "broken response: \(error)"
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { microseconds / 1e6 }

    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
