import AttestCore
import Benchmark

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The per-verification parsing attestd does besides the signature itself: the image reference of the request,
// and the simple-signing payload (parsed, then checked against that image).
//
// Names carry no spaces: the plugin writes threshold files with spaces turned into underscores but reads them
// back under the original name.
//
//   swift package --disable-sandbox benchmark --target ParseBenchmarks
//   ATTESTD_BENCH_GATED_ONLY=1 swift package benchmark --target ParseBenchmarks

/// The references a daemon typically meets: digest-pinned on a private registry, and Docker Hub short forms.
let references: [(label: String, text: String)] = [
    (
        "digest-private-registry",
        "registry.example.com/bench/app@sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"
    ),
    ("tag-docker-hub", "docker.io/library/alpine:3.11"),
    ("short-docker-hub", "alpine"),
    (
        "mixed-case-registry-port-tag-digest",
        "Registry.Example.COM:443/team/app:v1.2.3-rc_1@sha256:"
            + "4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"
    ),
]

/// Whether to measure only the gated (threshold-checked) metrics.
let gatedOnly = getenv("ATTESTD_BENCH_GATED_ONLY") != nil

let benchmarks: @Sendable () -> Void = {
    // Mallocs are exact counts; instructions need a hardware PMU and are dropped silently without one.
    Benchmark.defaultConfiguration = .init(
        metrics: gatedOnly
            ? [.instructions, .mallocCountTotal] : [.instructions, .mallocCountTotal, .wallClock, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 1000,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000,
        thresholds: [
            .instructions: BenchmarkThresholds(relative: [.p25: 3.0, .p50: 3.0, .p75: 5.0, .p90: 5.0]),
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p25: 2, .p50: 2, .p75: 2, .p90: 2]),
        ]
    )

    for reference in references {
        Benchmark("ImageReference.parsing_\(reference.label)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try ImageReference(parsing: reference.text))
            }
        }
    }

    Benchmark("Digest.parsing") { benchmark in
        let text = "sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"
        for _ in benchmark.scaledIterations {
            blackHole(try Digest(parsing: text))
        }
    }

    let image = try! ImageReference(parsing: references[0].text)
    let payload = try! SimpleSigningPayload(image: image).serialized()

    Benchmark("SimpleSigningPayload.parse") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SimpleSigningPayload.parse(payload))
        }
    }

    let checker = PayloadChecker()
    let outcome = checker.check(payload: payload, image: image)
    precondition(outcome.isValid, "the benchmark payload does not match its image: \(outcome)")
    Benchmark("PayloadChecker.check") { benchmark in
        for _ in benchmark.scaledIterations {
            let outcome = checker.check(payload: payload, image: image)
            blackHole(outcome)
        }
    }
}
