internal import Yams

/// A YAML mapping with string keys, read field by field with precise errors.
///
/// Only the fields asked for are ever visited: ignored subtrees (`status`, `metadata.managedFields`) are
/// never walked, so what they hold (however large or aliased) costs nothing.
struct YAMLMapping {
    /// The entries in file order; keys are the scalar texts.
    let entries: [(key: String, value: Node)]
    /// The mapping node itself.
    let node: Node
    /// The dotted path of this mapping (`""` for the document root).
    let path: String
    let context: DocumentContext

    /// Reads a mapping node.
    ///
    /// - Parameters:
    ///   - node: The node, which must be a mapping with scalar keys.
    ///   - path: Its dotted path, for messages.
    ///   - context: The document it belongs to.
    /// - Throws: ``ConfigurationError`` `.wrongType` for anything but a mapping or for a non-scalar key.
    init(_ node: Node, path: String, context: DocumentContext) throws {
        guard case .mapping(let mapping) = node else {
            throw context.error(
                .wrongType,
                field: path.isEmpty ? nil : path,
                node: node,
                "expected a mapping, found \(YAMLMapping.describe(node))"
            )
        }
        var entries: [(key: String, value: Node)] = []
        entries.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw context.error(
                    .wrongType,
                    field: path.isEmpty ? nil : path,
                    node: key,
                    "mapping keys must be plain strings, found \(YAMLMapping.describe(key))"
                )
            }
            entries.append((scalar.string, value))
        }
        self.entries = entries
        self.node = node
        self.path = path
        self.context = context
    }

    /// The dotted path of a field of this mapping.
    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The node for a key; `nil` when the key is absent or its value is YAML null.
    func value(_ key: String) -> Node? {
        guard let found = entries.last(where: { $0.key == key })?.value else { return nil }
        return YAMLMapping.isNull(found) ? nil : found
    }

    /// Refuses keys outside the allowed set, naming the first unknown one and what is allowed.
    ///
    /// - Parameter allowed: The field names this mapping may hold.
    /// - Throws: ``ConfigurationError`` `.unknownField`.
    func rejectUnknownFields(allowed: [String]) throws {
        for (key, value) in entries where !allowed.contains(key) {
            throw context.error(
                .unknownField,
                field: field(key),
                node: value,
                "unknown field; \(path.isEmpty ? "a document" : path) may hold \(allowed.joined(separator: ", "))"
            )
        }
    }

    /// A required or optional string field.
    ///
    /// - Parameters:
    ///   - key: The field name.
    ///   - required: Whether absence is an error.
    /// - Returns: The string, or `nil` when optional and absent.
    /// - Throws: ``ConfigurationError`` `.missingField`, `.wrongType`, or `.invalidValue` for an empty string.
    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let node = value(key) else {
            if required {
                throw context.error(.missingField, field: field(key), node: self.node, "required field is missing")
            }
            return nil
        }
        return try YAMLMapping.string(node, field: field(key), context: context)
    }

    /// An optional nested mapping.
    func mapping(_ key: String) throws -> YAMLMapping? {
        guard let node = value(key) else { return nil }
        return try YAMLMapping(node, path: field(key), context: context)
    }

    /// An optional sequence; its elements come back with their dotted paths (`key[1]`, 1-based).
    func sequence(_ key: String) throws -> [(path: String, node: Node)]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw context.error(
                .wrongType,
                field: field(key),
                node: node,
                "expected a list, found \(YAMLMapping.describe(node))"
            )
        }
        return sequence.enumerated().map { ("\(field(key))[\($0.offset + 1)]", $0.element) }
    }

    /// An optional list of non-empty strings.
    func strings(_ key: String) throws -> [(path: String, value: String, node: Node)]? {
        guard let elements = try sequence(key) else { return nil }
        return try elements.map { element in
            (element.path, try YAMLMapping.string(element.node, field: element.path, context: context), element.node)
        }
    }

    /// The text of a scalar that may be written as a string or as a number (`30s` or `30`, `"0660"` or
    /// `0660`): durations, sizes and modes parse it themselves.
    func scalarText(_ key: String) throws -> (text: String, node: Node)? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node,
            [Tag.Name.str, .int, .float].map(\.rawValue).contains(node.tag.description)
        else {
            throw context.error(
                .wrongType,
                field: field(key),
                node: node,
                "expected a string or a number, found \(YAMLMapping.describe(node))"
            )
        }
        return (scalar.string, node)
    }

    /// An optional integer field.
    func int(_ key: String) throws -> (value: Int, node: Node)? {
        guard let node = value(key) else { return nil }
        guard node.tag.description == Tag.Name.int.rawValue, let number = node.int else {
            throw context.error(
                .wrongType,
                field: field(key),
                node: node,
                "expected an integer, found \(YAMLMapping.describe(node))"
            )
        }
        return (number, node)
    }

    /// Reads a scalar string node, refusing numbers, booleans and nulls that YAML would silently retype.
    static func string(_ node: Node, field: String, context: DocumentContext) throws -> String {
        guard case .scalar(let scalar) = node, node.tag.description == Tag.Name.str.rawValue else {
            let hint = node.scalar != nil ? " (quote it to make it a string)" : ""
            throw context.error(
                .wrongType,
                field: field,
                node: node,
                "expected a string, found \(describe(node))\(hint)"
            )
        }
        guard !scalar.string.isEmpty else {
            throw context.error(.invalidValue, field: field, node: node, "must not be empty")
        }
        return scalar.string
    }

    /// Whether a node is YAML null (`~`, `null`, or nothing).
    static func isNull(_ node: Node) -> Bool {
        node.scalar != nil && node.tag.description == Tag.Name.null.rawValue
    }

    /// A short description of a node's type for messages: `a list`, `an integer (42)`, ….
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            switch node.tag.description {
            case Tag.Name.int.rawValue: return "an integer (\(text))"
            case Tag.Name.float.rawValue: return "a number (\(text))"
            case Tag.Name.bool.rawValue: return "a boolean (\(text))"
            case Tag.Name.null.rawValue: return "null"
            case Tag.Name.timestamp.rawValue: return "a timestamp (\(text))"
            case Tag.Name.str.rawValue: return "a string (\"\(text)\")"
            default: return "a scalar tagged \(node.tag.description)"
            }
        }
    }
}
