// swift-tools-version: 6.1
import PackageDescription

// MARK: - Products

let package = Package(
    name: "attestd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "attestctl", targets: ["attestctl"]),
        .library(name: "AttestCore", targets: ["AttestCore"]),
        .library(name: "AttestCrypto", targets: ["AttestCrypto"]),
        .library(name: "AttestWire", targets: ["AttestWire"]),
        .library(name: "AttestStore", targets: ["AttestStore"]),
        .library(name: "AttestPolicy", targets: ["AttestPolicy"]),
        .library(name: "AttestEngine", targets: ["AttestEngine"]),
        .library(name: "AttestDaemon", targets: ["AttestDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
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
            dependencies: ["AttestCore", "AttestCrypto", "AttestPolicy", "AttestEngine", "AttestWire", "AttestStore"]
        ),

        // MARK: - Executables

        .executableTarget(
            name: "attestctl",
            dependencies: [
                "AttestCore", "AttestCrypto", "AttestStore", "AttestPolicy", "AttestEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .testTarget(name: "AttestDaemonTests", dependencies: ["AttestDaemon", "AttestCore"]),
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
