import AttestCore
import AttestWebhook
import Foundation
import Testing

/// attest-webhook denies, never hangs and never admits, when attestd cannot decide; and recovers.
@Suite(.timeLimit(.minutes(3)))
struct WebhookFailClosedTests {
    static let signed = WebhookFixture.signedImage

    static func expectUndecided(_ reply: WebhookFixture.Reply, mentioning fragment: String? = nil) {
        #expect(reply.httpStatus == 200, "\(reply.body)")
        #expect(reply.allowed == false, "\(reply.body)")
        #expect(reply.code == 500, "\(reply.body)")
        #expect(reply.message?.hasPrefix("attestd could not decide: ") == true, "\(reply.body)")
        if let fragment { #expect(reply.message?.contains(fragment) == true, "\(reply.body)") }
    }

    @Test("attestd stopped mid-run: denied with the reason, readyz 503; restarted: admitted again, readyz 200")
    func attestdStoppedAndRestarted() async throws {
        try await WebhookFixture.with { fixture in
            let body = Reviews.workload(Reviews.deployment, images: [Self.signed])
            #expect(try await fixture.review(body).allowed == true)
            #expect(try await fixture.curl(path: "/readyz").httpStatus == 200)

            await fixture.stopDaemon()
            Self.expectUndecided(try await fixture.review(body), mentioning: fixture.directory + "/d.sock")
            // A second request after the loss is refused the same way (the pool tries to reconnect).
            Self.expectUndecided(try await fixture.review(body))
            let notReady = try await fixture.curl(path: "/readyz")
            #expect(notReady.httpStatus == 503)
            #expect(notReady.body.hasPrefix("not ready: "), "\(notReady.body)")
            #expect(try await fixture.curl(path: "/healthz").httpStatus == 200)

            try await fixture.startDaemon()
            let again = try await fixture.review(body)
            #expect(again.allowed == true, "\(again.body)")
            #expect(try await fixture.curl(path: "/readyz").httpStatus == 200)

            let metrics = try await fixture.curl(path: "/metrics").body
            #expect(
                metrics.contains(
                    #"attest_webhook_requests_total{kind="Deployment",operation="CREATE",decision="undecided"} 2"#
                ),
                "\(metrics)"
            )
            #expect(metrics.contains("attest_webhook_attestd_errors_total{reason="))
        }
    }

    @Test("socket missing: denied with the path in the message")
    func socketMissing() async throws {
        let missing = "/tmp/no-such-dir-\(UUID().uuidString.prefix(8))/attestd.sock"
        try await WebhookFixture.with(socketPath: missing) { fixture in
            Self.expectUndecided(
                try await fixture.review(Reviews.workload(Reviews.pod, images: [Self.signed])),
                mentioning: missing
            )
            #expect(try await fixture.curl(path: "/readyz").httpStatus == 503)
        }
    }

    @Test("attestd accepts but never answers: denied when the deadline passes, not hung")
    func attestdHangs() async throws {
        let path = "/tmp/webhook-fake-\(UUID().uuidString.prefix(8)).sock"
        let fake = try FakeAttestd(path: path, behaviour: .silent)
        defer { fake.stop() }
        try await WebhookFixture.with(timeout: .milliseconds(500), socketPath: path) { fixture in
            let reply = try await fixture.review(Reviews.workload(Reviews.pod, images: [Self.signed]))
            Self.expectUndecided(reply)
            #expect(
                reply.message?.contains("0.5 s") == true || reply.message?.contains("timeout") == true,
                "\(reply.body)"
            )
            let metrics = try await fixture.curl(path: "/metrics").body
            #expect(metrics.contains(#"decision="undecided"} 1"#), "\(metrics)")
        }
    }

    @Test("attestd answers bytes that are no frame: denied as malformed, not admitted")
    func attestdAnswersGarbage() async throws {
        let path = "/tmp/webhook-fake-\(UUID().uuidString.prefix(8)).sock"
        let fake = try FakeAttestd(path: path, behaviour: .garbage)
        defer { fake.stop() }
        try await WebhookFixture.with(timeout: .seconds(2), socketPath: path) { fixture in
            Self.expectUndecided(try await fixture.review(Reviews.workload(Reviews.pod, images: [Self.signed])))
        }
    }

    @Test("20 concurrent reviews each get their own right answer")
    func concurrentReviews() async throws {
        try await WebhookFixture.with { fixture in
            try await withThrowingTaskGroup(of: (Int, WebhookFixture.Reply).self) { group in
                for index in 0..<20 {
                    let image = index.isMultiple(of: 2) ? Self.signed : WebhookFixture.unsignedImage
                    let body = Reviews.workload(
                        Reviews.allKinds[index % Reviews.allKinds.count],
                        images: [image],
                        uid: "uid-\(index)"
                    )
                    group.addTask { (index, try await fixture.review(body)) }
                }
                var seen = 0
                for try await (index, reply) in group {
                    seen += 1
                    #expect(reply.httpStatus == 200, "\(index): \(reply.stderr)")
                    #expect((try? reply.json())?["response"]?["uid"]?.stringValue == "uid-\(index)")
                    #expect(reply.allowed == index.isMultiple(of: 2), "\(index): \(reply.body)")
                }
                #expect(seen == 20)
            }
            let metrics = try await fixture.curl(path: "/metrics").body
            let total = metrics.split(separator: "\n")
                .filter { $0.hasPrefix("attest_webhook_requests_total{") }
                .compactMap { Int($0.split(separator: " ").last ?? "") }
                .reduce(0, +)
            #expect(total == 20, "\(metrics)")
        }
    }

    @Test("every malformed class over HTTPS: 400 with the reason, and the server keeps serving")
    func malformedOverHTTPS() async throws {
        try await WebhookFixture.with { fixture in
            for malformed in MalformedReview.all {
                let reply = try await fixture.review(malformed.body)
                #expect(reply.httpStatus == 400, "\(malformed): \(reply.body)")
                #expect(reply.body.hasPrefix("malformed AdmissionReview: "), "\(malformed): \(reply.body)")
                #expect(reply.body.contains(malformed.reason), "\(malformed): \(reply.body)")
            }
            // Over 3 MiB: refused from Content-Length, before reading the body.
            let huge = [UInt8](repeating: UInt8(ascii: " "), count: AdmissionReview.defaultMaxSize + 1)
            let tooLarge = try await fixture.review(huge)
            #expect(tooLarge.httpStatus == 400, "\(tooLarge.body) \(tooLarge.stderr)")
            #expect(tooLarge.body.contains("exceeds the limit of 3145728 bytes"), "\(tooLarge.body)")
            // Over 3 MiB without Content-Length (chunked): refused while reading.
            let chunked = try await fixture.curl(
                path: "/validate",
                body: huge,
                extra: ["-H", "Transfer-Encoding: chunked"]
            )
            #expect(chunked.httpStatus == 400, "\(chunked.body) \(chunked.stderr)")
            #expect(chunked.body.contains("exceeds the limit"), "\(chunked.body)")

            let ok = try await fixture.review(Reviews.workload(Reviews.pod, images: [Self.signed]))
            #expect(ok.allowed == true)
            let metrics = try await fixture.curl(path: "/metrics").body
            #expect(metrics.contains(#"decision="malformed"} \#(MalformedReview.all.count + 2)"#), "\(metrics)")
        }
    }
}
