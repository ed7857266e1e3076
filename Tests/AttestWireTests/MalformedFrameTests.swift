import Testing

@testable import AttestWire

/// Every class of broken frame is refused with the documented status, attributed where possible,
/// and never crashes, hangs or allocates beyond the limits.
struct MalformedFrameTests {
    static let ping = TestSupport.rawFrame(body: [0, 0, 0, 1, 0x41])

    private func decodeError(_ bytes: [UInt8], limits: WireLimits = .default, acceptsCompressed: Bool = true)
        -> WireError?
    {
        var decoder = FrameDecoder(limits: limits, acceptsCompressed: acceptsCompressed)
        decoder.append(bytes)
        do {
            while let frame = try decoder.next() {
                _ = try Request(decoding: frame, limits: limits)
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func shortHeaderIsIncompleteNotAnError() throws {
        var decoder = FrameDecoder()
        for count in 0..<FrameHeader.size {
            decoder = FrameDecoder()
            decoder.append(Self.ping.prefix(count))
            #expect(try decoder.next() == nil)
        }
    }

    @Test(arguments: [0, 1, 11] as [UInt32])
    func lengthUnderTheHeaderSizeIsBadFrameAtOnce(_ length: UInt32) throws {
        var decoder = FrameDecoder()
        var bytes = WireWriter()
        bytes.write(length)
        decoder.append(bytes.bytes)  // only the prefix: refused without waiting for more
        let error = try #require(throws: WireError.self) { try decoder.next() }
        #expect(error.code == .badFrame)
        #expect(error.requestID == 0)
        #expect(error.reason.contains("length \(length)"))
        #expect(error.code.closesConnection)
    }

    @Test func lengthOverTheLimitIsRefusedBeforeTheBodyArrives() throws {
        let limits = WireLimits(maxFrameSize: 1024)
        var decoder = FrameDecoder(limits: limits)
        // Only the header of a frame claiming 4 GiB: refused before any body byte is buffered.
        decoder.append(TestSupport.rawFrame(requestID: 77, length: .max, body: []))
        let error = try #require(throws: WireError.self) { try decoder.next() }
        #expect(error.code == .frameTooLarge)
        #expect(error.requestID == 77)
        #expect(error.opcode == .ping)
        #expect(error.reason.contains("4294967295"))
        #expect(decoder.bufferedByteCount == FrameHeader.size)
        // The limit itself is accepted.
        var exact = FrameDecoder(limits: WireLimits(maxFrameSize: 12 + 5))
        exact.append(Self.ping)
        #expect(try exact.next() != nil)
    }

    @Test(arguments: [0, 2, 255] as [UInt8])
    func unsupportedVersionIsRefused(_ version: UInt8) throws {
        let error = try #require(decodeError(TestSupport.rawFrame(version: version, requestID: 5, body: [])))
        #expect(error.code == .unsupportedVersion)
        #expect(error.requestID == 5)
        #expect(error.reason.contains("version \(version)"))
    }

    @Test(arguments: [0x0004, 0x0008, 0x8000, 0xFFFC] as [UInt16])
    func reservedFlagBitsAreRefused(_ flags: UInt16) throws {
        let error = try #require(decodeError(TestSupport.rawFrame(flags: flags, requestID: 6, body: [])))
        #expect(error.code == .badFrame)
        #expect(error.requestID == 6)
        #expect(error.reason.contains("reserved flag bits"))
    }

    @Test(arguments: [0x03, 0x7F, 0xFE, 0xFF] as [UInt8])
    func unknownOpcodeIsRefusedByTheMessageLayerAndKeepsTheConnection(_ opcode: UInt8) throws {
        let error = try #require(decodeError(TestSupport.rawFrame(opcode: opcode, requestID: 9, body: [])))
        #expect(error.code == .unknownOpcode)
        #expect(error.requestID == 9)
        #expect(error.opcode.rawValue == opcode)
        #expect(!error.code.closesConnection)
    }

    @Test func responseFlagOnARequestIsBadFrame() throws {
        let error = try #require(decodeError(TestSupport.rawFrame(flags: 2, body: [0, 0, 0, 0])))
        #expect(error.code == .badFrame)
    }

    @Test func requestIDZeroIsReserved() throws {
        let error = try #require(decodeError(TestSupport.rawFrame(requestID: 0, body: [0, 0, 0, 0])))
        #expect(error.code == .badFrame)
        #expect(error.reason.contains("request id 0"))
    }

    @Test func truncatedBodyWaitsThenFailsWhenFieldsAreMissing() throws {
        // Length counts only part of a PING body: the frame is complete, the body is truncated.
        let frame = TestSupport.rawFrame(requestID: 3, body: [0, 0, 0, 9, 1, 2])
        let error = try #require(decodeError(frame))
        #expect(error.code == .badFrame)
        #expect(error.requestID == 3)
        #expect(error.reason.contains("data"))
        #expect(error.reason.contains("9"))
        // A frame whose bytes have not all arrived yet is not an error.
        var decoder = FrameDecoder()
        decoder.append(Self.ping.dropLast())
        #expect(try decoder.next() == nil)
    }

    @Test func truncatedFixedWidthField() throws {
        let error = try #require(decodeError(TestSupport.rawFrame(opcode: Opcode.check.rawValue, body: [0, 0])))
        #expect(error.code == .badFrame)
        #expect(error.reason.contains("CHECK request items"))
        #expect(error.reason.contains("truncated"))
    }

    @Test func countLargerThanTheBodyIsRefusedBeforeAllocating() throws {
        // 0xFFFFFFFF CHECK items in a 4-byte body.
        let error = try #require(
            decodeError(TestSupport.rawFrame(opcode: Opcode.check.rawValue, body: [0xFF, 0xFF, 0xFF, 0xFF]))
        )
        #expect(error.code == .badFrame)
        #expect(error.reason.contains("count 4294967295"))
    }

    @Test func countOverTheBatchLimitIsTooManyItems() throws {
        let items = (0..<5).map { CheckItem(namespace: "n", image: "i\($0)") }
        let body = CheckRequest(items: items).encodedBody()
        let limits = WireLimits(maxBatchItems: 4)
        let error = try #require(
            decodeError(TestSupport.rawFrame(opcode: Opcode.check.rawValue, body: body), limits: limits)
        )
        #expect(error.code == .tooManyItems)
        #expect(!error.code.closesConnection)
        #expect(error.reason.contains("count 5 exceeds the limit 4"))
    }

    @Test func stringOverTheLimitIsFieldTooLarge() throws {
        let body = CheckRequest(items: [CheckItem(namespace: "prod", image: String(repeating: "x", count: 33))])
            .encodedBody()
        let error = try #require(
            decodeError(
                TestSupport.rawFrame(opcode: Opcode.check.rawValue, body: body),
                limits: WireLimits(maxStringLength: 32)
            )
        )
        #expect(error.code == .fieldTooLarge)
        #expect(error.reason.contains("items[0].image"))
    }

    @Test func bytesOverTheLimitIsFieldTooLarge() throws {
        let body = PingRequest(data: [UInt8](repeating: 7, count: 17)).encodedBody()
        let error = try #require(decodeError(TestSupport.rawFrame(body: body), limits: WireLimits(maxBytesLength: 16)))
        #expect(error.code == .fieldTooLarge)
        #expect(error.reason.contains("data"))
    }

    @Test(
        arguments: [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]] as [[UInt8]]
    )
    func invalidUTF8IsBadFrame(_ invalid: [UInt8]) throws {
        var writer = WireWriter()
        writer.writeCount(1)
        writer.write("prod")
        writer.write(bytes: invalid)
        let error = try #require(
            decodeError(TestSupport.rawFrame(opcode: Opcode.check.rawValue, body: writer.bytes))
        )
        #expect(error.code == .badFrame)
        #expect(error.reason.contains("items[0].image"))
        #expect(error.reason.contains("UTF-8"))
    }

    @Test func trailingBytesAfterTheBodyAreBadFrame() throws {
        let body = PingRequest(data: [1]).encodedBody() + [0xAA, 0xBB]
        let error = try #require(decodeError(TestSupport.rawFrame(requestID: 4, body: body)))
        #expect(error.code == .badFrame)
        #expect(error.requestID == 4)
        #expect(error.reason.contains("2 trailing bytes"))
    }

    @Test(arguments: [
        (Opcode.reload.rawValue, [2] as [UInt8], "config_path"),
        (
            Opcode.admit.rawValue, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0],
            "dry_run"
        ),
        (Opcode.verify.rawValue, [0, 0, 0, 1, 0, 0, 0, 0, 9] + [UInt8](repeating: 0, count: 16), "kind"),
    ])
    func unknownEnumValuesAreBadFrame(_ opcode: UInt8, _ body: [UInt8], _ field: String) throws {
        let error = try #require(decodeError(TestSupport.rawFrame(opcode: opcode, body: body)))
        #expect(error.code == .badFrame)
        #expect(error.reason.contains(field))
    }

    @Test func unknownResultEnumValuesAreBadFrame() throws {
        let bodies: [(Opcode, [UInt8])] = [
            (.verify, [0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
            (.check, [0, 0, 0, 1, 9] + [UInt8](repeating: 0, count: 16)),
            (.putAttestations, [0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0]),
            (.stats, [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (opcode, body) in bodies {
            let frame = Frame(header: FrameHeader(opcode: opcode, flags: .response, requestID: 1), body: body)
            let error = try #require(throws: WireError.self) { try Response(decoding: frame) }
            #expect(error.code == .badFrame, "\(opcode)")
            #expect(error.reason.contains("unknown"), "\(opcode): \(error.reason)")
        }
    }

    // MARK: - LZ4

    private func compressedFrame(declared: UInt32, block: [UInt8], requestID: UInt64 = 12) -> [UInt8] {
        var body = WireWriter()
        body.write(declared)
        body.bytes.append(contentsOf: block)
        return TestSupport.rawFrame(flags: FrameFlags.compressed.rawValue, requestID: requestID, body: body.bytes)
    }

    @Test func lz4DeclaredSizeOverTheLimitIsRefusedBeforeDecompressing() throws {
        // A valid block for 1 KiB of zeros declared as 1 KiB, against a 512-byte limit.
        let block = LZ4.compress([UInt8](repeating: 0, count: 1024))
        let error = try #require(
            decodeError(compressedFrame(declared: 1024, block: block), limits: WireLimits(maxDecompressedSize: 512))
        )
        #expect(error.code == .decompressedTooLarge)
        #expect(error.requestID == 12)
        #expect(error.reason.contains("1024"))
        // A bomb declaring 4 GiB is refused the same way, with nothing allocated.
        let bomb = try #require(decodeError(compressedFrame(declared: .max, block: [0x00])))
        #expect(bomb.code == .decompressedTooLarge)
    }

    @Test(arguments: [[0xFF, 0xFF, 0xFF], [0x1F, 0x41, 0xFF, 0xFF], [0xF0], [0x40, 0x41]] as [[UInt8]])
    func lz4CorruptDataIsBadCompression(_ block: [UInt8]) throws {
        let error = try #require(decodeError(compressedFrame(declared: 100, block: block)))
        #expect(error.code == .badCompression)
        #expect(error.code.closesConnection)
    }

    @Test func lz4DeclaredSizeMismatchIsBadCompression() throws {
        let body = PingRequest(data: [UInt8](repeating: 0x61, count: 200)).encodedBody()
        let block = LZ4.compress(body)
        let smaller = try #require(decodeError(compressedFrame(declared: UInt32(body.count + 10), block: block)))
        #expect(smaller.code == .badCompression)
        #expect(smaller.reason.contains("expands to \(body.count)"))
        let larger = try #require(decodeError(compressedFrame(declared: UInt32(body.count - 10), block: block)))
        #expect(larger.code == .badCompression)
        // The exact size decodes.
        #expect(decodeError(compressedFrame(declared: UInt32(body.count), block: block)) == nil)
    }

    @Test func lz4ZeroDeclaredSizeShortPrefixAndEmptyBlockAreBadCompression() throws {
        #expect(decodeError(compressedFrame(declared: 0, block: [0x00]))?.code == .badCompression)
        #expect(decodeError(compressedFrame(declared: 5, block: []))?.code == .badCompression)
        let short = TestSupport.rawFrame(flags: FrameFlags.compressed.rawValue, body: [0, 0])
        #expect(decodeError(short)?.code == .badCompression)
    }

    @Test func lz4IsRefusedWhenNotNegotiated() throws {
        let body = PingRequest(data: [UInt8](repeating: 0x61, count: 200)).encodedBody()
        let frame = compressedFrame(declared: UInt32(body.count), block: LZ4.compress(body))
        #expect(decodeError(frame, acceptsCompressed: false)?.code == .badCompression)
        #expect(decodeError(frame, acceptsCompressed: true) == nil)
    }

    // MARK: - Decoder state after errors

    @Test func decoderKeepsFailingAfterAnError() throws {
        var decoder = FrameDecoder()
        decoder.append(TestSupport.rawFrame(version: 9, body: []))
        decoder.append(Self.ping)
        let first = try #require(throws: WireError.self) { try decoder.next() }
        let second = try #require(throws: WireError.self) { try decoder.next() }
        #expect(first == second)
    }

    @Test func hostileRandomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 0xA77E57)
        let limits = WireLimits(maxFrameSize: 4096, maxDecompressedSize: 8192, maxBatchItems: 64)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<96, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count >= 16, Bool.random(using: &generator) {
                // Make the header plausible so bodies get exercised too.
                let length = UInt32(bytes.count - 4)
                bytes[0] = 0
                bytes[1] = 0
                bytes[2] = UInt8(length >> 8)
                bytes[3] = UInt8(length & 0xFF)
                bytes[4] = 1
                bytes[6] = 0
                bytes[7] &= 0x03
            }
            var decoder = FrameDecoder(limits: limits)
            decoder.append(bytes)
            while let frame = try? decoder.next() {
                _ = try? Request(decoding: frame, limits: limits)
                _ = try? Response(decoding: frame, limits: limits)
            }
        }
    }
}
