import AttestCore
import AttestCrypto
import Benchmark

// Single-thread verification cost per algorithm family, attestd's `VerifierContext` path against the textbook
// OpenSSL call (`BareOpenSSLVerifier`) in the same process, with keys parsed once before measuring.
//
// Names carry no spaces: the plugin writes threshold files with spaces turned into underscores but reads them
// back under the original name.
//
// Thresholds are committed for instructions and mallocs only: they are stable on a noisy 2-core machine, wall
// clock and throughput are reported for the ratio between the two paths but never gate anything.
//
//   swift package --allow-writing-to-package-directory benchmark
//   ATTESTD_BENCH_GATED_ONLY=1 swift package --allow-writing-to-package-directory benchmark thresholds update
//   ATTESTD_BENCH_GATED_ONLY=1 swift package benchmark thresholds check

/// One algorithm family: a key, a signature over a realistic payload, and the algorithm.
struct Fixture {
    let label: String
    let algorithm: SignatureAlgorithm
    let key: PublicKey
    let signature: [UInt8]

    init(label: String, algorithm: SignatureAlgorithm, rsaBits: Int = 2048) {
        let privateKey = try! PrivateKey.generate(for: algorithm, rsaBits: rsaBits)
        self.label = label
        self.algorithm = algorithm
        self.key = privateKey.publicKey
        self.signature = try! privateKey.sign(payload, algorithm: algorithm)
    }
}

/// A simple-signing payload of the size a registry signs.
let payload = Array(
    """
    {"critical":{"identity":{"docker-reference":"registry.example.com/team/service"},\
    "image":{"docker-manifest-digest":"sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"},\
    "type":"atomic container signature"},"optional":{"creator":"attestctl"}}
    """.utf8
)

/// Whether to measure only the gated (threshold-checked) metrics, for `thresholds update` and `check`.
let gatedOnly = Benchmark.environmentValue("ATTESTD_BENCH_GATED_ONLY") != nil

extension Benchmark {
    static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let benchmarks: @Sendable () -> Void = {
    // Instructions may drift 5 % at p90 (OpenSSL's bignum paths vary a little with the signature value);
    // mallocs are exact counts, two allowed for allocator noise.
    let gatedThresholds: [BenchmarkMetric: BenchmarkThresholds] = [
        .instructions: BenchmarkThresholds(relative: [.p25: 3.0, .p50: 3.0, .p75: 5.0, .p90: 5.0]),
        .mallocCountTotal: BenchmarkThresholds(absolute: [.p25: 2, .p50: 2, .p75: 2, .p90: 2]),
    ]
    Benchmark.defaultConfiguration = .init(
        metrics: gatedOnly
            ? [.instructions, .mallocCountTotal] : [.instructions, .mallocCountTotal, .wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 50,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 20_000,
        thresholds: gatedThresholds
    )

    let fixtures = [
        Fixture(label: "rsa-pss-sha256-2048", algorithm: .rsaPSSSHA256),
        Fixture(label: "rsa-pkcs1-sha256-2048", algorithm: .rsaPKCS1SHA256),
        Fixture(label: "ecdsa-p256-sha256", algorithm: .ecdsaP256SHA256),
        Fixture(label: "ed25519", algorithm: .ed25519),
    ]

    for fixture in fixtures {
        let context = VerifierContext()
        Benchmark("\(fixture.label)_attestd-VerifierContext") { benchmark in
            for _ in benchmark.scaledIterations {
                let valid = try context.verify(
                    signature: fixture.signature,
                    message: payload,
                    key: fixture.key,
                    algorithm: fixture.algorithm
                )
                precondition(valid, "\(fixture.label): signature did not verify")
                blackHole(valid)
            }
        }

        let bare = try! BareOpenSSLVerifier(key: fixture.key, algorithm: fixture.algorithm)
        Benchmark("\(fixture.label)_bare-EVP_DigestVerify") { benchmark in
            for _ in benchmark.scaledIterations {
                let valid = bare.verify(signature: fixture.signature, message: payload)
                precondition(valid, "\(fixture.label): signature did not verify")
                blackHole(valid)
            }
        }
    }
}
