/// A tagged extension field in HELLO, for negotiating things later versions add without changing the
/// HELLO layout. Receivers ignore tags they do not know. Protocol version 1 defines no tags.
///
/// Encoding: `u16 tag`, `bytes value`.
public struct HelloExtension: WireCodable, Hashable {
    /// The extension's identifier.
    public var tag: UInt16
    /// The extension's value, interpreted according to ``tag``.
    public var value: [UInt8]

    /// Creates an extension field.
    ///
    /// - Parameters:
    ///   - tag: the identifier.
    ///   - value: the value.
    public init(tag: UInt16, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    public static var minimumEncodedSize: Int { 6 }

    public func encode(into writer: inout WireWriter) {
        writer.write(tag)
        writer.write(bytes: value)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        tag = try reader.readUInt16("\(field()).tag")
        value = try reader.readBytes("\(field()).value")
    }
}
