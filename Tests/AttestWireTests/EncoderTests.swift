import Testing

@testable import AttestWire

/// Frame encoding: appending, compression choices, the peer's limits.
struct EncoderTests {
    @Test func appendsAfterExistingBytes() throws {
        var buffer: [UInt8] = [0xAA, 0xBB]
        try FrameEncoder.append(PingRequest(data: [1]), requestID: 1, to: &buffer)
        try FrameEncoder.append(PingResponse(data: [1]), requestID: 1, to: &buffer)
        #expect(buffer.prefix(2) == [0xAA, 0xBB])
        let frames = try TestSupport.decodeAll(Array(buffer.dropFirst(2)))
        #expect(frames.count == 2)
        #expect(frames[1].header.isResponse)
    }

    @Test func compressesOnlyAboveTheThresholdAndWhenItShrinks() throws {
        let compressible = PingRequest(data: [UInt8](repeating: 0x61, count: 4096))
        let small = try FrameEncoder.encode(compressible, requestID: 1, compression: .lz4(minimumBodySize: 8192))
        #expect(try TestSupport.decodeAll(small)[0].header.flags.isEmpty)
        let big = try FrameEncoder.encode(compressible, requestID: 1, compression: .lz4(minimumBodySize: 1024))
        let frame = try TestSupport.decodeAll(big)[0]
        #expect(frame.header.flags == .compressed)
        #expect(big.count < 200)
        #expect(try PingRequest(decoding: frame.body) == compressible)

        var generator = SeededGenerator(seed: 7)
        let random = PingRequest(data: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let incompressible = try FrameEncoder.encode(random, requestID: 1, compression: .lz4(minimumBodySize: 1))
        #expect(try TestSupport.decodeAll(incompressible)[0].header.flags.isEmpty)
    }

    @Test func frameOverThePeerLimitIsRefusedAndTheBufferRestored() throws {
        var buffer: [UInt8] = [1, 2, 3]
        let limits = WireLimits(maxFrameSize: 100)
        let error = try #require(throws: WireError.self) {
            try FrameEncoder.append(
                PingResponse(data: [UInt8](repeating: 0, count: 200)),
                requestID: 42,
                to: &buffer,
                peerLimits: limits
            )
        }
        #expect(error.code == .frameTooLarge)
        #expect(error.requestID == 42)
        #expect(buffer == [1, 2, 3])
        // Compression can bring it under the limit.
        try FrameEncoder.append(
            PingResponse(data: [UInt8](repeating: 0, count: 200)),
            requestID: 42,
            to: &buffer,
            compression: .lz4(minimumBodySize: 1),
            peerLimits: limits
        )
        #expect(buffer.count > 3)
    }

    @Test func errorResponseCarriesTheWireError() throws {
        var decoder = FrameDecoder()
        decoder.append(TestSupport.rawFrame(version: 3, requestID: 88, body: []))
        let error = try #require(throws: WireError.self) { try decoder.next() }
        let bytes = try FrameEncoder.encode(ErrorResponse(error), requestID: error.requestID)
        let frame = try TestSupport.decodeAll(bytes)[0]
        guard case .error(let response) = try Response(decoding: frame) else {
            Issue.record("not an ERROR frame")
            return
        }
        #expect(frame.header.requestID == 88)
        #expect(frame.header.opcode == .error)
        #expect(response.status == .unsupportedVersion)
        #expect(response.requestOpcode == .ping)
        #expect(response.message == error.reason)
    }

    @Test func statusClassesAndNames() {
        #expect(WireStatus.badFrame.closesConnection)
        #expect(WireStatus(rawValue: 0x01FF).closesConnection)
        #expect(!WireStatus.tooManyItems.closesConnection)
        #expect(WireStatus.busy.isRetryable)
        #expect(!WireStatus.invalidRequest.isRetryable)
        #expect(WireStatus(rawValue: 0x0399).name == "status-0x0399")
        #expect(Opcode(rawValue: 0x42).name == "0x42")
    }

    @Test func helloNegotiation() {
        #expect(HelloRequest(minVersion: 1, maxVersion: 3, clientName: "c").negotiatedVersion() == 1)
        #expect(HelloRequest(minVersion: 2, maxVersion: 3, clientName: "c").negotiatedVersion() == nil)
        #expect(
            HelloRequest(minVersion: 2, maxVersion: 1, clientName: "c").negotiatedVersion(serverSupports: 1...4) == nil
        )
        #expect(
            HelloRequest(minVersion: 1, maxVersion: 9, clientName: "c").negotiatedVersion(serverSupports: 1...4) == 4
        )
    }

    @Test func lz4RoundTripsAndRefusesBadSizes() throws {
        for size in [1, 15, 16, 1000, 70_000] {
            let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 / 7) }
            let block = LZ4.compress(input)
            #expect(try LZ4.decompress(block, declaredSize: UInt32(size), limit: UInt32(size)) == input)
            #expect(throws: WireError.self) {
                try LZ4.decompress(block, declaredSize: UInt32(size), limit: UInt32(size - 1))
            }
        }
    }
}
