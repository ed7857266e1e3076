/// Why base64 text could not be decoded.
public struct Base64Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable class of base64 fault. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidCharacter = "invalid-character"
            case invalidPadding = "invalid-padding"
            case invalidLength = "invalid-length"
            case nonZeroTrailingBits = "non-zero-trailing-bits"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// A character outside the alphabet (or whitespace when it is not ignored).
        public static let invalidCharacter = Code(.invalidCharacter)
        /// `=` somewhere other than the end, too many `=`, or data after `=`.
        public static let invalidPadding = Code(.invalidPadding)
        /// A final group of one character, which cannot encode a byte.
        public static let invalidLength = Code(.invalidLength)
        /// The last character carries bits that no encoder sets (a non-canonical encoding).
        public static let nonZeroTrailingBits = Code(.nonZeroTrailingBits)

        public var description: String { value.rawValue }
    }

    /// The class of fault.
    public let code: Code
    /// The offset (in UTF-8 bytes of the input) where the fault was found.
    public let offset: Int
    /// A sentence naming the fault, ending with `at offset N`.
    public let reason: String

    init(_ code: Code, _ message: String, at offset: Int) {
        self.code = code
        self.offset = offset
        self.reason = message + " at offset \(offset)"
    }

    public var description: String { reason }
}
