/// A failure of the embedded attestation store: the file could not be opened, created, read or written.
///
/// "No attestation for this image" is never an error; it is an empty result. A `StoreError` means the store
/// itself is unusable or an operation on it failed, and its ``reason`` names the file and what went wrong.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, stable for programs to match on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case directoryMissing = "directory-missing"
            case notWritable = "not-writable"
            case notADatabase = "not-a-database"
            case unknownSchema = "unknown-schema"
            case newerSchema = "newer-schema"
            case openFailed = "open-failed"
            case readFailed = "read-failed"
            case writeFailed = "write-failed"
            case invalidRecord = "invalid-record"
            case integrityCheckFailed = "integrity-check-failed"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The parent directory of the store file does not exist or is not a directory.
        public static let directoryMissing = Code(.directoryMissing)
        /// The store file or its directory cannot be written by this process.
        public static let notWritable = Code(.notWritable)
        /// The file exists but is not an SQLite database (or is damaged beyond SQLite's recognition).
        public static let notADatabase = Code(.notADatabase)
        /// The file is an SQLite database, but not an attestd store (its tables do not match).
        public static let unknownSchema = Code(.unknownSchema)
        /// The file was written by a newer attestd whose schema this version does not know.
        public static let newerSchema = Code(.newerSchema)
        /// SQLite refused to open or prepare the file for another reason.
        public static let openFailed = Code(.openFailed)
        /// A lookup or export failed.
        public static let readFailed = Code(.readFailed)
        /// A write failed; nothing of the failed call was stored.
        public static let writeFailed = Code(.writeFailed)
        /// A record handed to the store is malformed (empty repository, bad digest, empty signature…).
        public static let invalidRecord = Code(.invalidRecord)
        /// SQLite's integrity check reported damage.
        public static let integrityCheckFailed = Code(.integrityCheckFailed)

        /// The code's stable name, for example `not-a-database`.
        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human explanation naming the store path and what failed.
    public var reason: String
    /// The store file the failure concerns.
    public var path: String
    /// The source file of the code that raised the error.
    public var fileID: String
    /// The source line of the code that raised the error.
    public var line: Int

    /// Creates a store error.
    ///
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - reason: a human explanation; it should name what failed, the path is added by ``description``.
    ///   - path: the store file concerned.
    public init(_ code: Code, _ reason: String, path: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.path = path
        self.fileID = fileID
        self.line = line
    }

    /// `attestation store PATH: REASON`.
    public var description: String { "attestation store \(path): \(reason)" }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason && lhs.path == rhs.path
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(reason)
        hasher.combine(path)
    }
}
