import Foundation
import Testing

/// `attestctl bench` against a real attestd it starts: the report's fields, its rounds, and the daemon's own
/// counts, which show whether the misses it sent were misses. Counts only: never speed.
struct BenchCommandTests {
    private static func run(_ arguments: [String]) throws -> [String: Any] {
        let directory = try TemporaryDirectory()
        let result = try CLI.run(
            try CLI.attestctlPath(),
            ["bench", "--workdir", directory.path("work"), "--output", "json"] + arguments,
            timeout: 120
        )
        #expect(result.status == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any], "\(result)")
    }

    @Test func missesAreMissesAndEachRoundHasItsRatio() throws {
        let report = try Self.run([
            "--duration", "2", "--rounds", "2", "--baseline", "--connections", "2", "--depth", "2",
            "--batch", "8", "--hit-ratio", "0", "--cache-entries", "16", "--misses", "96",
        ])

        #expect(report["errors"] as? Int == 0)
        #expect((report["ops_per_second"] as? Double ?? 0) > 0)
        for field in ["p50_us", "p90_us", "p99_us", "p999_us", "cpu_seconds", "baseline_ops_per_second", "ratio"] {
            #expect(report[field] is Double, "\(field) missing")
        }
        let rounds = try #require(report["rounds"] as? [[String: Any]])
        #expect(rounds.count == 2)
        #expect(rounds.allSatisfy { $0["ratio"] is Double && $0["baseline"] is Double })
        #expect(report["median_ratio"] is Double)
        let daemon = try #require(report["daemon"] as? [String: Any])
        // 96 miss digests cycled through a cache of 16, 32 in flight at most: nothing hits, nothing coalesces.
        #expect(daemon["cache_hits"] as? Int == 0)
        #expect((daemon["cache_misses"] as? Int ?? 0) > 0)
        #expect(daemon["coalesced"] as? Int == 0)
        // The generated configuration keeps store records in memory: most images are read from it.
        let fromMemory = try #require(daemon["store_cache_hits"] as? Int)
        let fromFile = try #require(daemon["store_cache_misses"] as? Int)
        #expect(fromMemory > fromFile)
    }

    @Test func hitsAreCountedAsHits() throws {
        let report = try Self.run(["--duration", "1", "--depth", "2", "--batch", "16", "--hit-ratio", "1"])

        #expect(report["errors"] as? Int == 0)
        #expect(report["rounds"] == nil)
        let daemon = try #require(report["daemon"] as? [String: Any])
        #expect((daemon["cache_hits"] as? Int ?? 0) > 0)
        // The 64 hot digests miss when they are first checked, then hit.
        #expect((daemon["cache_hits"] as? Int ?? 0) > (daemon["cache_misses"] as? Int ?? .max))
    }

    @Test func roundsMustLeaveEachAtLeastHalfASecond() throws {
        let directory = try TemporaryDirectory()
        let result = try CLI.run(
            try CLI.attestctlPath(),
            ["bench", "--workdir", directory.path("work"), "--duration", "1", "--rounds", "3"]
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("--duration must give each of the --rounds at least 0.5 s"), "\(result)")
    }
}
