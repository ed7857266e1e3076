/// HELLO request (opcode 0x01): the client's versions, receive limits, features and name.
///
/// Always sent in a frame with header version 1, whatever versions the client speaks, so that any server
/// can read it. Optional: a client that sends no HELLO gets version 1, the default limits and no features.
///
/// Encoding: `u8 min version`, `u8 max version`, `u32 max frame size`, `u32 max decompressed size`,
/// `u32 features`, `string client name`, `array<extension>`.
public struct HelloRequest: WireMessage {
    public static var opcode: Opcode { .hello }
    public static var isResponse: Bool { false }

    /// The oldest protocol version the client speaks.
    public var minVersion: UInt8
    /// The newest protocol version the client speaks.
    public var maxVersion: UInt8
    /// The largest frame the client accepts (the server keeps its responses within it).
    public var maxFrameSize: UInt32
    /// The largest LZ4 declared size the client accepts.
    public var maxDecompressedSize: UInt32
    /// The features the client supports.
    public var features: WireFeatures
    /// A free-form client name for logs, for example `attestctl/1.0`.
    public var clientName: String
    /// Extension fields; empty in version 1.
    public var extensions: [HelloExtension]

    /// Creates a HELLO request.
    ///
    /// - Parameters:
    ///   - minVersion: oldest version spoken.
    ///   - maxVersion: newest version spoken.
    ///   - maxFrameSize: the client's receive frame limit.
    ///   - maxDecompressedSize: the client's receive LZ4 limit.
    ///   - features: supported features.
    ///   - clientName: a name for logs.
    ///   - extensions: extension fields.
    public init(
        minVersion: UInt8 = WireLimits.supportedVersions.lowerBound,
        maxVersion: UInt8 = WireLimits.supportedVersions.upperBound,
        maxFrameSize: UInt32 = WireLimits.default.maxFrameSize,
        maxDecompressedSize: UInt32 = WireLimits.default.maxDecompressedSize,
        features: WireFeatures = .supported,
        clientName: String,
        extensions: [HelloExtension] = []
    ) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.maxFrameSize = maxFrameSize
        self.maxDecompressedSize = maxDecompressedSize
        self.features = features
        self.clientName = clientName
        self.extensions = extensions
    }

    public static var minimumEncodedSize: Int { 22 }

    public func encode(into writer: inout WireWriter) {
        writer.write(minVersion)
        writer.write(maxVersion)
        writer.write(maxFrameSize)
        writer.write(maxDecompressedSize)
        writer.write(features.rawValue)
        writer.write(clientName)
        writer.write(extensions)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        minVersion = try reader.readUInt8("min_version")
        maxVersion = try reader.readUInt8("max_version")
        maxFrameSize = try reader.readUInt32("max_frame_size")
        maxDecompressedSize = try reader.readUInt32("max_decompressed_size")
        features = WireFeatures(rawValue: try reader.readUInt32("features"))
        clientName = try reader.readString("client_name")
        extensions = try reader.readArray("extensions")
    }

    /// The version a server speaking `supported` picks: the highest both speak.
    ///
    /// - Parameter supported: the server's versions.
    /// - Returns: the chosen version, or `nil` when the ranges do not overlap (answer
    ///   ``WireStatus/unsupportedVersion``).
    public func negotiatedVersion(serverSupports supported: ClosedRange<UInt8> = WireLimits.supportedVersions)
        -> UInt8?
    {
        guard minVersion <= maxVersion else { return nil }
        let high = Swift.min(maxVersion, supported.upperBound)
        let low = Swift.max(minVersion, supported.lowerBound)
        return low <= high ? high : nil
    }
}
