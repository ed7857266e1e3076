/// RELOAD response: whether the new configuration is in force.
///
/// Encoding: `bool ok`, `string message`. When `ok` is false the previous configuration stays in force and
/// the message names the file, document and field that was refused.
public struct ReloadResponse: WireMessage {
    public static var opcode: Opcode { .reload }
    public static var isResponse: Bool { true }

    /// Whether the reload succeeded.
    public var ok: Bool
    /// What was loaded, or why it was refused.
    public var message: String

    /// Creates a RELOAD response.
    ///
    /// - Parameters:
    ///   - ok: success.
    ///   - message: the explanation.
    public init(ok: Bool, message: String) {
        self.ok = ok
        self.message = message
    }

    public static var minimumEncodedSize: Int { 5 }

    public func encode(into writer: inout WireWriter) {
        writer.write(ok)
        writer.write(message)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        ok = try reader.readBool("ok")
        message = try reader.readString("message")
    }
}
