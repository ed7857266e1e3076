import AttestCore
import AttestCrypto
import AttestDaemon
import AttestStore
import AttestWire
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A daemon started in-process under a fresh temporary directory, with a real store and real keys.
struct DaemonFixture {
    static let repository = "registry.example.com/team/app"
    static let signedImage = repository + "@sha256:" + String(repeating: "a", count: 64)
    static let unsignedImage = repository + "@sha256:" + String(repeating: "b", count: 64)
    static let tagImage = repository + ":1.0"
    static let otherRepositoryImage = "registry.example.com/team/other@sha256:" + String(repeating: "a", count: 64)

    let directory: String
    let configPath: String
    let storePath: String
    let socketPath: String
    let key: PrivateKey
    let daemon: Daemon

    /// Writes a configuration, stores one signed attestation for ``signedImage`` and starts a daemon.
    ///
    /// - Parameters:
    ///   - settings: extra lines under `spec:` of the AttestdConfig document (indented by four spaces).
    ///   - options: adjusts the daemon options.
    static func start(
        settings: String = "",
        options adjust: (inout Daemon.Options) -> Void = { _ in }
    ) async throws -> DaemonFixture {
        let directory = "/tmp/attestd-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        chmod(directory, 0o700)
        let key = try PrivateKey.generate(for: .ecdsaP256SHA256)
        let configPath = directory + "/attestd.yaml"
        let storePath = directory + "/store.sqlite"
        let socketPath = directory + "/d.sock"
        try configuration(key: key.publicKey, socketPath: socketPath, storePath: storePath, settings: settings)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let store = try AttestationStore(path: storePath)
        try store.put([try attestation(for: signedImage, key: key)])
        var options = Daemon.Options(configurationPath: configPath)
        options.workerCount = 2
        options.drainTimeout = .seconds(5)
        adjust(&options)
        var logger = Logger(label: "attestd-test")
        logger.logLevel = .warning
        let daemon = try Daemon(options: options, logger: logger)
        do {
            try await daemon.start()
        } catch {
            await daemon.shutdown()
            throw error
        }
        return DaemonFixture(
            directory: directory,
            configPath: configPath,
            storePath: storePath,
            socketPath: socketPath,
            key: key,
            daemon: daemon
        )
    }

    /// Stops the daemon and removes the directory.
    func stop() async {
        await daemon.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A configuration with attestor `qa-attestor` (one key), a policy in `prod` requiring it, and settings.
    static func configuration(key: PublicKey, socketPath: String, storePath: String, settings: String) -> String {
        let pem = key.pem.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        return """
            apiVersion: attestd.io/v1alpha1
            kind: AttestdConfig
            spec:
              socket:
                path: \(socketPath)
              store:
                path: \(storePath)
            \(settings)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: qa-attestor
            spec:
              publicKeys:
                - keyType: PKIX
                  keyId: qa-key
                  pkixPublicKey:
                    signatureAlgorithm: ECDSA_P256_SHA256
                    publicKeyPem: |
            \(pem)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: require-qa
              namespace: prod
            spec:
              attestationAuthorityNames: [qa-attestor]

            """
    }

    /// Rewrites the configuration file with another key (a rotation).
    func rewriteConfiguration(key: PublicKey, settings: String = "") throws {
        try Self.configuration(key: key, socketPath: socketPath, storePath: storePath, settings: settings)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A signed simple-signing attestation for an image.
    static func attestation(for image: String, key: PrivateKey) throws -> StoredAttestation {
        let reference = try ImageReference(parsing: image)
        let payload = try SimpleSigningPayload(image: reference).serialized()
        let signature = try key.sign(payload, algorithm: .ecdsaP256SHA256)
        return StoredAttestation(
            repository: reference.identity,
            digest: reference.digest!.description,
            payload: payload,
            signature: signature,
            keyID: "qa-key",
            source: "test"
        )
    }

    /// A client connected to the fixture's socket.
    func connect() throws -> TestClient {
        try TestClient(path: socketPath)
    }

    /// A counter from STATS.
    static func counter(_ stats: StatsResponse, _ name: String) -> UInt64 {
        stats.counters.first { $0.name == name }?.value ?? 0
    }
}

/// A minimal blocking client over a plain POSIX socket, speaking the protocol with the AttestWire codec.
final class TestClient {
    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    private var fd: Int32
    private var decoder = FrameDecoder(limits: WireLimits(maxFrameSize: 64 << 20, maxBatchItems: 1 << 20))

    /// Connects, with a 20-second receive timeout so no test can hang.
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let failure = errno
            Glibc.close(fd)
            // deinit runs for a fully initialised object whose init throws: a second close of the same number
            // would close whatever another test's thread had opened under it meanwhile.
            fd = -1
            throw ClientError(description: "connect \(path): errno \(failure)")
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Closes the connection.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends raw bytes.
    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientError(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Encodes and sends one request.
    func send(_ request: Request, id: UInt64) throws {
        var buffer: [UInt8] = []
        try FrameEncoder.append(request, requestID: id, to: &buffer)
        try sendRaw(buffer)
    }

    /// The next response frame, or `nil` at end of stream.
    func receive() throws -> (id: UInt64, response: Response)? {
        while true {
            if let frame = try decoder.next() {
                return (frame.header.requestID, try Response(decoding: frame, limits: decoder.limits))
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return nil }
            guard count > 0 else {
                if errno == ECONNRESET { return nil }
                throw ClientError(description: "recv: errno \(errno) (timeout or failure)")
            }
            decoder.append(chunk[..<count])
        }
    }

    /// Sends a request and waits for its answer.
    func roundTrip(_ request: Request, id: UInt64 = 1) throws -> Response {
        try send(request, id: id)
        guard let (answerID, response) = try receive() else { throw ClientError(description: "connection closed") }
        guard answerID == id else { throw ClientError(description: "answer for id \(answerID), expected \(id)") }
        return response
    }

    /// Whether the server closed the connection (after draining anything it sent).
    func isClosedByServer() throws -> Bool {
        while let _ = try receive() {}
        return true
    }

    /// A raw frame with arbitrary header fields.
    static func rawFrame(
        length: UInt32? = nil,
        version: UInt8 = 1,
        opcode: UInt8,
        flags: UInt16 = 0,
        id: UInt64,
        body: [UInt8] = []
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        let length = length ?? UInt32(12 + body.count)
        bytes += withUnsafeBytes(of: length.bigEndian, Array.init)
        bytes += [version, opcode]
        bytes += withUnsafeBytes(of: flags.bigEndian, Array.init)
        bytes += withUnsafeBytes(of: id.bigEndian, Array.init)
        return bytes + body
    }
}

// MARK: - Helpers for timeouts, back-pressure, draining and signals

extension TestClient {
    /// Sends bytes until all are sent, the peer stops taking them for `stallTimeout`, or the connection fails.
    ///
    /// - Parameters:
    ///   - bytes: what to send.
    ///   - stallTimeout: how long one `send` may block before giving up.
    /// - Returns: the number of bytes the kernel accepted.
    func sendRaw(_ bytes: [UInt8], stallTimeout: Duration) -> Int {
        var timeout = timeval(tv_sec: Int(stallTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        defer {
            var none = timeval(tv_sec: 0, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { break }
            offset += sent
        }
        return offset
    }

    /// Waits for the server to close the connection, discarding whatever it still sends.
    ///
    /// - Parameter timeout: the longest silence tolerated while waiting.
    /// - Returns: the frames received before the close, or `nil` when the connection was still open.
    func framesUntilClosed(timeout: Duration) -> [(id: UInt64, response: Response)]? {
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var frames: [(id: UInt64, response: Response)] = []
        do {
            while let frame = try receive() { frames.append(frame) }
            return frames
        } catch {
            return nil
        }
    }

    /// Sends a STATS request and returns its answer.
    func stats(id: UInt64) throws -> StatsResponse {
        guard case .stats(let stats) = try roundTrip(.stats(StatsRequest()), id: id) else {
            throw ClientError(description: "STATS was not answered with STATS")
        }
        return stats
    }

    /// Sends a CHECK of (namespace, image) pairs and returns its results.
    func check(_ items: [(String, String)], id: UInt64) throws -> [CheckResult] {
        let request = Request.check(CheckRequest(items: items.map { CheckItem(namespace: $0.0, image: $0.1) }))
        let response = try roundTrip(request, id: id)
        guard case .check(let check) = response else {
            throw ClientError(description: "CHECK \(id) was answered with \(response)")
        }
        return check.results
    }
}

extension DaemonFixture {
    /// A gauge from STATS, as an integer.
    static func gauge(_ stats: StatsResponse, _ name: String) -> UInt64? {
        guard let gauge = stats.gauges.first(where: { $0.name == name }) else { return nil }
        if case .integer(let value) = gauge.value { return value }
        return nil
    }

    /// A digest reference to an image of the fixture's repository that nothing attests, distinct per `index`.
    static func unsignedImage(_ index: Int) -> String {
        image(index)
    }

    /// A digest reference to an image of the fixture's repository, distinct per `index`; attested only when a
    /// test stores an attestation for it.
    static func image(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return repository + "@sha256:" + String(repeating: "d", count: 64 - hex.count) + hex
    }
}

/// A named pipe used as a configuration file: a RELOAD of it blocks in `open` on the daemon's reload queue
/// until the test writes the file, so a request stays in flight exactly as long as a test needs, without
/// relying on how fast anything runs.
final class ReloadGate {
    /// The pipe's path.
    let path: String

    /// Creates the pipe.
    init(path: String) throws {
        guard mkfifo(path, 0o600) == 0 else {
            throw TestClient.ClientError(description: "mkfifo \(path): errno \(errno)")
        }
        self.path = path
    }

    /// Waits for the daemon to open the pipe, then writes `contents` and closes it, completing the reload.
    ///
    /// Release once per RELOAD, each after the previous RELOAD was answered: until the daemon has read the
    /// pipe to its end and closed it, a second writer would join the first reader.
    ///
    /// - Parameters:
    ///   - contents: the configuration the blocked reload reads.
    ///   - timeout: how long to wait for the daemon to open the pipe.
    /// - Returns: whether a reader was there to release.
    @discardableResult
    func release(with contents: String, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var descriptor: Int32 = -1
        while descriptor < 0 {
            // Without a reader, a non-blocking open for writing fails with ENXIO instead of waiting.
            descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 { break }
            guard errno == ENXIO, ContinuousClock.now < deadline else { return false }
            usleep(2_000)
        }
        _ = fcntl(descriptor, F_SETFL, 0)
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            offset += written
        }
        close(descriptor)
        return true
    }
}

/// The built `attestd` executable running as a subprocess on a fresh directory, with a store and a key.
final class AttestdProcess {
    let directory: String
    let configPath: String
    let storePath: String
    let socketPath: String
    let key: PrivateKey
    let process = Process()

    /// Writes a configuration and a store holding an attestation of ``DaemonFixture/signedImage``, starts
    /// `attestd` and waits until it accepts connections.
    ///
    /// - Parameter binary: the executable (``DaemonProcessTests/executable()``).
    init(binary: String) throws {
        directory = "/tmp/attestd-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        chmod(directory, 0o700)
        key = try PrivateKey.generate(for: .ecdsaP256SHA256)
        configPath = directory + "/c.yaml"
        storePath = directory + "/s.sqlite"
        socketPath = directory + "/d.sock"
        try DaemonFixture.configuration(key: key.publicKey, socketPath: socketPath, storePath: storePath, settings: "")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        try AttestationStore(path: storePath).put([
            try DaemonFixture.attestation(for: DaemonFixture.signedImage, key: key)
        ])
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config", configPath, "--workers", "1", "--log-level", "critical", "--drain-timeout", "30",
        ]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var attempts = 0
        while !DaemonProcessTests.isListening(socketPath) && attempts < 2000 && process.isRunning {
            attempts += 1
            usleep(10_000)
        }
        guard DaemonProcessTests.isListening(socketPath) else {
            stop()
            throw TestClient.ClientError(description: "attestd did not start listening on \(socketPath)")
        }
    }

    /// Waits (bounded) for the process to exit.
    ///
    /// - Returns: whether it exited.
    func waitForExit(timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Kills the process if it still runs and removes the directory.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: directory)
    }
}
