/// Optional capabilities a peer announces in HELLO (`u32` bit set). A feature is in use on a connection
/// only when both peers announced it; unknown bits are ignored, so new features need no new version.
public struct WireFeatures: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    /// Wraps raw feature bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Bit 0: the peer accepts LZ4-compressed bodies (``FrameFlags/compressed``).
    public static let lz4 = WireFeatures(rawValue: 1 << 0)

    /// Every feature this build implements.
    public static let supported: WireFeatures = [.lz4]
}
