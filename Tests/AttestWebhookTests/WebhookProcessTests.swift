import AttestWebhook
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `attest-webhook` executable as a subprocess: options, refusals, a review over HTTPS, SIGTERM.
@Suite(.timeLimit(.minutes(3)))
struct WebhookProcessTests {
    @Test("--help documents every option")
    func help() async throws {
        let outcome = try await ProcessRunner.run(try Self.binary(), ["--help"])
        #expect(outcome.status == 0)
        for option in [
            "--socket", "--listen", "--tls-cert", "--tls-key", "--client-ca", "--dry-run", "--timeout",
            "--insecure-http", "--tls-reload-interval", "SIGHUP",
            "--log-level", "--connections", "/validate", "/healthz", "/readyz", "/metrics", "attestd could not decide",
        ] {
            #expect(outcome.stdout.contains(option), "\(option)")
        }
    }

    @Test(
        "bad arguments are refused with exit 64 and the reason",
        arguments: [
            (["--socket", "/s"], "--tls-cert and --tls-key are required"),
            (["--socket", "/s", "--tls-cert", "c"], "--tls-cert and --tls-key are required"),
            (["--socket", "/s", "--insecure-http", "--tls-cert", "c", "--tls-key", "k"], "cannot be combined"),
            (["--socket", "/s", "--insecure-http", "--listen", "8443"], "is not HOST:PORT"),
            (["--socket", "/s", "--insecure-http", "--timeout", "0"], "--timeout"),
            (["--socket", "/s", "--insecure-http", "--log-level", "loud"], "--log-level"),
            (["--insecure-http"], "--socket"),
        ]
    )
    func badArguments(arguments: [String], reason: String) async throws {
        let outcome = try await ProcessRunner.run(try Self.binary(), arguments)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(reason), "\(outcome.stderr)")
    }

    @Test("missing TLS files: exit 1 with the error")
    func missingTLSFiles() async throws {
        let outcome = try await ProcessRunner.run(
            try Self.binary(),
            [
                "--socket", "/s", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent/c.pem", "--tls-key",
                "/nonexistent/k.pem",
            ]
        )
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("cannot load the TLS files"), "\(outcome.stderr)")
    }

    @Test("serves reviews over HTTPS from a real attestd and exits 0 on SIGTERM")
    func servesAndStops() async throws {
        try await WebhookFixture.with { fixture in
            let port = try Self.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Self.binary())
            process.arguments = [
                "--socket", fixture.directory + "/d.sock", "--listen", "127.0.0.1:\(port)",
                "--tls-cert", fixture.certificates.serverCertificate, "--tls-key", fixture.certificates.serverKey,
                "--timeout", "2", "--log-level", "warning",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            let base = "https://127.0.0.1:\(port)"
            let ready = try await ProcessRunner.run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "2", "--retry", "40", "--retry-connrefused", "--retry-delay", "1",
                    "--retry-max-time", "40", "--cacert", fixture.certificates.caCertificate, base + "/readyz",
                ]
            )
            #expect(ready.stdout == "ready\n", "\(ready.stderr)")

            let body = fixture.directory + "/review.json"
            try Data(Reviews.workload(Reviews.deployment, images: ["alpine:3.11"])).write(
                to: URL(fileURLWithPath: body)
            )
            let review = try await ProcessRunner.run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "10", "--cacert", fixture.certificates.caCertificate, "--data-binary",
                    "@" + body,
                    base + "/validate",
                ]
            )
            #expect(review.stdout.contains(#""message":"image alpine:3.11 is not attested""#), "\(review.stdout)")

            // SIGHUP re-reads the TLS files (unchanged here) and must not stop the server.
            kill(process.processIdentifier, SIGHUP)
            try await Task.sleep(for: .milliseconds(200))
            #expect(process.isRunning, "SIGHUP stopped attest-webhook")
            let afterHangup = try await ProcessRunner.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "10", "--cacert", fixture.certificates.caCertificate, base + "/healthz"]
            )
            #expect(afterHangup.stdout == "ok\n", "\(afterHangup.stderr)")

            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning)
            if !process.isRunning {
                #expect(process.terminationStatus == 0)
            }
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw WebhookFixture.FixtureError(description: "cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The `attest-webhook` built beside the test bundle, else `.build/debug/attest-webhook`.
    static func binary() throws -> String {
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
            candidates.append(directory.appendingPathComponent("attest-webhook").path)
        }
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/",
            !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path)
        {
            root.deleteLastPathComponent()
        }
        candidates.append(root.appendingPathComponent(".build/debug/attest-webhook").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw WebhookFixture.FixtureError(description: "attest-webhook not built; looked at \(candidates)")
        }
        return found
    }
}
