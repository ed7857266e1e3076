/// VERIFY response: one result per request item, in request order.
///
/// Encoding: `array<verify result>`.
public struct VerifyResponse: WireMessage {
    public static var opcode: Opcode { .verify }
    public static var isResponse: Bool { true }

    /// `results[i]` answers `items[i]` of the request.
    public var results: [VerifyResult]

    /// Creates a VERIFY response.
    ///
    /// - Parameter results: the results in request order.
    public init(results: [VerifyResult]) {
        self.results = results
    }

    public static var minimumEncodedSize: Int { 4 }

    public func encode(into writer: inout WireWriter) {
        writer.write(results)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        results = try reader.readArray("results")
    }
}
