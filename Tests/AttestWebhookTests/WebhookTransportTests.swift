import AttestWebhook
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// TLS versions, plain HTTP, client certificates and the health, readiness and metrics routes.
@Suite(.timeLimit(.minutes(3)))
struct WebhookTransportTests {
    @Test("TLS 1.2 and 1.3 are served; TLS 1.1 is refused by the server; plain HTTP on the TLS port gets nothing")
    func tlsVersions() async throws {
        try await WebhookFixture.with { fixture in
            for version in ["1.2", "1.3"] {
                let reply = try await fixture.curl(path: "/healthz", extra: ["--tlsv\(version)", "--tls-max", version])
                #expect(reply.httpStatus == 200, "TLS \(version): \(reply.stderr)")
            }
            // SECLEVEL=0 lets the client offer TLS 1.1, so the refusal is the server's protocol alert.
            let old = try await fixture.curl(
                path: "/healthz",
                extra: ["--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"]
            )
            #expect(old.curlStatus != 0)
            #expect(old.httpStatus == 0)
            #expect(
                old.stderr.contains("protocol version") || old.stderr.contains("unsupported protocol"),
                "\(old.stderr)"
            )

            let plain = try await fixture.curl(path: "/healthz", scheme: "http", trustCA: false)
            #expect(plain.curlStatus != 0, "\(plain.body)")
            #expect(plain.httpStatus != 200)
            // An untrusted server certificate is refused by the client (the CA is what makes it trusted).
            let untrusted = try await fixture.curl(path: "/healthz", trustCA: false)
            #expect(untrusted.curlStatus != 0)

            #expect(try await fixture.curl(path: "/healthz").httpStatus == 200)
        }
    }

    @Test("--client-ca: no client certificate or one from another CA is refused; the CA's client is served")
    func clientCertificates() async throws {
        try await WebhookFixture.with(requireClientCertificate: true) { fixture in
            let certificates = fixture.certificates
            let none = try await fixture.curl(path: "/healthz")
            #expect(none.httpStatus == 0, "\(none.body)")
            let stranger = try await fixture.curl(
                path: "/healthz",
                extra: ["--cert", certificates.strangerCertificate, "--key", certificates.strangerKey]
            )
            #expect(stranger.httpStatus == 0, "\(stranger.body)")
            let client = try await fixture.curl(
                path: "/validate",
                body: Reviews.workload(Reviews.pod, images: [WebhookFixture.signedImage]),
                extra: ["--cert", certificates.clientCertificate, "--key", certificates.clientKey]
            )
            #expect(client.httpStatus == 200, "\(client.stderr)")
            #expect(client.allowed == true)
        }
    }

    @Test("--insecure-http serves plain HTTP")
    func insecureHTTP() async throws {
        try await WebhookFixture.with(tls: false) { fixture in
            let reply = try await fixture.review(Reviews.workload(Reviews.pod, images: [WebhookFixture.unsignedImage]))
            #expect(reply.httpStatus == 200)
            #expect(reply.allowed == false)
        }
    }

    @Test("a client dripping a request body byte by byte is cut off at the idle timeout; others are served")
    func slowlorisIsCutOff() async throws {
        try await WebhookFixture.with(idleTimeout: .seconds(1), tls: false) { fixture in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(fd >= 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(fixture.port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(connected == 0, "connect: errno \(errno)")
            // A complete head announcing a large body, then the body one byte every 200 ms: each byte is a
            // read that restarts an idle timer. (A head that never ends is cut by the idle timer already.)
            let head = Array(
                "POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
                    .utf8
            )
            #expect(send(fd, head, head.count, Int32(MSG_NOSIGNAL)) == head.count)
            let start = ContinuousClock.now
            var closed = false
            while !closed, ContinuousClock.now - start < .seconds(30) {
                try await Task.sleep(for: .milliseconds(200))
                var byte: UInt8 = UInt8(ascii: " ")
                if send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) != 1 {
                    closed = true
                    break
                }
                var scratch = [UInt8](repeating: 0, count: 512)
                let got = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                if got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { closed = true }
            }
            #expect(closed, "the dripping connection was still open after 30 s")
            // The server is unharmed: a review on a fresh connection is answered.
            let reply = try await fixture.review(Reviews.workload(Reviews.pod, images: [WebhookFixture.signedImage]))
            #expect(reply.httpStatus == 200)
            #expect(reply.allowed == true)
        }
    }

    @Test("healthz, readyz and metrics answer; unknown routes and methods do not review")
    func routes() async throws {
        try await WebhookFixture.with { fixture in
            let health = try await fixture.curl(path: "/healthz")
            #expect(health.httpStatus == 200)
            #expect(health.body == "ok\n")
            let ready = try await fixture.curl(path: "/readyz")
            #expect(ready.httpStatus == 200)
            #expect(ready.body == "ready\n")

            _ = try await fixture.review(Reviews.workload(Reviews.deployment, images: [WebhookFixture.signedImage]))
            _ = try await fixture.review(
                Reviews.workload(Reviews.deployment, images: ["alpine:3.11"], operation: "UPDATE")
            )
            _ = try await fixture.review(Reviews.workload(Reviews.job, images: ["alpine:3.11"], operation: "DELETE"))
            let metrics = try await fixture.curl(path: "/metrics")
            #expect(metrics.httpStatus == 200)
            let text = metrics.body
            #expect(
                text.contains(
                    #"attest_webhook_requests_total{kind="Deployment",operation="CREATE",decision="allowed"} 1"#
                ),
                "\(text)"
            )
            #expect(
                text.contains(
                    #"attest_webhook_requests_total{kind="Deployment",operation="UPDATE",decision="denied"} 1"#
                )
            )
            #expect(
                text.contains(#"attest_webhook_requests_total{kind="Job",operation="DELETE",decision="skipped"} 1"#)
            )
            #expect(text.contains("# TYPE attest_webhook_request_duration_seconds histogram"))
            #expect(text.contains("attest_webhook_request_duration_seconds_count 3"))
            #expect(text.contains(#"attest_webhook_request_duration_seconds_bucket{le="0.001"}"#))

            let get = try await fixture.curl(path: "/validate")
            #expect(get.httpStatus == 405 || get.httpStatus == 404, "\(get.httpStatus)")
            let unknown = try await fixture.curl(path: "/mutate", body: Array("{}".utf8))
            #expect(unknown.httpStatus == 404)
        }
    }
}
