/// The fixed part of every frame after its length prefix.
///
/// On the wire (big-endian): `u32 length` (bytes after the length field: 12 + body), `u8 version`,
/// `u8 opcode`, `u16 flags`, `u64 request id`: 16 bytes in all. This layout is frozen across versions.
public struct FrameHeader: Sendable, Hashable {
    /// Bytes of the length prefix plus this header.
    public static let size = 16
    /// Bytes of the header counted by the length prefix (version, opcode, flags, request id).
    public static let lengthCounted = 12

    /// The protocol version the body is encoded in.
    public var version: UInt8
    /// The message type.
    public var opcode: Opcode
    /// Compression and direction flags.
    public var flags: FrameFlags
    /// Chosen by the client, unique among its requests in flight; echoed by the response.
    public var requestID: UInt64

    /// Creates a header.
    ///
    /// - Parameters:
    ///   - version: the protocol version, ``WireLimits/currentVersion`` unless negotiated otherwise.
    ///   - opcode: the message type.
    ///   - flags: compression and direction.
    ///   - requestID: the request id.
    public init(version: UInt8 = WireLimits.currentVersion, opcode: Opcode, flags: FrameFlags = [], requestID: UInt64) {
        self.version = version
        self.opcode = opcode
        self.flags = flags
        self.requestID = requestID
    }

    /// Whether this frame answers a request.
    public var isResponse: Bool { flags.contains(.response) }
}
