// swift-tools-version: 6.1
import PackageDescription

// MARK: - Products

let package = Package(
    name: "attestd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "attestctl", targets: ["attestctl"]),
        .executable(name: "attestd", targets: ["attestd"]),
        .executable(name: "attest-webhook", targets: ["attest-webhook"]),
        .library(name: "AttestCore", targets: ["AttestCore"]),
        .library(name: "AttestCrypto", targets: ["AttestCrypto"]),
        .library(name: "AttestWire", targets: ["AttestWire"]),
        .library(name: "AttestStore", targets: ["AttestStore"]),
        .library(name: "AttestPolicy", targets: ["AttestPolicy"]),
        .library(name: "AttestEngine", targets: ["AttestEngine"]),
        .library(name: "AttestDaemon", targets: ["AttestDaemon"]),
        .library(name: "AttestClient", targets: ["AttestClient"]),
        .library(name: "AttestWebhook", targets: ["AttestWebhook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // MARK: - C shims

        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),

        // MARK: - Libraries

        .target(name: "AttestCore"),
        .target(name: "AttestCrypto", dependencies: ["AttestCore", "COpenSSL"]),
        .target(name: "AttestWire", dependencies: ["AttestCore", "CLZ4"]),
        .target(
            name: "AttestStore",
            dependencies: ["AttestCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "AttestPolicy",
            dependencies: ["AttestCore", "AttestCrypto", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "AttestEngine", dependencies: ["AttestCore", "AttestCrypto", "AttestPolicy"]),
        .target(
            name: "AttestDaemon",
            dependencies: [
                "AttestCore", "AttestCrypto", "AttestPolicy", "AttestEngine", "AttestWire", "AttestStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AttestClient",
            dependencies: [
                "AttestCore", "AttestWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .target(
            name: "AttestWebhook",
            dependencies: [
                "AttestCore", "AttestWire", "AttestClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: - Executables

        .executableTarget(
            name: "attestctl",
            dependencies: [
                "AttestCore", "AttestCrypto", "AttestStore", "AttestPolicy", "AttestEngine", "AttestClient",
                "AttestWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "attest-webhook",
            dependencies: [
                "AttestWebhook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "attestd",
            dependencies: [
                "AttestDaemon", "AttestPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: - Tests

        .testTarget(name: "AttestCoreTests", dependencies: ["AttestCore"]),
        .testTarget(name: "AttestCryptoTests", dependencies: ["AttestCrypto", "AttestCore"]),
        .testTarget(name: "AttestWireTests", dependencies: ["AttestWire", "AttestCore"]),
        .testTarget(name: "AttestStoreTests", dependencies: ["AttestStore", "AttestCore"]),
        .testTarget(name: "AttestPolicyTests", dependencies: ["AttestPolicy", "AttestCore", "AttestCrypto"]),
        .testTarget(
            name: "AttestEngineTests",
            dependencies: ["AttestEngine", "AttestPolicy", "AttestStore", "AttestCrypto", "AttestCore"]
        ),
        .testTarget(
            name: "AttestDaemonTests",
            dependencies: [
                "AttestDaemon", "AttestCore", "AttestCrypto", "AttestPolicy", "AttestEngine", "AttestStore",
                "AttestWire", "AttestClient",
            ]
        ),
        .testTarget(
            name: "AttestWebhookTests",
            dependencies: [
                "AttestWebhook", "AttestDaemon", "AttestClient", "AttestWire", "AttestCore", "AttestCrypto",
                "AttestStore", "AttestPolicy",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "AttestClientTests", dependencies: ["AttestClient", "AttestWire", "AttestCore"]),
        .testTarget(name: "attestctlTests", dependencies: ["AttestCore"]),
    ]
)

// MARK: - Shared settings

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
