import AttestWebhook
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Renewed TLS files reach new connections without a restart; files that do not load change nothing.
@Suite(.timeLimit(.minutes(3)))
struct WebhookTLSReloadTests {
    /// Replaces `path` with `source`'s bytes in one rename, as a Secret volume swaps its files.
    private static func replace(_ path: String, with source: String) throws {
        let temporary = path + ".new"
        try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw WebhookFixture.FixtureError(description: "rename \(temporary): errno \(errno)")
        }
    }

    /// A logger that only reports failures worth a test's output.
    private static let quietLogger: Logger = {
        var logger = Logger(label: "tls-reload-test")
        logger.logLevel = .critical
        return logger
    }()

    private static func healthz(_ fixture: WebhookFixture, trusting ca: String) async throws -> Int {
        try await fixture.curl(path: "/healthz", extra: ["--cacert", ca], trustCA: false).httpStatus
    }

    @Test("a renewed certificate serves new connections; one that does not load leaves the old one serving")
    func renewedCertificateIsServed() async throws {
        try await WebhookFixture.with(reloadableTLS: true) { fixture in
            let credentials = try #require(fixture.credentials)
            let first = fixture.certificates
            #expect(try await Self.healthz(fixture, trusting: first.caCertificate) == 200)
            #expect(try credentials.reloadIfChanged() == false, "nothing changed yet")

            // A new CA and server certificate, as a renewal from another issuer would bring.
            let renewedDirectory = fixture.directory + "/renewed"
            try FileManager.default.createDirectory(atPath: renewedDirectory, withIntermediateDirectories: false)
            let renewed = try await TestCertificates.make(in: renewedDirectory)
            try Self.replace(first.serverKey, with: renewed.serverKey)
            try Self.replace(first.serverCertificate, with: renewed.serverCertificate)
            #expect(try credentials.reloadIfChanged() == true)
            #expect(try await Self.healthz(fixture, trusting: renewed.caCertificate) == 200)
            #expect(try await Self.healthz(fixture, trusting: first.caCertificate) == 0, "the old certificate is gone")

            // A half-renewed pair (the old key under the new certificate) does not load: the running one stays.
            try Self.replace(first.serverKey, with: first.clientKey)
            #expect(throws: (any Error).self) { try credentials.reloadIfChanged() }
            #expect(try await Self.healthz(fixture, trusting: renewed.caCertificate) == 200)
            // Garbage in the certificate file, likewise.
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: first.serverCertificate))
            #expect(throws: (any Error).self) { try credentials.reloadIfChanged() }
            #expect(try await Self.healthz(fixture, trusting: renewed.caCertificate) == 200)
        }
    }

    @Test("the reload service picks up changed files by itself")
    func serviceReloadsPeriodically() async throws {
        try await WebhookFixture.with(reloadableTLS: true) { fixture in
            let credentials = try #require(fixture.credentials)
            let service = TLSReloadService(
                credentials: credentials,
                interval: .milliseconds(100),
                logger: Self.quietLogger
            )
            let running = Task { await service.run() }
            defer { running.cancel() }

            let renewedDirectory = fixture.directory + "/renewed"
            try FileManager.default.createDirectory(atPath: renewedDirectory, withIntermediateDirectories: false)
            let renewed = try await TestCertificates.make(in: renewedDirectory)
            try Self.replace(fixture.certificates.serverKey, with: renewed.serverKey)
            try Self.replace(fixture.certificates.serverCertificate, with: renewed.serverCertificate)
            var served = false
            for _ in 0..<100 where !served {
                served = try await Self.healthz(fixture, trusting: renewed.caCertificate) == 200
                if !served { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served, "the renewed certificate was not served within about 10 s")
        }
    }

    /// Waits for graceful shutdown and records whether it was cancelled instead, as the HTTPS server would be.
    private final class DrainingService: Service {
        let cancelled = Mutex(false)
        func run() async throws {
            try? await gracefulShutdown()
            cancelled.withLock { $0 = Task.isCancelled }
        }
    }

    @Test("graceful shutdown stops the reload service without cancelling the services beside it")
    func gracefulShutdownIsClean() async throws {
        try await WebhookFixture.with(reloadableTLS: true) { fixture in
            let credentials = try #require(fixture.credentials)
            // The reload service stops first (services stop in reverse order). Its SIGHUP and timer tasks end in
            // either order; before the fix, the timer's cancelled sleep ending first threw and cancelled the group.
            for round in 0..<1000 {
                let draining = DrainingService()
                let reload = TLSReloadService(
                    credentials: credentials,
                    interval: .milliseconds(1),
                    logger: Self.quietLogger
                )
                let group = ServiceGroup(services: [draining, reload], logger: Self.quietLogger)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    await Task.yield()
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                #expect(draining.cancelled.withLock { $0 } == false, "round \(round): the server was cancelled")
            }
        }
    }

    @Test("credentials built from a configuration never reload")
    func configurationCredentialsAreFixed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try await TestCertificates.make(in: directory)
        let credentials = try TLSCredentials(
            configuration: WebhookServer.tlsConfiguration(
                certificatePath: certificates.serverCertificate,
                keyPath: certificates.serverKey
            )
        )
        #expect(credentials.files == nil)
        #expect(try credentials.reloadIfChanged() == false)
    }

    @Test("missing or mismatched files are refused at start with an error")
    func badFilesAtStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try await TestCertificates.make(in: directory)
        #expect(throws: (any Error).self) {
            try TLSCredentials(files: .init(certificate: directory + "/missing.pem", key: certificates.serverKey))
        }
        #expect(throws: (any Error).self) {
            try TLSCredentials(files: .init(certificate: certificates.serverCertificate, key: certificates.clientKey))
        }
    }
}
