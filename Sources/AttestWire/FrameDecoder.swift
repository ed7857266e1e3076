/// Cuts a byte stream into frames, incrementally, validating each header before buffering its body.
///
/// Feed it whatever the socket returned with ``append(_:)-(some Collection<UInt8>)`` and call ``next()``
/// until it returns `nil`. Bytes are consumed through a read index and the buffer is compacted only when
/// the consumed prefix is at least as large as what is left, so total copying stays linear in the input.
///
/// Every error it throws means the stream can no longer be trusted: answer with an ERROR frame built from
/// the error and close the connection. After an error the decoder keeps throwing the same error.
public struct FrameDecoder: Sendable {
    /// The limits enforced on incoming frames.
    public var limits: WireLimits
    /// Whether LZ4 bodies are accepted (false if this side did not announce ``WireFeatures/lz4``).
    public var acceptsCompressed: Bool
    /// Header versions accepted.
    public var supportedVersions: ClosedRange<UInt8>

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: WireError?

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - limits: this side's receive limits.
    ///   - acceptsCompressed: whether LZ4 bodies are accepted.
    ///   - supportedVersions: header versions accepted.
    public init(
        limits: WireLimits = .default,
        acceptsCompressed: Bool = true,
        supportedVersions: ClosedRange<UInt8> = WireLimits.supportedVersions
    ) {
        self.limits = limits
        self.acceptsCompressed = acceptsCompressed
        self.supportedVersions = supportedVersions
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    ///
    /// - Parameter bytes: the bytes, in stream order.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes from raw memory (a socket read buffer, a NIO `ByteBuffer` view).
    ///
    /// - Parameter bytes: the bytes, in stream order.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, or `nil` when more bytes are needed.
    ///
    /// Checks, in order: a length prefix under 12 (at once, unattributed); then, as soon as the 16 header
    /// bytes are in and before waiting for the body: the length against ``WireLimits/maxFrameSize``, the
    /// version, reserved flag bits; once the body is in: the LZ4 size prefix and the decompression.
    ///
    /// - Returns: the frame with its body decompressed, or `nil`.
    /// - Throws: ``WireError`` with ``WireStatus/badFrame``, ``WireStatus/frameTooLarge``,
    ///   ``WireStatus/unsupportedVersion``, ``WireStatus/decompressedTooLarge`` or
    ///   ``WireStatus/badCompression``, attributed to the frame's request id once its header was read.
    public mutating func next() throws(WireError) -> Frame? {
        if let failure { throw failure }
        do throws(WireError) {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeNext() throws(WireError) -> Frame? {
        let available = buffer.count - readIndex
        guard available >= 4 else { return nil }
        let start = readIndex
        let length = Int(loadUInt32(at: start))
        guard length >= FrameHeader.lengthCounted else {
            throw WireError(
                .badFrame,
                "frame at stream offset \(start) has length \(length), less than the \(FrameHeader.lengthCounted) "
                    + "header bytes it must count"
            )
        }
        guard available >= FrameHeader.size else { return nil }
        let header = FrameHeader(
            version: buffer[start + 4],
            opcode: Opcode(rawValue: buffer[start + 5]),
            flags: FrameFlags(rawValue: UInt16(buffer[start + 6]) << 8 | UInt16(buffer[start + 7])),
            requestID: loadUInt64(at: start + 8)
        )
        guard length <= Int(limits.maxFrameSize) else {
            throw WireError(
                .frameTooLarge,
                "\(header.opcode) frame length \(length) exceeds the maximum frame size \(limits.maxFrameSize)",
                requestID: header.requestID,
                opcode: header.opcode
            )
        }
        guard supportedVersions.contains(header.version) else {
            throw WireError(
                .unsupportedVersion,
                "\(header.opcode) frame has protocol version \(header.version); supported "
                    + "\(supportedVersions.lowerBound)...\(supportedVersions.upperBound)",
                requestID: header.requestID,
                opcode: header.opcode
            )
        }
        let unknownFlags = header.flags.subtracting(.known)
        guard unknownFlags.isEmpty else {
            throw WireError(
                .badFrame,
                "\(header.opcode) frame sets reserved flag bits 0x"
                    + String(unknownFlags.rawValue, radix: 16).leftPadded(to: 4),
                requestID: header.requestID,
                opcode: header.opcode
            )
        }
        guard available >= 4 + length else { return nil }
        let bodyStart = start + FrameHeader.size
        let bodyEnd = start + 4 + length
        readIndex = bodyEnd
        guard header.flags.contains(.compressed) else {
            return Frame(header: header, body: Array(buffer[bodyStart..<bodyEnd]))
        }
        do throws(WireError) {
            guard acceptsCompressed else {
                throw WireError(.badCompression, "\(header.opcode) frame is LZ4-compressed but LZ4 was not negotiated")
            }
            guard bodyEnd - bodyStart >= 4 else {
                throw WireError(
                    .badCompression,
                    "\(header.opcode) LZ4 body of \(bodyEnd - bodyStart) bytes is shorter than its 4-byte size prefix"
                )
            }
            let declared = loadUInt32(at: bodyStart)
            let body = try LZ4.decompress(
                buffer[(bodyStart + 4)..<bodyEnd],
                declaredSize: declared,
                limit: limits.maxDecompressedSize
            )
            return Frame(header: header, body: body)
        } catch {
            throw WireError(
                error.code,
                "\(header.opcode) frame: \(error.reason)",
                requestID: header.requestID,
                opcode: header.opcode
            )
        }
    }

    private mutating func compactIfWorthwhile() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= buffer.count - readIndex {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    private func loadUInt32(at offset: Int) -> UInt32 {
        buffer.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }

    private func loadUInt64(at offset: Int) -> UInt64 {
        buffer.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }
}
