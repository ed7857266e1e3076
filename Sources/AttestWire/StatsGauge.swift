/// A point-in-time value in a STATS response.
///
/// Encoding: `string name`, `u8 kind` (0 = `u64`, 1 = `f64`; any other is ``WireStatus/badFrame``),
/// then the 8-byte value.
public struct StatsGauge: WireCodable, Hashable {
    /// A gauge's value: an integer or a floating-point number.
    public enum Value: Sendable, Hashable {
        /// Kind 0.
        case integer(UInt64)
        /// Kind 1, IEEE 754 binary64.
        case double(Double)
    }

    /// The gauge's name, for example `cache.entries`.
    public var name: String
    /// Its current value.
    public var value: Value

    /// Creates a gauge.
    ///
    /// - Parameters:
    ///   - name: the name.
    ///   - value: the value.
    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }

    public static var minimumEncodedSize: Int { 13 }

    public func encode(into writer: inout WireWriter) {
        writer.write(name)
        switch value {
        case .integer(let integer):
            writer.write(UInt8(0))
            writer.write(integer)
        case .double(let double):
            writer.write(UInt8(1))
            writer.write(double)
        }
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        name = try reader.readString("\(field()).name")
        switch try reader.readUInt8("\(field()).kind") {
        case 0: value = .integer(try reader.readUInt64("\(field()).value"))
        case 1: value = .double(try reader.readDouble("\(field()).value"))
        case let other: throw reader.error(.badFrame, "\(field()).kind", "unknown gauge kind \(other)")
        }
    }
}
