/// A failure that stops the import of a whole file: it cannot be read, is too large, or is not JSON at all.
///
/// Bad records inside a readable file are not errors: they become ``ImportRejection``s and the rest is imported.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, stable for programs to match on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case unreadable
            case tooLarge = "too-large"
            case empty
            case malformedJSON = "malformed-json"
            case unrecognisedFormat = "unrecognised-format"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The file cannot be opened or read.
        public static let unreadable = Code(.unreadable)
        /// The file is larger than the importer's limit.
        public static let tooLarge = Code(.tooLarge)
        /// The file holds nothing but white space.
        public static let empty = Code(.empty)
        /// A Grafeas file is not one well-formed JSON document.
        public static let malformedJSON = Code(.malformedJSON)
        /// The JSON document is neither an occurrence, an array of them, nor a ListOccurrences response.
        public static let unrecognisedFormat = Code(.unrecognisedFormat)

        /// The code's stable name, for example `malformed-json`.
        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The file, as named to the importer.
    public var file: String
    /// The 1-based line where the problem was found, when known.
    public var line: Int?
    /// What went wrong.
    public var reason: String

    /// Creates an import error.
    ///
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - file: the file concerned.
    ///   - line: the 1-based line, if known.
    ///   - reason: what went wrong.
    public init(_ code: Code, file: String, line: Int? = nil, _ reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `FILE[:LINE]: REASON`.
    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
