import ArgumentParser
import AttestClient
import AttestWire
import Foundation

/// `attestctl ping`: round trips to the daemon, as `ping` does for hosts.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Measure round trips to attestd (PING frames over its Unix socket).",
        discussion: """
            Sends COUNT PING requests one after another and prints each round-trip time, then min/median/max. \
            Exit status: 0 when every ping was answered, 2 when attestd cannot be reached or a ping fails.
            """
    )

    @Option(help: "attestd's Unix socket.")
    var socket: String

    @Option(help: "Number of pings (1...100000).")
    var count: Int = 4

    @Option(help: "Bytes echoed in each ping (0...65536).")
    var size: Int = 8

    @Flag(help: "Print only the summary line.")
    var quiet = false

    func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1...100000") }
        guard (0...65_536).contains(size) else { throw ValidationError("--size must be 0...65536") }
    }

    func run() async throws {
        let payload = [UInt8](repeating: 0x61, count: size)
        let clock = ContinuousClock()
        var samples: [Double] = []
        try await DaemonLink.run(socket: socket) { client in
            let hello = client.negotiated
            if !quiet, let hello {
                print("attestd \(hello.serverVersion) at \(socket), protocol \(hello.version)")
            }
            for sequence in 1...count {
                let start = clock.now
                try await client.ping(data: payload)
                let micros = (clock.now - start).microseconds
                samples.append(micros)
                if !quiet { print("\(size) bytes from \(socket): seq=\(sequence) time=\(format(micros)) µs") }
            }
        }
        samples.sort()
        let mean = samples.reduce(0, +) / Double(samples.count)
        print(
            "\(count) pings: min \(format(samples[0])) µs, median \(format(samples[samples.count / 2])) µs, "
                + "p99 \(format(samples[min(samples.count - 1, samples.count * 99 / 100)])) µs, "
                + "mean \(format(mean)) µs, max \(format(samples[samples.count - 1])) µs"
        )
    }

    private func format(_ micros: Double) -> String { String(format: "%.1f", micros) }
}

extension Duration {
    /// The duration in microseconds, as a floating-point number.
    var microseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }
}
