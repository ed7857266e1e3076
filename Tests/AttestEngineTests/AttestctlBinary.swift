import Foundation

/// Finds the `attestctl` executable that `swift build --build-tests` built next to this test bundle.
enum AttestctlBinary {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "attestctl not found (searched \(searched.joined(separator: ", "))); run `swift build --build-tests` first"
        }
    }

    /// The package root: the nearest ancestor of this file holding `Package.swift`.
    static func packageRoot(from file: String = #filePath) -> URL {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The path of the binary: beside the running test executable, else `.build/debug/attestctl`.
    static func path() throws -> String {
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            // The test executable may sit inside an `.xctest` bundle directory.
            if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
            candidates.append(directory.appendingPathComponent("attestctl").path)
        }
        candidates.append(packageRoot().appendingPathComponent(".build/debug/attestctl").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(searched: candidates)
        }
        return found
    }
}
