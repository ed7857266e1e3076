/// ADMIT request (opcode 0x12): one admission review, reduced to what the decision needs.
///
/// Encoding: `string namespace`, `string kind`, `string name`, `string operation`, `bool dry run`,
/// `array<annotation>`, `array<string> images`.
public struct AdmitRequest: WireMessage {
    public static var opcode: Opcode { .admit }
    public static var isResponse: Bool { false }

    /// The object's namespace.
    public var namespace: String
    /// The object's kind: `Pod`, `Deployment`, …
    public var kind: String
    /// The object's name (may be empty for generated names).
    public var name: String
    /// `CREATE` or `UPDATE`.
    public var operation: String
    /// The review is a dry run: evaluate and report, but admit.
    public var dryRun: Bool
    /// The object's annotations (breakglass is one).
    public var annotations: [Annotation]
    /// Every image of every container, in order; per-image results follow this order.
    public var images: [String]

    /// Creates an ADMIT request.
    ///
    /// - Parameters:
    ///   - namespace: the namespace.
    ///   - kind: the kind.
    ///   - name: the name.
    ///   - operation: the operation.
    ///   - dryRun: whether this is a dry run.
    ///   - annotations: the annotations.
    ///   - images: the images.
    public init(
        namespace: String,
        kind: String,
        name: String,
        operation: String,
        dryRun: Bool = false,
        annotations: [Annotation] = [],
        images: [String]
    ) {
        self.namespace = namespace
        self.kind = kind
        self.name = name
        self.operation = operation
        self.dryRun = dryRun
        self.annotations = annotations
        self.images = images
    }

    public static var minimumEncodedSize: Int { 25 }

    public func encode(into writer: inout WireWriter) {
        writer.write(namespace)
        writer.write(kind)
        writer.write(name)
        writer.write(operation)
        writer.write(dryRun)
        writer.write(annotations)
        writer.write(images)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        namespace = try reader.readString("namespace")
        kind = try reader.readString("kind")
        name = try reader.readString("name")
        operation = try reader.readString("operation")
        dryRun = try reader.readBool("dry_run")
        annotations = try reader.readArray("annotations")
        images = try reader.readStrings("images")
    }
}
