internal import Yams

/// Where in the configuration a document (or a `List` item) sits, for error messages.
struct DocumentContext {
    let file: String
    let document: Int
    var item: Int?
    var kind: String?
    var name: String?

    /// Builds an error located at a field of this document.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - field: The dotted field path, or `nil` for the document as a whole.
    ///   - node: The YAML node at fault, for its line.
    ///   - reason: What was wrong.
    /// - Returns: The error.
    func error(
        _ code: ConfigurationError.Code,
        field: String?,
        node: Node?,
        _ reason: String
    ) -> ConfigurationError {
        ConfigurationError(
            code,
            reason,
            file: file,
            document: document,
            item: item,
            kind: kind,
            name: name,
            field: field,
            line: node?.mark?.line
        )
    }
}
