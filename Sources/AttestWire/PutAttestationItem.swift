/// One attestation to store in a PUT_ATTESTATIONS batch.
///
/// Encoding: `string image`, `bytes payload`, `bytes signature`, `optional<string> key id`, `string source`.
public struct PutAttestationItem: WireCodable, Hashable {
    /// The image the attestation is filed under, `REPO@sha256:HEX`.
    public var image: String
    /// The exact signed payload bytes.
    public var payload: [UInt8]
    /// The raw signature.
    public var signature: [UInt8]
    /// The key id the signer named, if any.
    public var keyID: String?
    /// Where the attestation came from: `sign`, `attach`, `import:FILE:LINE`, …
    public var source: String

    /// Creates an item.
    ///
    /// - Parameters:
    ///   - image: the digest reference.
    ///   - payload: the signed bytes.
    ///   - signature: the signature.
    ///   - keyID: the key id, if any.
    ///   - source: the origin.
    public init(image: String, payload: [UInt8], signature: [UInt8], keyID: String? = nil, source: String) {
        self.image = image
        self.payload = payload
        self.signature = signature
        self.keyID = keyID
        self.source = source
    }

    public static var minimumEncodedSize: Int { 17 }

    public func encode(into writer: inout WireWriter) {
        writer.write(image)
        writer.write(bytes: payload)
        writer.write(bytes: signature)
        writer.write(keyID)
        writer.write(source)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        image = try reader.readString("\(field()).image")
        payload = try reader.readBytes("\(field()).payload")
        signature = try reader.readBytes("\(field()).signature")
        keyID = try reader.readOptionalString("\(field()).key_id")
        source = try reader.readString("\(field()).source")
    }
}
