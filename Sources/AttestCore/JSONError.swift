/// Why a JSON document was refused by ``StrictJSON``.
///
/// Every error carries the byte ``offset`` where the fault was found and a ``reason`` that names it and repeats
/// the offset, for example `duplicate key "critical" at offset 57`.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable class of JSON fault. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case tooLarge = "too-large"
            case tooDeep = "too-deep"
            case unexpectedEnd = "unexpected-end"
            case unexpectedByte = "unexpected-byte"
            case duplicateKey = "duplicate-key"
            case invalidUTF8 = "invalid-utf8"
            case controlCharacter = "control-character"
            case invalidEscape = "invalid-escape"
            case invalidSurrogate = "invalid-surrogate"
            case invalidNumber = "invalid-number"
            case invalidLiteral = "invalid-literal"
            case trailingData = "trailing-data"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The document is larger than the parser's size limit.
        public static let tooLarge = Code(.tooLarge)
        /// Arrays and objects nest deeper than the parser's depth limit.
        public static let tooDeep = Code(.tooDeep)
        /// The document ends in the middle of a value (this includes the empty document).
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// A byte that cannot start or continue the expected token.
        public static let unexpectedByte = Code(.unexpectedByte)
        /// An object repeats a key (compared by exact UTF-8 bytes after unescaping).
        public static let duplicateKey = Code(.duplicateKey)
        /// A string holds bytes that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A string holds an unescaped control character (U+0000–U+001F).
        public static let controlCharacter = Code(.controlCharacter)
        /// A backslash escape that JSON does not define, or a malformed `\u` escape.
        public static let invalidEscape = Code(.invalidEscape)
        /// A `\u` escape leaving a UTF-16 surrogate unpaired.
        public static let invalidSurrogate = Code(.invalidSurrogate)
        /// A number breaking the JSON grammar (leading zeros, missing digits, `+1`, …).
        public static let invalidNumber = Code(.invalidNumber)
        /// A bare word other than `true`, `false` or `null`.
        public static let invalidLiteral = Code(.invalidLiteral)
        /// Bytes after the end of the top-level value.
        public static let trailingData = Code(.trailingData)

        public var description: String { value.rawValue }
    }

    /// The class of fault.
    public let code: Code
    /// The byte offset (from 0) in the input where the fault was found.
    public let offset: Int
    /// A sentence naming the fault, ending with `at offset N`.
    public let reason: String

    /// Creates an error; `message` must not mention the offset, which is appended.
    init(_ code: Code, _ message: String, at offset: Int) {
        self.code = code
        self.offset = offset
        self.reason = message + " at offset \(offset)"
    }

    public var description: String { reason }
}
