/// PING response: the request's bytes, unchanged.
///
/// Encoding: `bytes data`.
public struct PingResponse: WireMessage {
    public static var opcode: Opcode { .ping }
    public static var isResponse: Bool { true }

    /// The echoed bytes.
    public var data: [UInt8]

    /// Creates a PING response.
    ///
    /// - Parameter data: the echoed bytes.
    public init(data: [UInt8] = []) {
        self.data = data
    }

    public static var minimumEncodedSize: Int { 4 }

    public func encode(into writer: inout WireWriter) {
        writer.write(bytes: data)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        data = try reader.readBytes("data")
    }
}
