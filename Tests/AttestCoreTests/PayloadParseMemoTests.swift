import Testing

@testable import AttestCore

struct PayloadParseMemoTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)

    static func payload(digest: String = digestA) -> [UInt8] {
        SimpleSigningPayload(
            dockerReference: "docker.io/library/alpine",
            manifestDigest: digest,
            type: "atomic container signature"
        ).serialized()
    }

    /// Parses through the memo, counting how often the parser really ran.
    private static func parse(_ bytes: [UInt8], memo: PayloadParseMemo, runs: inout Int) throws(PayloadError)
        -> SimpleSigningPayload
    {
        var ran = 0
        defer { runs += ran }
        return try memo.payload(for: bytes) { () throws(PayloadError) in
            ran += 1
            return try SimpleSigningPayload.parse(bytes)
        }
    }

    @Test func theSameArrayIsParsedOnce() throws {
        let memo = PayloadParseMemo()
        let bytes = Self.payload()
        var runs = 0
        let first = try Self.parse(bytes, memo: memo, runs: &runs)
        let copy = bytes  // shares the storage: the same array
        let second = try Self.parse(copy, memo: memo, runs: &runs)
        #expect(runs == 1)
        #expect(memo.hits == 1)
        #expect(first == second)
        #expect(second.manifestDigest == Self.digestA)
    }

    @Test func equalBytesInAnotherArrayAreParsedAgain() throws {
        let memo = PayloadParseMemo()
        let one = Self.payload()
        let other = Array(one.map { $0 })  // same bytes, new storage
        var runs = 0
        _ = try Self.parse(one, memo: memo, runs: &runs)
        let parsed = try Self.parse(other, memo: memo, runs: &runs)
        #expect(runs == 2, "identity, never equality of a hash, decides a hit")
        #expect(parsed.manifestDigest == Self.digestA)
    }

    @Test func anEditedCopyIsNeverAnsweredWithTheOriginal() throws {
        let memo = PayloadParseMemo()
        let original = Self.payload()
        var runs = 0
        _ = try Self.parse(original, memo: memo, runs: &runs)
        // Copy-on-write gives the edited copy its own storage; the memo must see the new digest.
        var edited = original
        let digestA = Array(Self.digestA.utf8)
        let start = try #require(
            (0...(edited.count - digestA.count)).first { Array(edited[$0..<($0 + digestA.count)]) == digestA }
        )
        edited.replaceSubrange(start..<(start + digestA.count), with: Array(Self.digestB.utf8))
        let parsed = try Self.parse(edited, memo: memo, runs: &runs)
        #expect(runs == 2)
        #expect(parsed.manifestDigest == Self.digestB)
        // And the original is still remembered as it was.
        #expect(try Self.parse(original, memo: memo, runs: &runs).manifestDigest == Self.digestA)
        #expect(runs == 2)
    }

    @Test func refusalsAreNotRemembered() throws {
        let memo = PayloadParseMemo()
        let broken: [UInt8] = Array("{\"critical\": 1}".utf8)
        var runs = 0
        for _ in 0..<2 {
            #expect(throws: PayloadError.self) { try Self.parse(broken, memo: memo, runs: &runs) }
        }
        #expect(runs == 2)
        #expect(memo.hits == 0)
        let empty: [UInt8] = []
        #expect(throws: PayloadError.self) { try Self.parse(empty, memo: memo, runs: &runs) }
        #expect(runs == 3)
    }

    @Test func aCheckerAnswersEachPayloadFromItsOwnBytes() throws {
        // Through PayloadChecker (which uses the thread's memo): a payload checked once, then a copy edited to
        // name another digest, must be refused for that digest.
        let checker = PayloadChecker(remembersParses: true)
        let image = try ImageReference(parsing: "alpine@" + Self.digestA)
        let good = Self.payload()
        #expect(checker.problem(payload: good, image: image) == nil)
        #expect(checker.problem(payload: good, image: image) == nil)
        let other = Self.payload(digest: Self.digestB)
        #expect(checker.problem(payload: other, image: image)?.reason == .digestMismatch)
    }

    @Test func aCheckerRemembersOnlyWhenAsked() throws {
        let image = try ImageReference(parsing: "alpine@" + Self.digestA)
        let good = Self.payload()
        let memo = PayloadParseMemo.forCurrentThread
        let before = memo.hits
        for _ in 0..<3 { #expect(PayloadChecker().problem(payload: good, image: image) == nil) }
        #expect(memo.hits == before, "a checker not asked to remember never consults the memo")
        for _ in 0..<3 { #expect(PayloadChecker(remembersParses: true).problem(payload: good, image: image) == nil) }
        #expect(memo.hits == before + 2)
    }

    @Test func largePayloadsCannotPinMoreThanTheByteLimit() throws {
        let memo = PayloadParseMemo()
        // 40 payloads of about 250 KB each (under the 256 KiB payload limit): 10 MB, over the 8 MiB limit.
        let padding = String(repeating: "x", count: 250_000)
        let arrays: [[UInt8]] = (0..<40).map { index in
            let hex = String(index, radix: 16)
            let digest = "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex
            return Array(
                ("{\"critical\":{\"identity\":{\"docker-reference\":\"docker.io/library/alpine\"},"
                    + "\"image\":{\"docker-manifest-digest\":\"\(digest)\"},\"type\":\"atomic container signature\"},"
                    + "\"optional\":{\"pad\":\"\(padding)\"}}").utf8
            )
        }
        var runs = 0
        for (index, bytes) in arrays.enumerated() {
            let parsed = try Self.parse(bytes, memo: memo, runs: &runs)
            #expect(parsed.manifestDigest.hasSuffix(String(index, radix: 16)))
            #expect(memo.retainedBytes <= PayloadParseMemo.maximumRetainedBytes)
        }
        #expect(memo.retainedBytes > 0)
        // What was kept answers from memory; what was not is parsed again, correctly.
        for (index, bytes) in arrays.enumerated() {
            #expect(try Self.parse(bytes, memo: memo, runs: &runs).manifestDigest.hasSuffix(String(index, radix: 16)))
        }
        #expect(memo.hits > 0 && memo.hits < arrays.count)
        #expect(memo.retainedBytes <= PayloadParseMemo.maximumRetainedBytes)
    }

    @Test func manyPayloadsStayWithinTheSlotsAndEachAnswersForItself() throws {
        let memo = PayloadParseMemo()
        var arrays: [[UInt8]] = []
        for index in 0..<(2 * PayloadParseMemo.slotCount) {
            let hex = String(index, radix: 16)
            let digest = "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex
            arrays.append(Self.payload(digest: digest))
        }
        var runs = 0
        for _ in 0..<2 {
            for (index, bytes) in arrays.enumerated() {
                let parsed = try Self.parse(bytes, memo: memo, runs: &runs)
                let hex = String(index, radix: 16)
                #expect(parsed.manifestDigest.hasSuffix(hex))
            }
        }
        #expect(memo.hits > 0)
        #expect(runs + memo.hits == 2 * arrays.count)
    }
}
