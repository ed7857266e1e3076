import AttestCore
import Foundation
import Testing

@testable import AttestCrypto

/// Helpers shared by the AttestCrypto tests: paths, vectors, the `openssl` CLI, immutable key fixtures.
enum TestSupport {
    /// The project root: the nearest folder above this file that holds `Package.swift`.
    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url = url.deletingLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// The third-party vectors: `$ATTESTD_CONFORMANCE_DIR` when set, else `../shared/conformance/` relative to
    /// the project root (where `scripts/test.sh` checks for them).
    static let conformance: URL = {
        if let directory = ProcessInfo.processInfo.environment["ATTESTD_CONFORMANCE_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return projectRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    /// Decodes standard base64, failing the test when it is not.
    static func base64(_ text: String) throws -> [UInt8] {
        try #require(Data(base64Encoded: text).map { [UInt8]($0) }, "bad base64 in a fixture")
    }

    /// A fresh, empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("attestcrypto-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs the `openssl` CLI in `directory` and returns its standard output; fails on a non-zero exit.
    @discardableResult
    static func openssl(_ arguments: [String], in directory: URL, input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIFailure(
                command: "openssl " + arguments.joined(separator: " "),
                status: process.terminationStatus,
                stderr: String(decoding: err, as: UTF8.self)
            )
        }
        return [UInt8](out)
    }

    struct CLIFailure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    static func read(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func readText(_ url: URL) throws -> String { String(decoding: try read(url), as: UTF8.self) }
}

/// Keys generated once per test process; immutable, so sharing them between tests is safe.
enum Fixtures {
    static let rsa2048 = try! PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 2048)
    static let otherRSA2048 = try! PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 2048)
    static let p256 = try! PrivateKey.generate(for: .ecdsaP256SHA256)
    static let p384 = try! PrivateKey.generate(for: .ecdsaP384SHA384)
    static let ed25519 = try! PrivateKey.generate(for: .ed25519)

    static let message = Array("{\"critical\":{\"type\":\"atomic container signature\"}}".utf8)
}

/// One case of `kritis-detached-signatures.json`.
struct KritisVector: Decodable, CustomTestStringConvertible, Sendable {
    let name: String
    let alg: String
    let kritisAlgorithm: String
    let publicKeyPem: String
    let payload: String
    let signatureBase64: String
    let expect: String

    var testDescription: String { name }

    static func load() throws -> [KritisVector] {
        struct File: Decodable { let cases: [KritisVector] }
        let url = TestSupport.conformance.appendingPathComponent("kritis-detached-signatures.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }

    static let all: [KritisVector] = (try? load()) ?? []
}
