/// An error from the crypto layer: a key or an input that cannot be used, or a library failure.
///
/// A signature that does not verify is never an error: verifiers answer `false`. A `CryptoError` means
/// the question itself could not be asked (a malformed or refused key, a key that does not fit the
/// algorithm, OpenSSL failing).
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case malformedKey
            case keyTooSmall
            case trailingData
            case unsupportedKeyType
            case encryptedKey
            case algorithmMismatch
            case inputTooLarge
            case libraryFailure
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// The key bytes are not a well-formed PEM or DER key.
        public static let malformedKey = Code(.malformedKey)
        /// An RSA key is smaller than the 2048-bit minimum.
        public static let keyTooSmall = Code(.keyTooSmall)
        /// Non-whitespace text after the PEM block, or bytes after the DER structure.
        public static let trailingData = Code(.trailingData)
        /// The key is of a type or curve attestd does not verify with.
        public static let unsupportedKeyType = Code(.unsupportedKeyType)
        /// The private key is encrypted; attestd only reads unencrypted keys.
        public static let encryptedKey = Code(.encryptedKey)
        /// The key cannot be used with the named algorithm (an EC key under `rsa-pss-sha256`, a P-384 key
        /// under `ecdsa-p256-sha256`).
        public static let algorithmMismatch = Code(.algorithmMismatch)
        /// The input is larger than any key attestd accepts.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// OpenSSL failed where it should not (allocation, an unavailable algorithm).
        public static let libraryFailure = Code(.libraryFailure)

        public var description: String { backing.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A human sentence naming what was wrong and where.
    public let reason: String
    /// The source file that raised the error.
    public let file: String
    /// The source line that raised the error.
    public let line: Int

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - reason: A human sentence naming what was wrong and where.
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { "CryptoError.\(code): \(reason)" }
}
