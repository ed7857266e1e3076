/// VERIFY request (opcode 0x10): a batch of raw signature checks.
///
/// Encoding: `array<verify item>` (at most ``WireLimits/maxBatchItems``).
public struct VerifyRequest: WireMessage {
    public static var opcode: Opcode { .verify }
    public static var isResponse: Bool { false }

    /// The checks; the response answers them in the same order.
    public var items: [VerifyItem]

    /// Creates a VERIFY request.
    ///
    /// - Parameter items: the checks.
    public init(items: [VerifyItem]) {
        self.items = items
    }

    public static var minimumEncodedSize: Int { 4 }

    public func encode(into writer: inout WireWriter) {
        writer.write(items)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        items = try reader.readArray("items")
    }
}
