/// PING request (opcode 0x02): opaque bytes the server echoes.
///
/// Encoding: `bytes data` (at most ``WireLimits/maxBytesLength``).
public struct PingRequest: WireMessage {
    public static var opcode: Opcode { .ping }
    public static var isResponse: Bool { false }

    /// The bytes to echo.
    public var data: [UInt8]

    /// Creates a PING.
    ///
    /// - Parameter data: the bytes to echo.
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
