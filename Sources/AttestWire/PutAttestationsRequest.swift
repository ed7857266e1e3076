/// PUT_ATTESTATIONS request (opcode 0x13): attestations to add to the daemon's store.
///
/// Encoding: `array<put item>` (at most ``WireLimits/maxBatchItems``).
public struct PutAttestationsRequest: WireMessage {
    public static var opcode: Opcode { .putAttestations }
    public static var isResponse: Bool { false }

    /// The attestations; the response answers them in the same order.
    public var items: [PutAttestationItem]

    /// Creates a PUT_ATTESTATIONS request.
    ///
    /// - Parameter items: the attestations.
    public init(items: [PutAttestationItem]) {
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
