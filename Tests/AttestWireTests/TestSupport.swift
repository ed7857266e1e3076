import Foundation
import Testing

@testable import AttestWire

/// Locations and helpers shared by the AttestWire tests (pure functions, no shared mutable state).
enum TestSupport {
    /// The package root: the nearest ancestor of this file holding `Package.swift`.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url = url.deletingLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static var vectorsDirectory: URL { packageRoot.appendingPathComponent("protocol/vectors") }

    /// Parses annotated hex: `#` starts a comment to the end of the line, whitespace is ignored.
    static func parseHex(_ text: String) throws -> [UInt8] {
        var digits: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for scalar in content.unicodeScalars where !scalar.properties.isWhitespace {
                guard let value = UInt8(String(scalar), radix: 16) else {
                    throw HexError(reason: "non-hex character \(scalar) in line: \(line)")
                }
                digits.append(value)
            }
        }
        guard digits.count.isMultiple(of: 2) else { throw HexError(reason: "odd number of hex digits") }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    static func loadVector(_ name: String) throws -> [UInt8] {
        let url = vectorsDirectory.appendingPathComponent(name + ".hex")
        return try parseHex(String(contentsOf: url, encoding: .utf8))
    }

    /// Decodes every frame in `bytes`, requiring that nothing is left over.
    static func decodeAll(_ bytes: [UInt8], limits: WireLimits = .default) throws -> [Frame] {
        var decoder = FrameDecoder(limits: limits)
        decoder.append(bytes)
        var frames: [Frame] = []
        while let frame = try decoder.next() {
            frames.append(frame)
        }
        #expect(decoder.bufferedByteCount == 0)
        return frames
    }

    /// A frame header followed by `body`, with an arbitrary length field when `length` is given.
    static func rawFrame(
        opcode: UInt8 = Opcode.ping.rawValue,
        version: UInt8 = 1,
        flags: UInt16 = 0,
        requestID: UInt64 = 1,
        length: UInt32? = nil,
        body: [UInt8]
    ) -> [UInt8] {
        var writer = WireWriter()
        writer.write(length ?? UInt32(12 + body.count))
        writer.write(version)
        writer.write(opcode)
        writer.write(flags)
        writer.write(requestID)
        writer.bytes.append(contentsOf: body)
        return writer.bytes
    }

    struct HexError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}

/// A small deterministic generator (SplitMix64) so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
