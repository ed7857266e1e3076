/// One Kubernetes annotation of the object under admission.
///
/// Encoding: `string key`, `string value`.
public struct Annotation: WireCodable, Hashable {
    /// The annotation key, for example `kritis.grafeas.io/breakglass`.
    public var key: String
    /// The annotation value.
    public var value: String

    /// Creates an annotation.
    ///
    /// - Parameters:
    ///   - key: the key.
    ///   - value: the value.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    public static var minimumEncodedSize: Int { 8 }

    public func encode(into writer: inout WireWriter) {
        writer.write(key)
        writer.write(value)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        key = try reader.readString("\(field()).key")
        value = try reader.readString("\(field()).value")
    }
}
