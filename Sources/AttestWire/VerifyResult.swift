/// The answer to one VERIFY item.
///
/// Encoding: `u8 status`, `string reason`, `string message`.
public struct VerifyResult: WireCodable, Hashable {
    /// Valid, invalid or error.
    public var status: VerifyStatus
    /// A stable machine-readable reason code: `valid`, `bad-signature`, `digest-mismatch`, …
    public var reason: String
    /// A human explanation; may be empty.
    public var message: String

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - status: the outcome.
    ///   - reason: the reason code.
    ///   - message: the explanation.
    public init(status: VerifyStatus, reason: String, message: String = "") {
        self.status = status
        self.reason = reason
        self.message = message
    }

    public static var minimumEncodedSize: Int { 9 }

    public func encode(into writer: inout WireWriter) {
        writer.write(status.rawValue)
        writer.write(reason)
        writer.write(message)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        let raw = try reader.readUInt8("\(field()).status")
        guard let status = VerifyStatus(rawValue: raw) else {
            throw reader.error(.badFrame, "\(field()).status", "unknown verify status \(raw)")
        }
        self.status = status
        reason = try reader.readString("\(field()).reason")
        message = try reader.readString("\(field()).message")
    }
}
