/// A value with a protocol encoding that can be appended to a body.
public protocol WireEncodable: Sendable {
    /// Appends the value's encoding.
    ///
    /// - Parameter writer: the body being written.
    func encode(into writer: inout WireWriter)
}

/// A value with a protocol encoding that can be read from a body.
public protocol WireDecodable: Sendable {
    /// The fewest bytes an encoding of this type can take, used to refuse impossible array counts before
    /// allocating.
    static var minimumEncodedSize: Int { get }

    /// Reads one value.
    ///
    /// - Parameters:
    ///   - reader: the body being read.
    ///   - field: the value's path for error reasons, for example `items[3]`.
    /// - Throws: ``WireError`` naming the field and offset when the encoding is malformed or over a limit.
    init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError)
}

/// Both directions.
public typealias WireCodable = WireEncodable & WireDecodable

/// A whole message body: a request or a response of one opcode.
public protocol WireMessage: WireCodable, Hashable {
    /// The opcode of the request this message is or answers.
    static var opcode: Opcode { get }
    /// Whether this is a response (sent with ``FrameFlags/response``).
    static var isResponse: Bool { get }
}

extension WireMessage {
    /// Decodes a whole body as this message, refusing trailing bytes.
    ///
    /// - Parameters:
    ///   - body: the uncompressed body.
    ///   - limits: the receiver's limits.
    /// - Throws: ``WireError`` naming the field and offset.
    public init(decoding body: [UInt8], limits: WireLimits = .default) throws(WireError) {
        var reader = WireReader(bytes: body, limits: limits, context: Self.contextName)
        self = try Self(from: &reader, field: "body")
        try reader.finish()
    }

    /// The message body alone.
    public func encodedBody() -> [UInt8] {
        var writer = WireWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// The name used in error reasons: `CHECK request`, `HELLO response`.
    static var contextName: String { Self.opcode.name + (Self.isResponse ? " response" : " request") }
}
