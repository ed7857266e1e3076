/// One (namespace, image) question in a CHECK batch.
///
/// Encoding: `string namespace`, `string image`.
public struct CheckItem: WireCodable, Hashable {
    /// The Kubernetes namespace whose policy applies.
    public var namespace: String
    /// The image reference as written in the workload.
    public var image: String

    /// Creates an item.
    ///
    /// - Parameters:
    ///   - namespace: the namespace.
    ///   - image: the image reference.
    public init(namespace: String, image: String) {
        self.namespace = namespace
        self.image = image
    }

    public static var minimumEncodedSize: Int { 8 }

    public func encode(into writer: inout WireWriter) {
        writer.write(namespace)
        writer.write(image)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        namespace = try reader.readString("\(field()).namespace")
        image = try reader.readString("\(field()).image")
    }
}
