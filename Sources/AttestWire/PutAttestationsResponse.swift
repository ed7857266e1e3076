/// PUT_ATTESTATIONS response: how many were newly stored, and one result per item in request order.
///
/// Encoding: `u32 stored count`, `array<put result>`.
public struct PutAttestationsResponse: WireMessage {
    public static var opcode: Opcode { .putAttestations }
    public static var isResponse: Bool { true }

    /// The number of items with status ``PutStatus/stored``.
    public var stored: UInt32
    /// `results[i]` answers `items[i]` of the request.
    public var results: [PutAttestationResult]

    /// Creates a PUT_ATTESTATIONS response.
    ///
    /// - Parameters:
    ///   - stored: the number newly stored.
    ///   - results: the per-item results.
    public init(stored: UInt32, results: [PutAttestationResult]) {
        self.stored = stored
        self.results = results
    }

    public static var minimumEncodedSize: Int { 8 }

    public func encode(into writer: inout WireWriter) {
        writer.write(stored)
        writer.write(results)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        stored = try reader.readUInt32("stored")
        results = try reader.readArray("results")
    }
}
