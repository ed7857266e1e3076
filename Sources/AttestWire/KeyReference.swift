/// Which key a VERIFY item is checked with.
///
/// Encoding: `u8 kind`, then for kind 0 (`attestor`) a `string` attestor name configured in the daemon
/// (any of its keys may verify), for kind 1 (`inlineKey`) a `bytes` public key in DER
/// (SubjectPublicKeyInfo) or PEM. Any other kind is ``WireStatus/badFrame``.
public enum KeyReference: WireCodable, Hashable {
    /// An attestor configured in the daemon, by name.
    case attestor(String)
    /// A public key carried in the request, DER or PEM.
    case inlineKey([UInt8])

    public static var minimumEncodedSize: Int { 5 }

    public func encode(into writer: inout WireWriter) {
        switch self {
        case .attestor(let name):
            writer.write(UInt8(0))
            writer.write(name)
        case .inlineKey(let key):
            writer.write(UInt8(1))
            writer.write(bytes: key)
        }
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        switch try reader.readUInt8("\(field()).kind") {
        case 0: self = .attestor(try reader.readString("\(field()).attestor"))
        case 1: self = .inlineKey(try reader.readBytes("\(field()).key"))
        case let other: throw reader.error(.badFrame, "\(field()).kind", "unknown key reference kind \(other)")
        }
    }
}
