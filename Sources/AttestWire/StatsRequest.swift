/// STATS request (opcode 0x20): asks for the daemon's counters and gauges. The body is empty.
public struct StatsRequest: WireMessage {
    public static var opcode: Opcode { .stats }
    public static var isResponse: Bool { false }

    /// Creates a STATS request.
    public init() {}

    public static var minimumEncodedSize: Int { 0 }

    public func encode(into writer: inout WireWriter) {}

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {}
}
