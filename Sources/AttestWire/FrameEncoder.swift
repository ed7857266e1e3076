/// Encodes messages into frames, appending to a caller-owned buffer so many frames can go out in one write.
///
/// The body is encoded in place after a 16-byte header whose length is patched afterwards: the
/// uncompressed path allocates nothing beyond the buffer's own growth.
public enum FrameEncoder {
    /// Whether to LZ4-compress bodies.
    public enum Compression: Sendable, Hashable {
        /// Never compress.
        case none
        /// Compress bodies of at least `minimumBodySize` bytes, keeping the result only when it saves
        /// space. Use only when the peer announced ``WireFeatures/lz4``.
        case lz4(minimumBodySize: Int)

        /// The body size from which compressing is worth trying on a slow link (16 KiB); on a local socket
        /// LZ4 usually costs more CPU than the bytes it saves.
        public static let defaultMinimumBodySize = 16 << 10
    }

    /// Appends one frame holding `message`.
    ///
    /// - Parameters:
    ///   - message: the request or response; its type fixes the opcode and the response flag.
    ///   - requestID: the request id (the request's, for a response).
    ///   - buffer: the output; on error it is left exactly as it was.
    ///   - version: the header version, the negotiated one (1 before HELLO completes).
    ///   - compression: whether to try LZ4.
    ///   - peerLimits: the receiver's limits; the frame must fit its ``WireLimits/maxFrameSize``.
    /// - Throws: ``WireStatus/frameTooLarge`` when the frame exceeds the peer's limit.
    public static func append<Message: WireMessage>(
        _ message: Message,
        requestID: UInt64,
        to buffer: inout [UInt8],
        version: UInt8 = WireLimits.currentVersion,
        compression: Compression = .none,
        peerLimits: WireLimits = .default
    ) throws(WireError) {
        let header = FrameHeader(
            version: version,
            opcode: Message.opcode,
            flags: Message.isResponse ? .response : [],
            requestID: requestID
        )
        let start = buffer.count
        var writer = WireWriter()
        swap(&writer.bytes, &buffer)
        writeHeader(header, into: &writer)
        message.encode(into: &writer)
        swap(&writer.bytes, &buffer)
        try finish(&buffer, frameStart: start, header: header, compression: compression, peerLimits: peerLimits)
    }

    /// Appends one frame holding `request`.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - requestID: a non-zero id unique among the connection's requests in flight.
    ///   - buffer: the output; unchanged on error.
    ///   - version: the header version.
    ///   - compression: whether to try LZ4.
    ///   - peerLimits: the server's limits.
    /// - Throws: ``WireStatus/frameTooLarge`` when the frame exceeds the peer's limit.
    public static func append(
        _ request: Request,
        requestID: UInt64,
        to buffer: inout [UInt8],
        version: UInt8 = WireLimits.currentVersion,
        compression: Compression = .none,
        peerLimits: WireLimits = .default
    ) throws(WireError) {
        try appendAny(
            request.message,
            requestID: requestID,
            to: &buffer,
            version: version,
            compression: compression,
            peerLimits: peerLimits
        )
    }

    /// Appends one frame holding `response`.
    ///
    /// - Parameters:
    ///   - response: the response.
    ///   - requestID: the id of the request it answers (0 for an unattributable ERROR).
    ///   - buffer: the output; unchanged on error.
    ///   - version: the header version.
    ///   - compression: whether to try LZ4.
    ///   - peerLimits: the client's limits.
    /// - Throws: ``WireStatus/frameTooLarge`` when the frame exceeds the peer's limit.
    public static func append(
        _ response: Response,
        requestID: UInt64,
        to buffer: inout [UInt8],
        version: UInt8 = WireLimits.currentVersion,
        compression: Compression = .none,
        peerLimits: WireLimits = .default
    ) throws(WireError) {
        try appendAny(
            response.message,
            requestID: requestID,
            to: &buffer,
            version: version,
            compression: compression,
            peerLimits: peerLimits
        )
    }

    /// Appends a frame with an already encoded body (for forwarding, tests and raw tools).
    ///
    /// - Parameters:
    ///   - header: the header; its ``FrameFlags/compressed`` bit is ignored and set from `compression`.
    ///   - body: the uncompressed body.
    ///   - buffer: the output; unchanged on error.
    ///   - compression: whether to try LZ4.
    ///   - peerLimits: the receiver's limits.
    /// - Throws: ``WireStatus/frameTooLarge`` when the frame exceeds the peer's limit.
    public static func append(
        header: FrameHeader,
        body: [UInt8],
        to buffer: inout [UInt8],
        compression: Compression = .none,
        peerLimits: WireLimits = .default
    ) throws(WireError) {
        var header = header
        header.flags.remove(.compressed)
        let start = buffer.count
        var writer = WireWriter()
        swap(&writer.bytes, &buffer)
        writeHeader(header, into: &writer)
        writer.bytes.append(contentsOf: body)
        swap(&writer.bytes, &buffer)
        try finish(&buffer, frameStart: start, header: header, compression: compression, peerLimits: peerLimits)
    }

    /// Encodes one frame holding `message` into a new array.
    ///
    /// - Parameters:
    ///   - message: the request or response.
    ///   - requestID: the request id.
    ///   - version: the header version.
    ///   - compression: whether to try LZ4.
    ///   - peerLimits: the receiver's limits.
    /// - Returns: the frame bytes, length prefix included.
    /// - Throws: ``WireStatus/frameTooLarge`` when the frame exceeds the peer's limit.
    public static func encode<Message: WireMessage>(
        _ message: Message,
        requestID: UInt64,
        version: UInt8 = WireLimits.currentVersion,
        compression: Compression = .none,
        peerLimits: WireLimits = .default
    ) throws(WireError) -> [UInt8] {
        var buffer: [UInt8] = []
        try append(
            message,
            requestID: requestID,
            to: &buffer,
            version: version,
            compression: compression,
            peerLimits: peerLimits
        )
        return buffer
    }

    private static func appendAny(
        _ message: any WireMessage,
        requestID: UInt64,
        to buffer: inout [UInt8],
        version: UInt8,
        compression: Compression,
        peerLimits: WireLimits
    ) throws(WireError) {
        try append(
            message,
            requestID: requestID,
            to: &buffer,
            version: version,
            compression: compression,
            peerLimits: peerLimits
        )
    }

    private static func writeHeader(_ header: FrameHeader, into writer: inout WireWriter) {
        writer.write(UInt32(0))  // length, patched by finish
        writer.write(header.version)
        writer.write(header.opcode.rawValue)
        writer.write(header.flags.rawValue)
        writer.write(header.requestID)
    }

    /// Compresses the body if asked and worthwhile, checks the size, and patches the length prefix.
    private static func finish(
        _ buffer: inout [UInt8],
        frameStart start: Int,
        header: FrameHeader,
        compression: Compression,
        peerLimits: WireLimits
    ) throws(WireError) {
        let bodyStart = start + FrameHeader.size
        let bodyLength = buffer.count - bodyStart
        if case .lz4(let minimum) = compression, bodyLength >= Swift.max(minimum, 1),
            bodyLength <= Int(peerLimits.maxDecompressedSize)
        {
            let compressed = buffer.withUnsafeBufferPointer {
                LZ4.compress(UnsafeBufferPointer(rebasing: $0[bodyStart...]))
            }
            if compressed.count + 4 < bodyLength {
                buffer.removeSubrange(bodyStart...)
                var writer = WireWriter()
                swap(&writer.bytes, &buffer)
                writer.write(UInt32(bodyLength))
                writer.bytes.append(contentsOf: compressed)
                swap(&writer.bytes, &buffer)
                let flags = header.flags.union(.compressed).rawValue
                buffer[start + 6] = UInt8(truncatingIfNeeded: flags >> 8)
                buffer[start + 7] = UInt8(truncatingIfNeeded: flags)
            }
        }
        let length = buffer.count - start - 4
        guard length <= Int(peerLimits.maxFrameSize) else {
            buffer.removeSubrange(start...)
            throw WireError(
                .frameTooLarge,
                "\(header.opcode) frame of \(length) bytes exceeds the peer's maximum frame size "
                    + "\(peerLimits.maxFrameSize)",
                requestID: header.requestID,
                opcode: header.opcode
            )
        }
        let prefix = UInt32(length)
        buffer[start] = UInt8(truncatingIfNeeded: prefix >> 24)
        buffer[start + 1] = UInt8(truncatingIfNeeded: prefix >> 16)
        buffer[start + 2] = UInt8(truncatingIfNeeded: prefix >> 8)
        buffer[start + 3] = UInt8(truncatingIfNeeded: prefix)
    }
}
