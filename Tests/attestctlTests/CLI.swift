import Foundation
import Testing

/// The outcome of one subprocess run.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("attestctl-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes text to `name` and returns its path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        try write(Array(text.utf8), to: name)
    }

    /// Writes bytes to `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The bytes of `name`.
    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs `attestctl` and other tools as subprocesses, bounded in time.
enum CLI {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "attestctl not found (searched \(searched.joined(separator: ", "))); run `swift build --build-tests` first"
        }
    }

    /// The package root: the nearest ancestor of this file holding `Package.swift`.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The `attestctl` built beside the running test executable, else `.build/debug/attestctl`.
    static func attestctlPath() throws -> String {
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
            candidates.append(directory.appendingPathComponent("attestctl").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/attestctl").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(searched: candidates)
        }
        return found
    }

    /// The first executable named `name` on `PATH`, or `nil`.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `attestctl` with the arguments.
    static func attestctl(_ arguments: String...) throws -> CommandResult {
        try run(try attestctlPath(), arguments)
    }

    /// Runs `attestctl` with the arguments.
    static func attestctl(_ arguments: [String]) throws -> CommandResult {
        try run(try attestctlPath(), arguments)
    }

    /// Runs an executable, capturing its output in files (no pipe can fill up), failing after `timeout`.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> CommandResult {
        let scratch = try TemporaryDirectory()
        let outPath = scratch.path("stdout")
        let errPath = scratch.path("stderr")
        // A file that could not be created makes the FileHandle below throw, naming it.
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        )
    }
}

/// Values shared by the CLI tests.
enum Fixtures {
    static let digestA = "sha256:" + String(repeating: "a1", count: 32)
    static let digestB = "sha256:" + String(repeating: "b2", count: 32)
    static let repository = "registry.example.com/team/app"
    static let image = "\(repository)@\(digestA)"

    /// Runs `keygen` into `directory` and returns the `.key` and `.pub` paths.
    static func keygen(
        _ directory: TemporaryDirectory,
        name: String,
        algorithm: String = "rsa-pss-sha256"
    ) throws -> (key: String, pub: String) {
        let result = try CLI.attestctl("keygen", "--alg", algorithm, "--out", directory.path(name))
        guard result.status == 0 else { throw KeygenFailed(result: result) }
        return (directory.path(name + ".key"), directory.path(name + ".pub"))
    }

    struct KeygenFailed: Error, CustomStringConvertible {
        var result: CommandResult
        var description: String { "keygen failed: \(result)" }
    }

    /// Runs `sign` writing `name.json` and `name.sig`; returns their paths.
    static func sign(
        _ directory: TemporaryDirectory,
        key: String,
        algorithm: String = "rsa-pss-sha256",
        image: String = Fixtures.image,
        name: String = "payload",
        extra: [String] = []
    ) throws -> (payload: String, signature: String) {
        let payload = directory.path(name + ".json")
        let signature = directory.path(name + ".sig")
        let result = try CLI.attestctl(
            [
                "sign", "--key", key, "--alg", algorithm, "--image", image, "--output-payload", payload,
                "--output-signature", signature,
            ] + extra
        )
        guard result.status == 0 else { throw KeygenFailed(result: result) }
        return (payload, signature)
    }

    /// A v0.2.2/Alibaba attestor plus a policy on `default` requiring it, for `check`.
    static func configuration(publicKeyPath: String, storePath: String) throws -> String {
        let publicKeyData = try Data(contentsOf: URL(fileURLWithPath: publicKeyPath)).base64EncodedString()
        return """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: demo-attestor
            spec:
              noteReference: namespaces/demo-attestor
              publicKeyData: \(publicKeyData)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: demo-policy
              namespace: default
            spec:
              attestationAuthorityNames: [demo-attestor]
            ---
            apiVersion: attestd.io/v1alpha1
            kind: AttestdConfig
            spec:
              store:
                path: \(storePath)

            """
    }
}
