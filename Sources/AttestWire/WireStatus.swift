/// A protocol status code, carried as a big-endian `u16` in ERROR frames.
///
/// Codes are grouped by their high byte so a peer can act on a code it does not know yet:
/// `0x01xx` the frame stream is broken and the connection is closed, `0x02xx` the request was refused and
/// retrying it unchanged is pointless, `0x03xx` the server could not answer now and a retry may succeed.
/// New codes may be added in any version; adding one breaks no client.
public struct WireStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as sent on the wire.
    public let rawValue: UInt16

    /// Wraps a raw code; every value is accepted, including ones this build does not name.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    // MARK: - Success

    /// The request succeeded (never sent in an ERROR frame).
    public static let ok = WireStatus(rawValue: 0x0000)

    // MARK: - 0x01xx: the frame stream is broken; the connection is closed

    /// The frame or its body does not follow the protocol: bad length, reserved flag bits, truncated or
    /// trailing body bytes, a count larger than the bytes left, invalid UTF-8, an unknown enum value.
    public static let badFrame = WireStatus(rawValue: 0x0101)
    /// The header's version byte names a protocol version the receiver does not speak.
    public static let unsupportedVersion = WireStatus(rawValue: 0x0102)
    /// The length prefix exceeds the receiver's maximum frame size.
    public static let frameTooLarge = WireStatus(rawValue: 0x0103)
    /// An LZ4 body declares an uncompressed size over the receiver's maximum decompressed size.
    public static let decompressedTooLarge = WireStatus(rawValue: 0x0104)
    /// An LZ4 body is corrupt, declares size 0, does not decompress to exactly its declared size, or was
    /// sent to a peer that did not negotiate LZ4.
    public static let badCompression = WireStatus(rawValue: 0x0105)

    // MARK: - 0x02xx: the request is refused; the connection stays open

    /// The opcode is not one the receiver knows.
    public static let unknownOpcode = WireStatus(rawValue: 0x0201)
    /// The request is well-formed but not acceptable (a second HELLO, an unknown algorithm name, …).
    public static let invalidRequest = WireStatus(rawValue: 0x0202)
    /// An array holds more items than the receiver's maximum batch size.
    public static let tooManyItems = WireStatus(rawValue: 0x0203)
    /// A string or byte string is longer than the receiver's per-field maximum.
    public static let fieldTooLarge = WireStatus(rawValue: 0x0204)
    /// The peer is not allowed to make this request (for example RELOAD from a read-only uid).
    public static let notPermitted = WireStatus(rawValue: 0x0205)

    // MARK: - 0x03xx: the server cannot answer now; a retry may succeed

    /// Back-pressure: the work queue is full or the connection has too many requests in flight.
    public static let busy = WireStatus(rawValue: 0x0301)
    /// The server is draining and accepts no new requests.
    public static let shuttingDown = WireStatus(rawValue: 0x0302)
    /// The request did not complete within the server's deadline.
    public static let timeout = WireStatus(rawValue: 0x0303)
    /// The server failed in a way that is not the request's fault.
    public static let internalError = WireStatus(rawValue: 0x0304)

    /// Whether the sender of an ERROR frame with this status closes the connection after it.
    ///
    /// True for every `0x01xx` code, including ones this build does not name.
    public var closesConnection: Bool { rawValue >> 8 == 0x01 }

    /// Whether repeating the same request later may succeed (every `0x03xx` code).
    public var isRetryable: Bool { rawValue >> 8 == 0x03 }

    /// The symbolic name, or `status-0xNNNN` for a code this build does not name.
    public var name: String {
        switch self {
        case .ok: "ok"
        case .badFrame: "bad-frame"
        case .unsupportedVersion: "unsupported-version"
        case .frameTooLarge: "frame-too-large"
        case .decompressedTooLarge: "decompressed-too-large"
        case .badCompression: "bad-compression"
        case .unknownOpcode: "unknown-opcode"
        case .invalidRequest: "invalid-request"
        case .tooManyItems: "too-many-items"
        case .fieldTooLarge: "field-too-large"
        case .notPermitted: "not-permitted"
        case .busy: "busy"
        case .shuttingDown: "shutting-down"
        case .timeout: "timeout"
        case .internalError: "internal-error"
        default: "status-0x" + String(rawValue, radix: 16, uppercase: false).leftPadded(to: 4)
        }
    }

    public var description: String { name }
}

extension String {
    /// The string padded on the left with zeros to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
