import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An attestd child process started by the bench, with its CPU time read from /proc.
final class BenchDaemon {
    let process: Process
    let socket: String

    /// Starts `attestd --config CONFIG` found next to this executable and waits (≤ 15 s) for its socket.
    init(config: String, socket: String, log: String) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let daemon = executable.deletingLastPathComponent().appendingPathComponent("attestd")
        guard FileManager.default.isExecutableFile(atPath: daemon.path) else {
            throw InputError(
                "attestd not found next to attestctl (looked for \(daemon.path)); build it or use --socket"
            )
        }
        process = Process()
        process.executableURL = daemon
        process.arguments = ["--config", config, "--socket", socket]
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw InputError("cannot create the daemon's log file \(log)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        self.socket = socket
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while !FileManager.default.fileExists(atPath: socket) {
            guard process.isRunning else {
                throw InputError("attestd exited with status \(process.terminationStatus) at start; see \(log)")
            }
            guard Date() < deadline else {
                stop()
                throw InputError("attestd did not create \(socket) within 15 s; see \(log)")
            }
            usleep(20_000)
        }
    }

    /// User + system CPU seconds the daemon has used so far (from /proc/PID/stat), or nil if unreadable.
    var cpuSeconds: Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends SIGTERM and waits up to 10 s, then SIGKILL.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// CPU seconds (user + system) used by this process so far.
func selfCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
