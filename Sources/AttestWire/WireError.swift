/// A frame or message body that breaks the protocol or a limit, detected while encoding or decoding.
///
/// ``code`` is the status the receiver answers with in an ERROR frame; ``reason`` names what was wrong and
/// where (the field and the byte offset inside the body, or the header field).
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status to report to the peer; ``WireStatus/closesConnection`` says whether to hang up after.
    public var code: WireStatus
    /// A human explanation naming the field and offset, for example
    /// `CHECK items[3].image: string length 70000 exceeds the limit 65536 (body offset 1234)`.
    public var reason: String
    /// The request id the error belongs to, or 0 when the frame could not be attributed.
    public var requestID: UInt64
    /// The opcode of the offending frame, or ``Opcode/none`` when the header was not readable.
    public var opcode: Opcode

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: the status to report.
    ///   - reason: what was wrong and where.
    ///   - requestID: the request id of the offending frame, 0 if unknown.
    ///   - opcode: the opcode of the offending frame, ``Opcode/none`` if unknown.
    public init(_ code: WireStatus, _ reason: String, requestID: UInt64 = 0, opcode: Opcode = .none) {
        self.code = code
        self.reason = reason
        self.requestID = requestID
        self.opcode = opcode
    }

    public var description: String { "\(code.name): \(reason)" }

    /// The same error attributed to a frame.
    func attributed(to header: FrameHeader) -> WireError {
        var copy = self
        copy.requestID = header.requestID
        copy.opcode = header.opcode
        return copy
    }
}
