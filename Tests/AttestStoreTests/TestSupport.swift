import AttestCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory under the system temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("attest-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// `sha256:` followed by 64 hex digits derived from `seed`.
func testDigest(_ seed: Int) -> String {
    let hex = String(seed, radix: 16)
    return "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex
}

func testAttestation(
    repository: String = "registry.example.com/team/app",
    digest: String = testDigest(1),
    payload: String = #"{"critical":{}}"#,
    signature: [UInt8] = [1, 2, 3, 4],
    keyID: String? = "key-1",
    source: String = "test"
) -> StoredAttestation {
    StoredAttestation(
        repository: repository,
        digest: digest,
        payload: Array(payload.utf8),
        signature: signature,
        keyID: keyID,
        source: source
    )
}

/// Runs Python 3 scripts against store files; the tests that need it are skipped where it is missing.
enum Python {
    static let executable: String? = {
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        if let path = ProcessInfo.processInfo.environment["PATH"] {
            candidates += path.split(separator: ":").map { "\($0)/python3" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executable != nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `script` with `arguments` to completion and returns its standard output.
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let process = try start(script, arguments)
        let output = process.output.fileHandleForReading.readDataToEndOfFile()
        let errors = process.errors.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        guard process.process.terminationStatus == 0 else {
            throw Failure(
                description: "python3 exited with \(process.process.terminationStatus): "
                    + String(decoding: errors, as: UTF8.self)
            )
        }
        return String(decoding: output, as: UTF8.self)
    }

    struct Running {
        let process: Process
        let output: Pipe
        let errors: Pipe

        /// Reads standard output up to and including the first newline (or to end of file).
        func readLine() -> String {
            var bytes: [UInt8] = []
            while true {
                let chunk = output.fileHandleForReading.readData(ofLength: 1)
                guard let byte = chunk.first, byte != 0x0A else { break }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        func kill() {
            _ = Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func start(_ script: String, _ arguments: [String]) throws -> Running {
        guard let executable else { throw Failure(description: "python3 not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, output: output, errors: errors)
    }
}
