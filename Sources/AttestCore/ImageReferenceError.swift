/// Why an image reference or a digest could not be parsed.
///
/// The ``reason`` is a sentence naming the fault and quoting the offending text; ``code`` is stable for
/// programs to switch on.
public struct ImageReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable class of reference fault. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case empty
            case tooLong = "too-long"
            case invalidCharacter = "invalid-character"
            case emptyComponent = "empty-component"
            case uppercasePath = "uppercase-path"
            case invalidPathComponent = "invalid-path-component"
            case invalidRegistry = "invalid-registry"
            case invalidTag = "invalid-tag"
            case invalidDigest = "invalid-digest"
            case unsupportedDigestAlgorithm = "unsupported-digest-algorithm"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The reference is the empty string.
        public static let empty = Code(.empty)
        /// The reference (over 4096 bytes) or its name (over 255 bytes) is too long.
        public static let tooLong = Code(.tooLong)
        /// A space, control character, non-ASCII character or other byte no reference may contain.
        public static let invalidCharacter = Code(.invalidCharacter)
        /// `a//b`, a leading or trailing `/`, or a missing repository path.
        public static let emptyComponent = Code(.emptyComponent)
        /// An upper-case letter in the repository path (only the registry host may use them).
        public static let uppercasePath = Code(.uppercasePath)
        /// A path component breaking `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`.
        public static let invalidPathComponent = Code(.invalidPathComponent)
        /// A registry host or port that is not a valid host name, IP address or port number.
        public static let invalidRegistry = Code(.invalidRegistry)
        /// A tag breaking `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
        public static let invalidTag = Code(.invalidTag)
        /// A `sha256:` digest with the wrong length, upper-case hex, or non-hex characters.
        public static let invalidDigest = Code(.invalidDigest)
        /// A digest naming an algorithm other than `sha256` (`sha512:…`, `md5:…`).
        public static let unsupportedDigestAlgorithm = Code(.unsupportedDigestAlgorithm)

        public var description: String { value.rawValue }
    }

    /// The class of fault.
    public let code: Code
    /// A human sentence naming the fault and quoting the offending text.
    public let reason: String

    /// Creates an error; used by the parsers of this module.
    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
