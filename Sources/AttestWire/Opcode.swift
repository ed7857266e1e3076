/// A message type, the header's `opcode` byte.
///
/// A response carries the opcode of its request with the ``FrameFlags/response`` flag set; ERROR is the
/// only response with an opcode of its own. Unknown opcodes pass the frame decoder and are refused by the
/// message layer with ``WireStatus/unknownOpcode``, so new messages can be added without a new version.
public struct Opcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The byte as sent on the wire.
    public let rawValue: UInt8

    /// Wraps a raw opcode; every value is accepted.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Not a message: used in ERROR frames that cannot name the offending request's opcode.
    public static let none = Opcode(rawValue: 0x00)
    /// Version and limits negotiation.
    public static let hello = Opcode(rawValue: 0x01)
    /// Liveness check echoing opaque bytes.
    public static let ping = Opcode(rawValue: 0x02)
    /// A batch of raw signature checks.
    public static let verify = Opcode(rawValue: 0x10)
    /// A batch of (namespace, image) policy checks.
    public static let check = Opcode(rawValue: 0x11)
    /// One admission decision.
    public static let admit = Opcode(rawValue: 0x12)
    /// A batch of attestations to store.
    public static let putAttestations = Opcode(rawValue: 0x13)
    /// Counters and gauges.
    public static let stats = Opcode(rawValue: 0x20)
    /// Reload the configuration.
    public static let reload = Opcode(rawValue: 0x21)
    /// An error response (only ever sent with the response flag).
    public static let error = Opcode(rawValue: 0xFF)

    /// The upper-case protocol name (`CHECK`), or `0xNN` for an opcode this build does not name.
    public var name: String {
        switch self {
        case .none: "NONE"
        case .hello: "HELLO"
        case .ping: "PING"
        case .verify: "VERIFY"
        case .check: "CHECK"
        case .admit: "ADMIT"
        case .putAttestations: "PUT_ATTESTATIONS"
        case .stats: "STATS"
        case .reload: "RELOAD"
        case .error: "ERROR"
        default: "0x" + String(rawValue, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }

    public var description: String { name }
}
