public import AttestWire

/// The daemon answered a request with an ERROR frame (protocol §5.9): the request as a whole was refused or
/// could not be answered. Act on ``status`` (its class says whether a retry can help).
public struct DaemonRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status code the daemon sent.
    public var status: WireStatus
    /// The opcode of the request the daemon says it answers (`.none` when it could not tell).
    public var requestOpcode: Opcode
    /// The id of the failed request (0 when the daemon could not attribute the failure).
    public var requestID: UInt64
    /// The daemon's explanation.
    public var message: String

    /// Creates an error from its parts.
    /// - Parameters:
    ///   - status: The status code.
    ///   - requestOpcode: The opcode of the refused request.
    ///   - requestID: The request id of the ERROR frame.
    ///   - message: The daemon's explanation.
    public init(status: WireStatus, requestOpcode: Opcode, requestID: UInt64, message: String) {
        self.status = status
        self.requestOpcode = requestOpcode
        self.requestID = requestID
        self.message = message
    }

    /// Whether retrying the same request later may succeed (status class `0x03xx`: busy, draining, timeout).
    public var isRetryable: Bool { status.isRetryable }

    public var description: String {
        "daemon refused \(requestOpcode) request \(requestID): \(status.name) (0x"
            + String(status.rawValue, radix: 16) + "): \(message)"
    }
}
