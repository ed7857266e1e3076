/// The answer to one PUT_ATTESTATIONS item.
///
/// Encoding: `u8 status`, `string message`.
public struct PutAttestationResult: WireCodable, Hashable {
    /// Stored, duplicate or rejected.
    public var status: PutStatus
    /// A human explanation; may be empty.
    public var message: String

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - status: the outcome.
    ///   - message: the explanation.
    public init(status: PutStatus, message: String = "") {
        self.status = status
        self.message = message
    }

    public static var minimumEncodedSize: Int { 5 }

    public func encode(into writer: inout WireWriter) {
        writer.write(status.rawValue)
        writer.write(message)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        let raw = try reader.readUInt8("\(field()).status")
        guard let status = PutStatus(rawValue: raw) else {
            throw reader.error(.badFrame, "\(field()).status", "unknown put status \(raw)")
        }
        self.status = status
        message = try reader.readString("\(field()).message")
    }
}
