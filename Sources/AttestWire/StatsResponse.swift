/// STATS response: counters and gauges.
///
/// Encoding: `array<counter>`, `array<gauge>`.
public struct StatsResponse: WireMessage {
    public static var opcode: Opcode { .stats }
    public static var isResponse: Bool { true }

    /// Monotonic counters.
    public var counters: [StatsCounter]
    /// Point-in-time gauges.
    public var gauges: [StatsGauge]

    /// Creates a STATS response.
    ///
    /// - Parameters:
    ///   - counters: the counters.
    ///   - gauges: the gauges.
    public init(counters: [StatsCounter], gauges: [StatsGauge]) {
        self.counters = counters
        self.gauges = gauges
    }

    public static var minimumEncodedSize: Int { 8 }

    public func encode(into writer: inout WireWriter) {
        writer.write(counters)
        writer.write(gauges)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        counters = try reader.readArray("counters")
        gauges = try reader.readArray("gauges")
    }
}
