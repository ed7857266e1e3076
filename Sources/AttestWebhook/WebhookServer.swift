public import AttestClient
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import ServiceLifecycle

/// The attest-webhook HTTPS server: Kubernetes AdmissionReview in, one attestd ADMIT per review out.
///
/// Routes:
/// - `POST /validate` and `POST /` (kritis's path): an `admission.k8s.io/v1` or `v1beta1` AdmissionReview,
///   answered in the same version (HTTP 200 whether allowed or denied; 400 with a plain-text reason when the
///   review is malformed).
/// - `GET /healthz`: 200 while the process serves.
/// - `GET /readyz`: 200 when attestd answers PING within ``Configuration/readinessTimeout``, else 503.
/// - `GET /metrics`: the Prometheus text of ``WebhookMetrics``.
public struct WebhookServer: Sendable {
    /// Where and how to listen and how to ask attestd.
    public let configuration: Configuration
    /// The review logic.
    public let reviewer: AdmissionReviewer
    private let logger: Logger

    /// Creates a server.
    /// - Parameters:
    ///   - configuration: Where and how to listen.
    ///   - client: The connections to attestd (they reconnect on the next request after a loss).
    ///   - metrics: Where reviews are counted.
    ///   - logger: The server's logger.
    public init(configuration: Configuration, client: AttestClientPool, metrics: WebhookMetrics, logger: Logger) {
        self.configuration = configuration
        self.reviewer = AdmissionReviewer(
            client: client,
            configuration: configuration,
            metrics: metrics,
            logger: logger
        )
        self.logger = logger
    }

    /// The Hummingbird application serving the routes, over TLS unless ``Configuration/tls`` is nil.
    /// - Parameter onServerRunning: Called once listening, with the bound port (useful with port 0).
    /// - Returns: The application; run it with `runService()` or as a service of a `ServiceGroup`.
    /// - Throws: When the TLS configuration cannot be turned into an SSL context.
    public func makeApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = makeRouter()
        let idle = TimeAmount.nanoseconds(configuration.idleTimeout.nanoseconds)
        let http1Configuration = HTTP1Channel.Configuration(
            // The idle timeout also bounds how long one request may take to arrive: a body dripped a byte at a
            // time would restart an idle timer forever.
            additionalChannelHandlers: [RequestDeadlineHandler(limit: idle)],
            idleTimeout: idle
        )
        let credentials =
            try configuration.tlsCredentials ?? configuration.tls.map { try TLSCredentials(configuration: $0) }
        // Each accepted connection gets the TLS context current at that moment, so renewed certificates apply
        // without a restart.
        let server = HTTPServerBuilder { responder in
            let http = HTTP1Channel(responder: responder, configuration: http1Configuration)
            guard let credentials else { return http }
            return ReloadingTLSChannel(base: http, credentials: credentials)
        }
        let logger = self.logger
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "attest-webhook"
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("attest-webhook listening", metadata: ["port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger
        )
    }

    /// Serves until the task is cancelled (a graceful shutdown) or the server fails.
    /// - Parameter onServerRunning: Called once listening, with the bound port.
    /// - Throws: When the address cannot be bound or TLS cannot be set up.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onServerRunning: onServerRunning).run()
    }

    /// The routes.
    /// - Returns: A router with the review, health, readiness and metrics routes.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let reviewer = self.reviewer
        let limit = configuration.maxBodySize
        let review: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let reply: WebhookReply
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                reply = Self.tooLarge(length, limit: limit, metrics: reviewer.metrics)
            } else {
                do {
                    let buffer = try await request.body.collect(upTo: limit)
                    reply = await reviewer.review(body: Array(buffer.readableBytesView))
                } catch is NIOTooManyBytesError {
                    reply = Self.tooLarge(nil, limit: limit, metrics: reviewer.metrics)
                }
            }
            return Self.response(reply)
        }
        router.post("/validate", use: review)
        router.post("/", use: review)
        router.get("/healthz") { _, _ in Self.response(.text(200, "ok")) }
        router.get("/readyz") { _, _ in await Self.response(reviewer.readiness()) }
        router.get("/metrics") { _, _ in
            Self.response(
                WebhookReply(
                    status: 200,
                    contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: reviewer.metrics.render()
                )
            )
        }
        return router
    }

    private static func tooLarge(_ length: Int?, limit: Int, metrics: WebhookMetrics) -> WebhookReply {
        metrics.recordReview(kind: "unknown", operation: "unknown", decision: "malformed", duration: .zero)
        let size = length.map { "body of \($0) bytes" } ?? "body"
        return .text(400, "malformed AdmissionReview: \(size) exceeds the limit of \(limit) bytes")
    }

    private static func response(_ reply: WebhookReply) -> Response {
        Response(
            status: HTTPResponse.Status(code: reply.status),
            headers: [.contentType: reply.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body))
        )
    }
}
