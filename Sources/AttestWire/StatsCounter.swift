/// A monotonically increasing counter in a STATS response.
///
/// Encoding: `string name`, `u64 value`.
public struct StatsCounter: WireCodable, Hashable {
    /// The counter's name, for example `cache.hits`.
    public var name: String
    /// Its value since the daemon started.
    public var value: UInt64

    /// Creates a counter.
    ///
    /// - Parameters:
    ///   - name: the name.
    ///   - value: the value.
    public init(name: String, value: UInt64) {
        self.name = name
        self.value = value
    }

    public static var minimumEncodedSize: Int { 12 }

    public func encode(into writer: inout WireWriter) {
        writer.write(name)
        writer.write(value)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        name = try reader.readString("\(field()).name")
        value = try reader.readUInt64("\(field()).value")
    }
}
