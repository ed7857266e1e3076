/// Why a simple-signing payload could not be read or built.
///
/// The ``reason`` names the JSON path of the fault (`critical.identity.docker-reference`) or, for JSON syntax
/// errors, the byte offset.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable class of payload fault. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case tooLarge = "too-large"
            case invalidJSON = "invalid-json"
            case missingField = "missing-field"
            case wrongFieldType = "wrong-field-type"
            case unknownField = "unknown-field"
            case imageWithoutDigest = "image-without-digest"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The payload is larger than the size limit.
        public static let tooLarge = Code(.tooLarge)
        /// The payload is not strict JSON (see ``json``).
        public static let invalidJSON = Code(.invalidJSON)
        /// A required member is absent.
        public static let missingField = Code(.missingField)
        /// A member has the wrong JSON type.
        public static let wrongFieldType = Code(.wrongFieldType)
        /// `critical` (or the top level) has a member the format does not define.
        public static let unknownField = Code(.unknownField)
        /// A payload was to be built for an image referenced by tag only.
        public static let imageWithoutDigest = Code(.imageWithoutDigest)

        public var description: String { value.rawValue }
    }

    /// The class of fault.
    public let code: Code
    /// The JSON path of the offending member (`critical.type`), or `nil` when the fault is not in one member.
    public let path: String?
    /// The underlying JSON syntax error, for ``Code/invalidJSON``.
    public let json: JSONError?
    /// A sentence naming the fault.
    public let reason: String

    init(_ code: Code, path: String? = nil, json: JSONError? = nil, _ reason: String) {
        self.code = code
        self.path = path
        self.json = json
        self.reason = reason
    }

    public var description: String { reason }
}
