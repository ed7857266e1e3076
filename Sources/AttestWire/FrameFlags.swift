/// The header's `flags` field (big-endian `u16`).
///
/// Bits 2–15 are reserved in protocol version 1: a sender sets them to zero and a receiver refuses a frame
/// with any of them set (``WireStatus/badFrame``), because a flag it does not understand could change the
/// meaning of the body.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16

    /// Wraps raw flag bits.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Bit 0: the body is `u32 uncompressed size` followed by one LZ4 block.
    public static let compressed = FrameFlags(rawValue: 1 << 0)
    /// Bit 1: the frame is a response to the request with the same request id.
    public static let response = FrameFlags(rawValue: 1 << 1)

    /// Every bit protocol version 1 defines.
    public static let known: FrameFlags = [.compressed, .response]
}
