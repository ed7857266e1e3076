public import AttestCore

/// One raw signature check in a VERIFY batch.
///
/// Encoding: `string algorithm`, `key reference`, `string image`, `bytes payload`, `bytes signature`.
public struct VerifyItem: WireCodable, Hashable {
    /// The algorithm name: canonical (`rsa-pss-sha256`) or an alias ``SignatureAlgorithm`` accepts. Sent as
    /// a string so an unknown name is a per-item error, not a broken frame.
    public var algorithm: String
    /// The key to verify with.
    public var key: KeyReference
    /// `REPO@sha256:…` to also check the payload against; empty to check the signature alone.
    public var image: String
    /// The exact signed bytes.
    public var payload: [UInt8]
    /// The raw signature.
    public var signature: [UInt8]

    /// Creates an item.
    ///
    /// - Parameters:
    ///   - algorithm: the algorithm name.
    ///   - key: the key reference.
    ///   - image: the image reference, or empty.
    ///   - payload: the signed bytes.
    ///   - signature: the signature.
    public init(algorithm: String, key: KeyReference, image: String = "", payload: [UInt8], signature: [UInt8]) {
        self.algorithm = algorithm
        self.key = key
        self.image = image
        self.payload = payload
        self.signature = signature
    }

    /// Creates an item naming the algorithm by its canonical name.
    ///
    /// - Parameters:
    ///   - algorithm: the algorithm.
    ///   - key: the key reference.
    ///   - image: the image reference, or empty.
    ///   - payload: the signed bytes.
    ///   - signature: the signature.
    public init(
        algorithm: SignatureAlgorithm,
        key: KeyReference,
        image: String = "",
        payload: [UInt8],
        signature: [UInt8]
    ) {
        self.init(algorithm: algorithm.name, key: key, image: image, payload: payload, signature: signature)
    }

    public static var minimumEncodedSize: Int { 4 + KeyReference.minimumEncodedSize + 12 }

    public func encode(into writer: inout WireWriter) {
        writer.write(algorithm)
        key.encode(into: &writer)
        writer.write(image)
        writer.write(bytes: payload)
        writer.write(bytes: signature)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        algorithm = try reader.readString("\(field()).algorithm")
        key = try KeyReference(from: &reader, field: "\(field()).key")
        image = try reader.readString("\(field()).image")
        payload = try reader.readBytes("\(field()).payload")
        signature = try reader.readBytes("\(field()).signature")
    }
}
