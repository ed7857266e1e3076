/// HELLO response: the chosen version, the server's receive limits, its features and identity.
///
/// Encoding: `u8 version`, `u32 max frame size`, `u32 max decompressed size`, `u32 max batch items`,
/// `u32 max in flight`, `u32 max string length`, `u32 max bytes length`, `u32 features`,
/// `string server name`, `string server version`, `array<extension>`.
public struct HelloResponse: WireMessage {
    public static var opcode: Opcode { .hello }
    public static var isResponse: Bool { true }

    /// The version both sides use for every later frame.
    public var version: UInt8
    /// The limits the server enforces on what it receives.
    public var limits: WireLimits
    /// The features the server supports; in use are those both announced.
    public var features: WireFeatures
    /// The server's name, for example `attestd`.
    public var serverName: String
    /// The server's software version.
    public var serverVersion: String
    /// Extension fields; empty in version 1.
    public var extensions: [HelloExtension]

    /// Creates a HELLO response.
    ///
    /// - Parameters:
    ///   - version: the chosen version.
    ///   - limits: the server's receive limits.
    ///   - features: supported features.
    ///   - serverName: the server's name.
    ///   - serverVersion: its software version.
    ///   - extensions: extension fields.
    public init(
        version: UInt8 = WireLimits.currentVersion,
        limits: WireLimits = .default,
        features: WireFeatures = .supported,
        serverName: String,
        serverVersion: String,
        extensions: [HelloExtension] = []
    ) {
        self.version = version
        self.limits = limits
        self.features = features
        self.serverName = serverName
        self.serverVersion = serverVersion
        self.extensions = extensions
    }

    public static var minimumEncodedSize: Int { 41 }

    public func encode(into writer: inout WireWriter) {
        writer.write(version)
        writer.write(limits.maxFrameSize)
        writer.write(limits.maxDecompressedSize)
        writer.write(limits.maxBatchItems)
        writer.write(limits.maxInFlight)
        writer.write(limits.maxStringLength)
        writer.write(limits.maxBytesLength)
        writer.write(features.rawValue)
        writer.write(serverName)
        writer.write(serverVersion)
        writer.write(extensions)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        version = try reader.readUInt8("version")
        limits = WireLimits(
            maxFrameSize: try reader.readUInt32("max_frame_size"),
            maxDecompressedSize: try reader.readUInt32("max_decompressed_size"),
            maxBatchItems: try reader.readUInt32("max_batch_items"),
            maxInFlight: try reader.readUInt32("max_in_flight"),
            maxStringLength: try reader.readUInt32("max_string_length"),
            maxBytesLength: try reader.readUInt32("max_bytes_length")
        )
        features = WireFeatures(rawValue: try reader.readUInt32("features"))
        serverName = try reader.readString("server_name")
        serverVersion = try reader.readString("server_version")
        extensions = try reader.readArray("extensions")
    }
}
