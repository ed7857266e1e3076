/// A verdict cache that cannot be built as configured.
public struct VerdictCacheError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is; a struct so that adding a code breaks no caller.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidConfiguration
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A configuration field is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        /// The code's name.
        public var description: String {
            switch value {
            case .invalidConfiguration: "invalidConfiguration"
            }
        }
    }

    /// What kind of problem it is.
    public let code: Code
    /// What exactly is wrong, naming the field and its value.
    public let reason: String
    /// Where the error was thrown.
    public let location: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of problem it is.
    ///   - reason: What exactly is wrong.
    init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.location = "\(fileID):\(line)"
    }

    /// `code: reason`.
    public var description: String {
        "\(code): \(reason)"
    }
}
