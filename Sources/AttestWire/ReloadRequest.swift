/// RELOAD request (opcode 0x21): reload the configuration, from its current path or a new one.
///
/// Encoding: `optional<string> config path`.
public struct ReloadRequest: WireMessage {
    public static var opcode: Opcode { .reload }
    public static var isResponse: Bool { false }

    /// A configuration file to load instead of the current one; `nil` reloads the current file.
    public var configPath: String?

    /// Creates a RELOAD request.
    ///
    /// - Parameter configPath: a new configuration path, or `nil`.
    public init(configPath: String? = nil) {
        self.configPath = configPath
    }

    public static var minimumEncodedSize: Int { 1 }

    public func encode(into writer: inout WireWriter) {
        writer.write(configPath)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        configPath = try reader.readOptionalString("config_path")
    }
}
