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
            Glibc.close(fd)
            throw ClientError(description: "connect \(path): errno \(errno)")
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
