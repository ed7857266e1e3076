/// The limits one peer enforces on what it receives; announced to the other side in HELLO.
///
/// A receiver refuses, with the status named on each property, anything over its limits. A sender should
/// keep within the limits its peer announced (the server's in ``HelloResponse``, the client's frame sizes
/// in ``HelloRequest``); before HELLO both sides assume ``default``.
public struct WireLimits: Sendable, Hashable {
    /// The protocol version this build speaks.
    public static let currentVersion: UInt8 = 1
    /// The versions this build can decode.
    public static let supportedVersions: ClosedRange<UInt8> = 1...1

    /// Largest value of the length prefix (header bytes after the prefix plus the body as sent);
    /// over it: ``WireStatus/frameTooLarge``, connection closed. Default 16 MiB.
    public var maxFrameSize: UInt32
    /// Largest declared uncompressed size of an LZ4 body; over it: ``WireStatus/decompressedTooLarge``,
    /// connection closed, refused before allocating. Default 64 MiB.
    public var maxDecompressedSize: UInt32
    /// Largest element count of any array in a body; over it: ``WireStatus/tooManyItems``, connection kept.
    /// Default 4096.
    public var maxBatchItems: UInt32
    /// Requests a client may have in flight on one connection; past it the server answers
    /// ``WireStatus/busy``. Not enforced by the codec. Default 1024.
    public var maxInFlight: UInt32
    /// Largest UTF-8 string field in bytes; over it: ``WireStatus/fieldTooLarge``. Default 64 KiB.
    public var maxStringLength: UInt32
    /// Largest byte-string field (payloads, signatures, keys, PING data); over it:
    /// ``WireStatus/fieldTooLarge``. Default 1 MiB.
    public var maxBytesLength: UInt32

    /// Creates limits; every argument defaults to the value in ``default``.
    ///
    /// - Parameters:
    ///   - maxFrameSize: largest length prefix.
    ///   - maxDecompressedSize: largest declared LZ4 uncompressed size.
    ///   - maxBatchItems: largest array count.
    ///   - maxInFlight: requests in flight per connection.
    ///   - maxStringLength: largest string field in bytes.
    ///   - maxBytesLength: largest byte-string field.
    public init(
        maxFrameSize: UInt32 = 16 << 20,
        maxDecompressedSize: UInt32 = 64 << 20,
        maxBatchItems: UInt32 = 4096,
        maxInFlight: UInt32 = 1024,
        maxStringLength: UInt32 = 64 << 10,
        maxBytesLength: UInt32 = 1 << 20
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxDecompressedSize = maxDecompressedSize
        self.maxBatchItems = maxBatchItems
        self.maxInFlight = maxInFlight
        self.maxStringLength = maxStringLength
        self.maxBytesLength = maxBytesLength
    }

    /// The defaults both peers assume before HELLO.
    public static let `default` = WireLimits()
}
