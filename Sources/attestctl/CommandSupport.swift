import ArgumentParser
import AttestCore
import AttestCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure caused by the command's input (unreadable file, bad key, unknown algorithm, malformed reference):
/// reported on standard error and mapped to exit status 2.
struct InputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Exit statuses shared by every command: 0 success/admitted/valid, 1 denied/invalid, 2 unusable input.
enum ExitStatus {
    static let negative = ExitCode(1)
    static let unusableInput = ExitCode(2)
}

/// Runs a command body, turning ``InputError`` and library errors into a message and exit status 2.
func runReportingInputErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        printError("attestctl: error: \(describe(error))")
        throw ExitStatus.unusableInput
    }
}

/// A human description of an error from any layer.
func describe(_ error: any Error) -> String {
    if let error = error as? CryptoError { return error.reason }
    if let error = error as? ImageReferenceError { return error.reason }
    return String(describing: error)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// File helpers with the messages a user needs.
enum Files {
    /// The largest input file read whole (keys, payloads, signatures, configurations).
    static let maximumInputSize = 64 * 1024 * 1024

    /// Whether anything is at `path`: a file, a directory, or a symbolic link even when it dangles.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Reads a whole file, refusing unreadable, missing or oversized files with a message naming the path.
    static func read(_ path: String, what: String, limit: Int = maximumInputSize) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw InputError("cannot read \(what) \(path): no such file or not readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw InputError("cannot read \(what) \(path): \(error.localizedDescription)")
        }
        if data.count > limit {
            throw InputError("\(what) \(path) is larger than \(limit) bytes")
        }
        return [UInt8](data)
    }

    /// Reads a whole file as UTF-8 text.
    static func readText(_ path: String, what: String, limit: Int = maximumInputSize) throws -> String {
        let bytes = try read(path, what: what, limit: limit)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError("\(what) \(path) is not UTF-8 text")
        }
        return text
    }

    /// Writes a file atomically with the given permissions.
    ///
    /// The bytes go to a temporary file beside `path` that is created with `mode` (never wider: Foundation's
    /// atomic write creates it 0666 & ~umask and a private key would be readable by others until a later
    /// chmod), synced, then renamed over `path`.
    static func write(_ bytes: [UInt8], to path: String, mode: Int = 0o644, what: String) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else {
            throw InputError("cannot write \(what) \(path): \(String(cString: strerror(errno)))")
        }
        do {
            // The umask may have narrowed `mode`; the caller asked for exactly these bits.
            guard fchmod(descriptor, mode_t(mode)) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw InputError("cannot set the mode of \(what) \(path): \(reason)")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw InputError("cannot write \(what) \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            if let error = error as? InputError { throw error }
            throw InputError("cannot write \(what) \(path): \(error.localizedDescription)")
        }
    }
}

/// Parses an algorithm name (canonical or alias) with a message listing the canonical names.
func parseAlgorithm(_ name: String) throws -> SignatureAlgorithm {
    guard let algorithm = SignatureAlgorithm(name: name) else {
        let known = SignatureAlgorithm.allCases.map(\.name).joined(separator: ", ")
        throw InputError("unknown signature algorithm \"\(name)\"; known: \(known)")
    }
    return algorithm
}

/// Parses an image reference, naming the fault.
func parseImage(_ text: String) throws -> ImageReference {
    do {
        return try ImageReference(parsing: text)
    } catch {
        throw InputError("malformed image reference \"\(text)\": \(error.reason)")
    }
}
