import Foundation
import Testing

@testable import AttestWire

/// The hex examples embedded in `protocol/PROTOCOL.md` decode and re-encode exactly.
struct SpecExampleTests {
    /// Every ```hex fenced block of the spec.
    static func examples() throws -> [[UInt8]] {
        let url = TestSupport.packageRoot.appendingPathComponent("protocol/PROTOCOL.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks: [[UInt8]] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```hex") {
                current = []
            } else if line.hasPrefix("```"), let lines = current {
                blocks.append(try TestSupport.parseHex(lines.joined(separator: "\n")))
                current = nil
            } else if current != nil {
                current?.append(String(line))
            }
        }
        return blocks
    }

    @Test func specExamplesDecodeAndReencode() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 3)
        for bytes in examples {
            let frames = try TestSupport.decodeAll(bytes)
            #expect(frames.count == 1)
            for frame in frames {
                var encoded: [UInt8] = []
                let compression: FrameEncoder.Compression =
                    frame.header.flags.contains(.compressed) ? .lz4(minimumBodySize: 1) : .none
                if frame.header.isResponse {
                    try FrameEncoder.append(
                        try Response(decoding: frame),
                        requestID: frame.header.requestID,
                        to: &encoded,
                        compression: compression
                    )
                } else {
                    try FrameEncoder.append(
                        try Request(decoding: frame),
                        requestID: frame.header.requestID,
                        to: &encoded,
                        compression: compression
                    )
                }
                #expect(encoded == bytes)
            }
        }
    }

    @Test func specExamplesMatchTheirVectorFiles() throws {
        let examples = try Self.examples()
        for name in ["ping-request", "ping-response", "ping-response-lz4"] {
            #expect(examples.contains(try TestSupport.loadVector(name)), "\(name) differs from the spec example")
        }
    }
}
