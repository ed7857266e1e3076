// swift-tools-version: 6.1
import PackageDescription

// A sibling package so the benchmark framework (and its malloc interposer) never enters the root build.
let package = Package(
    name: "attestd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "attestd", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "VerifyBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AttestCrypto", package: "attestd"),
                .product(name: "AttestCore", package: "attestd"),
            ],
            path: "Benchmarks/VerifyBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .executableTarget(
            name: "ParseBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AttestCore", package: "attestd"),
            ],
            path: "Benchmarks/ParseBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // Instruction counts under callgrind, for machines without hardware performance counters.
        .executableTarget(
            name: "VerifyInstructions",
            dependencies: [
                .product(name: "AttestCrypto", package: "attestd"),
                .product(name: "AttestCore", package: "attestd"),
            ],
            path: "Sources/VerifyInstructions"
        ),
    ]
)
