import AttestCore
import AttestCrypto
import AttestDaemon
import AttestWire
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Limits and malformed frames: each gets its ERROR, broken streams are closed, other connections unaffected.
@Suite(.serialized)
struct DaemonLimitsTests {
    static let settings = "  limits:\n    maxFrameSize: 64KiB\n    maxBatchItems: 4\n    maxConnections: 3"
    /// The same limits with room for connections: closed test connections may still count against the limit
    /// until the daemon's event loop has seen them close, which under load raced the next test case.
    static let roomySettings = "  limits:\n    maxFrameSize: 64KiB\n    maxBatchItems: 4\n    maxConnections: 64"

    private func pingWorks(_ fixture: DaemonFixture) throws -> Bool {
        let client = try fixture.connect()
        return try client.roundTrip(.ping(PingRequest(data: [7])), id: 5) == .ping(PingResponse(data: [7]))
    }

    /// Sends bytes on a fresh connection, expects one ERROR with the status, then (optionally) the close.
    private func expectError(
        _ fixture: DaemonFixture,
        _ bytes: [UInt8],
        _ status: WireStatus,
        id: UInt64,
        closes: Bool
    ) throws {
        let client = try fixture.connect()
        let other = try fixture.connect()
        try client.sendRaw(bytes)
        let answer = try #require(try client.receive(), "no answer for \(status)")
        guard case .error(let error) = answer.response else {
            Issue.record("expected ERROR \(status), got \(answer.response)")
            return
        }
        #expect(error.status == status, "\(error.message)")
        #expect(answer.id == id)
        #expect(!error.message.isEmpty)
        if closes {
            #expect(try client.isClosedByServer())
        } else {
            #expect(try client.roundTrip(.ping(PingRequest(data: [1])), id: 77) == .ping(PingResponse(data: [1])))
        }
        // Another connection, opened before, is unaffected.
        #expect(try other.roundTrip(.ping(PingRequest(data: [2])), id: 1) == .ping(PingResponse(data: [2])))
    }

    @Test func eachLimitAndMalformedFrameClass() async throws {
        let fixture = try await DaemonFixture.start(settings: Self.roomySettings)
        let check = CheckItem(namespace: "prod", image: DaemonFixture.signedImage)
        // Frame too large, detected from the header alone.
        try expectError(
            fixture,
            TestClient.rawFrame(length: 1 << 20, opcode: 0x02, id: 3),
            .frameTooLarge,
            id: 3,
            closes: true
        )
        // Too many items: refused, connection kept.
        var tooMany: [UInt8] = []
        try FrameEncoder.append(
            .check(CheckRequest(items: Array(repeating: check, count: 5))),
            requestID: 4,
            to: &tooMany
        )
        try expectError(fixture, tooMany, .tooManyItems, id: 4, closes: false)
        // LZ4 bomb: a declared size over the limit is refused before anything is allocated.
        let bomb = TestClient.rawFrame(opcode: 0x02, flags: 1, id: 6, body: [0x40, 0, 0, 0, 0x1f, 0x61])
        try expectError(fixture, bomb, .decompressedTooLarge, id: 6, closes: true)
        // Corrupt LZ4 block.
        let corrupt = TestClient.rawFrame(opcode: 0x02, flags: 1, id: 7, body: [0, 0, 0, 8, 0xff, 0xff])
        try expectError(fixture, corrupt, .badCompression, id: 7, closes: true)
        // Length under 12: unattributed.
        try expectError(fixture, [0, 0, 0, 3, 1, 2, 3], .badFrame, id: 0, closes: true)
        // Reserved flag bits.
        try expectError(
            fixture,
            TestClient.rawFrame(opcode: 0x02, flags: 0x80, id: 8, body: [0, 0, 0, 0]),
            .badFrame,
            id: 8,
            closes: true
        )
        // Unsupported header version.
        try expectError(
            fixture,
            TestClient.rawFrame(version: 9, opcode: 0x02, id: 9, body: [0, 0, 0, 0]),
            .unsupportedVersion,
            id: 9,
            closes: true
        )
        // Request id 0.
        try expectError(
            fixture,
            TestClient.rawFrame(opcode: 0x02, id: 0, body: [0, 0, 0, 0]),
            .badFrame,
            id: 0,
            closes: true
        )
        // A response flag on a request.
        try expectError(
            fixture,
            TestClient.rawFrame(opcode: 0x02, flags: 2, id: 10, body: [0, 0, 0, 0]),
            .badFrame,
            id: 10,
            closes: true
        )
        // Truncated field: PING data declares 9 bytes, 2 follow.
        try expectError(
            fixture,
            TestClient.rawFrame(opcode: 0x02, id: 11, body: [0, 0, 0, 9, 1, 2]),
            .badFrame,
            id: 11,
            closes: true
        )
        // Trailing bytes after the last field.
        try expectError(fixture, TestClient.rawFrame(opcode: 0x20, id: 12, body: [1]), .badFrame, id: 12, closes: true)
        // Invalid UTF-8 in a string.
        let badUTF8: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0xc0, 0xaf, 0, 0, 0, 1, 0x61]
        try expectError(
            fixture,
            TestClient.rawFrame(opcode: 0x11, id: 13, body: badUTF8),
            .badFrame,
            id: 13,
            closes: true
        )
        // Unknown opcode: refused, connection kept.
        try expectError(fixture, TestClient.rawFrame(opcode: 0x42, id: 14), .unknownOpcode, id: 14, closes: false)
        #expect(try pingWorks(fixture))
        await fixture.stop()
    }

    @Test func excessConnectionsAreRefusedAndClosed() async throws {
        let fixture = try await DaemonFixture.start(settings: Self.settings)
        let first = try fixture.connect()
        let second = try fixture.connect()
        let third = try fixture.connect()
        #expect(try first.roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        #expect(try second.roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        #expect(try third.roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        let fourth = try fixture.connect()
        let refusal = try #require(try fourth.receive())
        #expect(refusal.id == 0)
        guard case .error(let error) = refusal.response else {
            Issue.record("expected an ERROR, got \(refusal.response)")
            return
        }
        #expect(error.status == .busy)
        #expect(try fourth.isClosedByServer())
        #expect(try first.roundTrip(.ping(PingRequest()), id: 2) == .ping(PingResponse()))
        await fixture.stop()
    }

    @Test func peerUIDNotAllowedIsRefused() async throws {
        let foreign = geteuid() == 4242 ? 4243 : 4242
        let directory = "/tmp/attestd-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKeyFactory.ecdsa()
        var yaml = DaemonFixture.configuration(
            key: key,
            socketPath: directory + "/d.sock",
            storePath: directory + "/s.sqlite",
            settings: ""
        )
        yaml = yaml.replacingOccurrences(
            of: "  socket:\n",
            with: "  socket:\n    allowedPeerUIDs: [\(foreign)]\n"
        )
        try yaml.write(toFile: directory + "/c.yaml", atomically: true, encoding: .utf8)
        var options = Daemon.Options(configurationPath: directory + "/c.yaml")
        options.workerCount = 1
        let daemon = try Daemon(options: options, logger: .init(label: "test"))
        try await daemon.start()
        let client = try TestClient(path: directory + "/d.sock")
        let refusal = try #require(try client.receive())
        if case .error(let error) = refusal.response {
            #expect(error.status == .notPermitted)
        } else {
            Issue.record("expected NOT_PERMITTED, got \(refusal.response)")
        }
        #expect(try client.isClosedByServer())
        await daemon.shutdown()
        #expect(access(directory + "/d.sock", F_OK) != 0, "the socket file is removed at shutdown")
    }

    @Test func clientDisconnectingMidRequestDoesNotHarmTheDaemon() async throws {
        let fixture = try await DaemonFixture.start()
        for round in 0..<5 {
            let client = try fixture.connect()
            var bytes: [UInt8] = []
            for id in UInt64(1)...20 {
                let image =
                    "registry.example.com/team/app@sha256:" + String(repeating: "c", count: 62)
                    + String(format: "%02x", round * 20 + Int(id))
                try FrameEncoder.append(
                    .check(CheckRequest(items: [CheckItem(namespace: "prod", image: image)])),
                    requestID: id,
                    to: &bytes
                )
            }
            try client.sendRaw(Array(bytes.dropLast(3)))  // the last frame arrives cut short
            client.close()
        }
        let client = try fixture.connect()
        #expect(try client.roundTrip(.ping(PingRequest(data: [9])), id: 1) == .ping(PingResponse(data: [9])))
        await fixture.stop()
    }

    @Test func socketDirectoryAndStaleSocketChecks() async throws {
        let fixture = try await DaemonFixture.start()
        // A second daemon on the same live socket is refused.
        var options = Daemon.Options(configurationPath: fixture.configPath)
        options.workerCount = 1
        let second = try Daemon(options: options, logger: .init(label: "test"))
        await #expect(throws: DaemonError.self) { try await second.start() }
        await second.shutdown()
        #expect(try pingWorks(fixture))
        await fixture.stop()
        // A world-writable directory without the sticky bit is refused.
        let open = "/tmp/attestd-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: open) }
        chmod(open, 0o777)
        var unsafe = Daemon.Options(configurationPath: fixture.configPath)
        unsafe.socketPath = open + "/d.sock"
        unsafe.storePath = open + "/s.sqlite"
        unsafe.workerCount = 1
        // The fixture directory is gone: write the configuration again next to the socket.
        try DaemonFixture.configuration(
            key: fixture.key.publicKey,
            socketPath: open + "/d.sock",
            storePath: open + "/s.sqlite",
            settings: ""
        )
        .write(toFile: open + "/c.yaml", atomically: true, encoding: .utf8)
        unsafe.configurationPath = open + "/c.yaml"
        let refused = try Daemon(options: unsafe, logger: .init(label: "test"))
        do {
            try await refused.start()
            Issue.record("a world-writable socket directory was accepted")
        } catch {
            #expect(error.code == .socketDirectory)
        }
        await refused.shutdown()
        // A stale socket (nobody listening) is replaced.
        chmod(open, 0o700)
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array((open + "/d.sock").utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(stale)
        let replacing = try Daemon(options: unsafe, logger: .init(label: "test"))
        try await replacing.start()
        #expect(try TestClient(path: open + "/d.sock").roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        var info = stat()
        #expect(stat(open + "/d.sock", &info) == 0 && info.st_mode & 0o777 == 0o660)
        await replacing.shutdown()
    }
}

/// Key generation for tests that build their own configuration.
enum PrivateKeyFactory {
    static func ecdsa() throws -> AttestCrypto.PublicKey {
        try AttestCrypto.PrivateKey.generate(for: .ecdsaP256SHA256).publicKey
    }
}
