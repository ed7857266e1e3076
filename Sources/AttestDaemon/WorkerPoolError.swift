/// Work that a ``WorkerPool`` did not accept.
public struct WorkerPoolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal it is; a struct so that adding a code breaks no caller.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case busy
            case shutDown
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The queue is full: answer BUSY and let the client retry later.
        public static let busy = Code(.busy)
        /// The pool is shutting down or has shut down.
        public static let shutDown = Code(.shutDown)

        /// The code's name.
        public var description: String {
            switch value {
            case .busy: "busy"
            case .shutDown: "shutDown"
            }
        }
    }

    /// What kind of refusal it is.
    public let code: Code
    /// What exactly happened, with the numbers involved.
    public let reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of refusal it is.
    ///   - reason: What exactly happened.
    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `code: reason`.
    public var description: String {
        "\(code): \(reason)"
    }
}
