/// ERROR response (opcode 0xFF, always with the response flag): a request failed as a whole, or a frame
/// broke the protocol.
///
/// The header's request id is the failed request's (0 when the frame could not be attributed).
/// Encoding: `u16 status`, `u8 request opcode` (0 when unknown), `string message`.
public struct ErrorResponse: WireMessage {
    public static var opcode: Opcode { .error }
    public static var isResponse: Bool { true }

    /// What went wrong; see ``WireStatus/closesConnection``.
    public var status: WireStatus
    /// The opcode of the request this answers, or ``Opcode/none``.
    public var requestOpcode: Opcode
    /// A human explanation naming the field or limit.
    public var message: String

    /// Creates an ERROR response.
    ///
    /// - Parameters:
    ///   - status: the status.
    ///   - requestOpcode: the failed request's opcode.
    ///   - message: the explanation.
    public init(status: WireStatus, requestOpcode: Opcode, message: String) {
        self.status = status
        self.requestOpcode = requestOpcode
        self.message = message
    }

    /// The ERROR response that reports a ``WireError``.
    ///
    /// - Parameter error: the error; its ``WireError/opcode`` becomes ``requestOpcode``.
    public init(_ error: WireError) {
        self.init(status: error.code, requestOpcode: error.opcode, message: error.reason)
    }

    public static var minimumEncodedSize: Int { 7 }

    public func encode(into writer: inout WireWriter) {
        writer.write(status.rawValue)
        writer.write(requestOpcode.rawValue)
        writer.write(message)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        status = WireStatus(rawValue: try reader.readUInt16("status"))
        requestOpcode = Opcode(rawValue: try reader.readUInt8("request_opcode"))
        message = try reader.readString("message")
    }
}
