import Testing

@testable import AttestWire

/// Splitting the byte stream anywhere yields the same frames as decoding it whole.
struct IncrementalDecodingTests {
    /// A stream of mixed frames, some compressed.
    static func stream() throws -> (bytes: [UInt8], count: Int) {
        var bytes: [UInt8] = []
        let items = (0..<64).map {
            CheckItem(
                namespace: "ns\($0 % 3)",
                image: "registry.example.com/app\($0)@sha256:" + String(repeating: "0", count: 64)
            )
        }
        try FrameEncoder.append(CheckRequest(items: items), requestID: 1, to: &bytes)
        try FrameEncoder.append(PingRequest(data: Array("x".utf8)), requestID: 2, to: &bytes)
        try FrameEncoder.append(StatsRequest(), requestID: 3, to: &bytes)
        try FrameEncoder.append(
            CheckRequest(items: items),
            requestID: 4,
            to: &bytes,
            compression: .lz4(minimumBodySize: 1)
        )
        try FrameEncoder.append(ReloadRequest(), requestID: 5, to: &bytes)
        return (bytes, 5)
    }

    private func decode(_ chunks: [ArraySlice<UInt8>]) throws -> [Frame] {
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let frame = try decoder.next() {
                frames.append(frame)
            }
        }
        #expect(decoder.bufferedByteCount == 0)
        return frames
    }

    @Test func manyFramesInOneBuffer() throws {
        let (bytes, count) = try Self.stream()
        let frames = try decode([bytes[...]])
        #expect(frames.map(\.header.requestID) == Array(1...UInt64(count)))
        #expect(frames[3].header.flags.contains(.compressed))
        #expect(frames[0].body == frames[3].body)
    }

    @Test func oneByteAtATime() throws {
        let (bytes, _) = try Self.stream()
        let whole = try decode([bytes[...]])
        let chunks = bytes.indices.map { bytes[$0...$0] }
        #expect(try decode(chunks) == whole)
    }

    @Test(arguments: 0..<20)
    func randomSplits(_ seed: Int) throws {
        let (bytes, _) = try Self.stream()
        let whole = try decode([bytes[...]])
        var generator = SeededGenerator(seed: UInt64(seed))
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...300, using: &generator))
            chunks.append(bytes[start..<end])
            start = end
        }
        #expect(try decode(chunks) == whole)
    }

    @Test func rawBufferAppendMatchesCollectionAppend() throws {
        let (bytes, _) = try Self.stream()
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        for start in stride(from: 0, to: bytes.count, by: 97) {
            bytes[start..<min(bytes.count, start + 97)].withUnsafeBytes { decoder.append($0) }
            while let frame = try decoder.next() {
                frames.append(frame)
            }
        }
        #expect(frames == (try decode([bytes[...]])))
    }

    @Test func bufferIsCompactedWhileStreaming() throws {
        // 10 000 small frames fed in 1 KiB pieces: the decoder never holds more than a few pieces.
        var bytes: [UInt8] = []
        for id in 1...10_000 {
            try FrameEncoder.append(PingRequest(data: [UInt8(id & 0xFF)]), requestID: UInt64(id), to: &bytes)
        }
        var decoder = FrameDecoder()
        var seen = 0
        var peak = 0
        for start in stride(from: 0, to: bytes.count, by: 1024) {
            decoder.append(bytes[start..<min(bytes.count, start + 1024)])
            peak = max(peak, decoder.bufferedByteCount)
            while let frame = try decoder.next() {
                seen += 1
                #expect(frame.header.requestID == UInt64(seen))
            }
        }
        #expect(seen == 10_000)
        #expect(peak < 2048)
    }
}
