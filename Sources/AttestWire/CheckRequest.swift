/// CHECK request (opcode 0x11): a batch of policy checks.
///
/// Encoding: `array<check item>` (at most ``WireLimits/maxBatchItems``).
public struct CheckRequest: WireMessage {
    public static var opcode: Opcode { .check }
    public static var isResponse: Bool { false }

    /// The questions; the response answers them in the same order.
    public var items: [CheckItem]

    /// Creates a CHECK request.
    ///
    /// - Parameter items: the questions.
    public init(items: [CheckItem]) {
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
