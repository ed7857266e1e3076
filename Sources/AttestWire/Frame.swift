/// One complete frame: its header and its body, already decompressed when it arrived LZ4-compressed.
public struct Frame: Sendable, Hashable {
    /// The header; ``FrameFlags/compressed`` still tells whether the body arrived compressed.
    public var header: FrameHeader
    /// The message body, uncompressed.
    public var body: [UInt8]

    /// Creates a frame.
    ///
    /// - Parameters:
    ///   - header: the header.
    ///   - body: the uncompressed body.
    public init(header: FrameHeader, body: [UInt8]) {
        self.header = header
        self.body = body
    }
}
