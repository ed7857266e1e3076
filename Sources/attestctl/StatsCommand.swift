import ArgumentParser
import AttestClient
import AttestWire
import Foundation

/// `attestctl stats`: the daemon's counters and gauges.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print attestd's counters and gauges (cache, batches, connections, requests).",
        discussion: """
            Text output is a table of NAME VALUE lines, counters first; JSON output is one object \
            {"counters": {NAME: N}, "gauges": {NAME: N}}. Exit status 2 when attestd cannot be reached.
            """
    )

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "attestd's Unix socket.")
    var socket: String

    @Option(help: "Output format: text or json.")
    var output: Format = .text

    func run() async throws {
        let stats = try await DaemonLink.run(socket: socket) { try await $0.stats() }
        switch output {
        case .text: print(Self.table(stats))
        case .json: print(Self.json(stats))
        }
    }

    /// A two-column table: counters, then gauges, each sorted by name.
    static func table(_ stats: StatsResponse) -> String {
        var rows: [(String, String)] = [("COUNTER", "VALUE")]
        rows += stats.counters.sorted { $0.name < $1.name }.map { ($0.name, String($0.value)) }
        rows.append(("GAUGE", "VALUE"))
        rows += stats.gauges.sorted { $0.name < $1.name }.map { ($0.name, render($0.value)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
            .joined(separator: "\n")
    }

    /// One JSON object with `counters` and `gauges` maps.
    static func json(_ stats: StatsResponse) -> String {
        let counters = stats.counters.map { (name: $0.name, value: String($0.value)) }
        let gauges = stats.gauges.map { (name: $0.name, value: render($0.value)) }
        func object(_ pairs: [(name: String, value: String)]) -> String {
            "{"
                + pairs.sorted { $0.name < $1.name }.map { "\(jsonString($0.name)): \($0.value)" }
                .joined(separator: ", ") + "}"
        }
        return "{\"counters\": \(object(counters)), \"gauges\": \(object(gauges))}"
    }

    private static func render(_ value: StatsGauge.Value) -> String {
        switch value {
        case .integer(let integer): String(integer)
        case .double(let double): double.isFinite ? String(double) : "null"
        }
    }

    private static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
