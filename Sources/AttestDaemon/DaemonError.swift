/// A failure to start, configure or serve the daemon; each names exactly what was wrong and where.
public struct DaemonError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure it is; a struct so that adding a code breaks no caller.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case configuration
            case socketDirectory
            case socketInUse
            case socketPath
            case bind
            case store
            case state
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The configuration file could not be loaded or is not usable.
        public static let configuration = Code(.configuration)
        /// The socket's directory is missing, not a directory, or writable by anyone without the sticky bit.
        public static let socketDirectory = Code(.socketDirectory)
        /// Another process is listening on the socket path.
        public static let socketInUse = Code(.socketInUse)
        /// The socket path is not usable: too long, not absolute, or an existing non-socket file.
        public static let socketPath = Code(.socketPath)
        /// Binding or preparing the listening socket failed.
        public static let bind = Code(.bind)
        /// The attestation store could not be opened.
        public static let store = Code(.store)
        /// The daemon was used in the wrong state (started twice, or after shutdown).
        public static let state = Code(.state)

        /// The code's name.
        public var description: String {
            switch value {
            case .configuration: "configuration"
            case .socketDirectory: "socketDirectory"
            case .socketInUse: "socketInUse"
            case .socketPath: "socketPath"
            case .bind: "bind"
            case .store: "store"
            case .state: "state"
            }
        }
    }

    /// What kind of failure it is.
    public let code: Code
    /// What exactly was wrong, naming the file, path or field.
    public let reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of failure it is.
    ///   - reason: What exactly was wrong.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `code: reason`.
    public var description: String {
        "\(code): \(reason)"
    }
}
