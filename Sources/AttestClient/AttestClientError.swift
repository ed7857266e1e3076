/// A failure of the client side of a request: the daemon could not be reached, the connection broke, the
/// request missed its deadline, or the daemon sent bytes that break the protocol.
///
/// Answers the daemon gives on purpose (ERROR frames) are ``DaemonRefusal``s instead.
public struct AttestClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The socket could not be connected to (missing, refused, permission denied).
        public static let connectFailed = Code(rawValue: "connect-failed")
        /// The connection closed or broke while the request was in flight, or was already closed.
        public static let connectionClosed = Code(rawValue: "connection-closed")
        /// The request got no answer before its deadline; its slot was released.
        public static let timeout = Code(rawValue: "timeout")
        /// The daemon sent a frame or body that breaks the wire protocol; the connection was closed.
        public static let protocolViolation = Code(rawValue: "protocol-violation")
        /// The connection already carries as many requests as the daemon allows in flight.
        public static let tooManyInFlight = Code(rawValue: "too-many-in-flight")
        /// The request could not be encoded within the negotiated limits.
        public static let encodingFailed = Code(rawValue: "encoding-failed")
    }

    /// The kind of failure.
    public var code: Code
    /// A human explanation naming the socket, request and limit or offset involved.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - reason: A human explanation.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
