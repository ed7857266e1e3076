public import AttestClient
import AttestWire
public import Logging

/// Turns an AdmissionReview body into the webhook's answer by asking attestd: the transport-free core of the
/// server, so that its decisions can be driven without HTTP.
///
/// One review costs at most one ADMIT request: kinds, subresources and operations that are not reviewed are
/// admitted untouched without asking attestd, and policy (breakglass, dry-run, the kritis wording) is
/// attestd's. Every way attestd can fail to answer (socket missing, connection refused or lost, deadline,
/// ERROR frame, an answer that does not fit the question) denies with code 500 and a message starting
/// `attestd could not decide`.
///
/// The ADMIT carries the namespace of `request.namespace` (else the object's `metadata.namespace`, else
/// `default`), the kind, the name (`request.name`, else `metadata.name` or `metadata.generateName`), the
/// operation, the webhook's dry-run flag, and the images and annotations of ``ReviewedWorkload``.
public final class AdmissionReviewer: Sendable {
    /// The connections to attestd.
    public let client: AttestClientPool
    /// Deadlines, limits and dry-run.
    public let configuration: WebhookServer.Configuration
    /// Where reviews are counted.
    public let metrics: WebhookMetrics
    private let logger: Logger

    /// Creates a reviewer.
    /// - Parameters:
    ///   - client: The connections to attestd.
    ///   - configuration: Deadlines, limits and dry-run.
    ///   - metrics: Where reviews are counted.
    ///   - logger: Where denials and failures are logged.
    public init(
        client: AttestClientPool,
        configuration: WebhookServer.Configuration,
        metrics: WebhookMetrics,
        logger: Logger
    ) {
        self.client = client
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Answers one AdmissionReview body.
    /// - Parameter body: The HTTP request body (the server refuses bodies over
    ///   ``WebhookServer/Configuration/maxBodySize`` before calling this; the limit is checked again here).
    /// - Returns: HTTP 200 with the AdmissionReview answer, or 400 with the reason the review is malformed.
    public func review(body: [UInt8]) async -> WebhookReply {
        let start = ContinuousClock.now
        let review: AdmissionReview
        let workload: ReviewedWorkload?
        do throws(AdmissionReviewError) {
            review = try AdmissionReview(
                decoding: body,
                maxSize: configuration.maxBodySize,
                maxDepth: configuration.maxDepth
            )
            workload = try Self.workload(of: review)
        } catch {
            logger.notice(
                "malformed AdmissionReview",
                metadata: ["code": "\(error.code)", "reason": "\(error.reason)"]
            )
            metrics.recordReview(
                kind: "unknown",
                operation: "unknown",
                decision: "malformed",
                duration: .now - start
            )
            return .text(400, "malformed AdmissionReview: \(error.reason)")
        }
        let decision: AdmissionDecision
        let label: String
        if let workload, !workload.images.isEmpty {
            decision = await decide(review, workload)
            label =
                decision.allowed
                ? "allowed" : decision.message.hasPrefix(AdmissionDecision.undecidedPrefix) ? "undecided" : "denied"
        } else {
            decision = AdmissionDecision(allowed: true)
            label = "skipped"
        }
        metrics.recordReview(kind: review.kind, operation: review.operation, decision: label, duration: .now - start)
        return WebhookReply(
            status: 200,
            contentType: "application/json",
            body: decision.reviewBody(apiVersion: review.apiVersion, uid: review.uid)
        )
    }

    /// What a review asks attestd about, or nil when the webhook admits it untouched (an operation other than
    /// CREATE or UPDATE, a kind or subresource not reviewed). A workload without images is admitted without
    /// asking attestd too.
    /// - Parameter review: The decoded review.
    /// - Returns: The workload to check, or nil.
    /// - Throws: ``AdmissionReviewError`` when the object does not fit its kind.
    public static func workload(of review: AdmissionReview) throws(AdmissionReviewError) -> ReviewedWorkload? {
        guard review.operation == "CREATE" || review.operation == "UPDATE" else { return nil }
        guard let kind = WorkloadKind.reviewed(by: review) else { return nil }
        return try ReviewedWorkload(object: review.object, as: kind)
    }

    /// Asks attestd, within the deadline, and turns its answer (or its silence) into a decision.
    private func decide(_ review: AdmissionReview, _ workload: ReviewedWorkload) async -> AdmissionDecision {
        let namespace = review.namespace.isEmpty ? workload.namespace : review.namespace
        let request = AdmitRequest(
            namespace: namespace.isEmpty ? "default" : namespace,
            kind: workload.kind.kind,
            name: review.name.isEmpty ? workload.name : review.name,
            operation: review.operation,
            dryRun: configuration.dryRun,
            annotations: workload.annotations,
            images: workload.images
        )
        let client = self.client
        let timeout = configuration.timeout
        let response: AdmitResponse
        do {
            response = try await withDeadline(timeout) { try await client.admit(request, timeout: timeout) }
        } catch {
            let (reason, why) = Self.describe(error, socket: client.clients[0].socketPath)
            metrics.recordAttestdError(reason: reason)
            logger.warning(
                "attestd could not decide; denying",
                metadata: ["uid": "\(review.uid)", "kind": "\(workload.kind)", "error": "\(why)"]
            )
            return .undecided(why)
        }
        if let fault = Self.fault(in: response, images: request.images) {
            metrics.recordAttestdError(reason: "malformed-answer")
            logger.warning(
                "attestd answered malformed ADMIT; denying",
                metadata: ["uid": "\(review.uid)", "error": "\(fault)"]
            )
            return .undecided(fault)
        }
        if response.allowed {
            return AdmissionDecision(allowed: true, warnings: response.warnings)
        }
        let code = response.statusCode == 500 ? 500 : 403
        logger.info(
            "denied",
            metadata: [
                "uid": "\(review.uid)", "kind": "\(workload.kind)", "namespace": "\(request.namespace)",
                "name": "\(request.name)", "message": "\(response.message)",
            ]
        )
        return AdmissionDecision(allowed: false, code: code, message: response.message, warnings: response.warnings)
    }

    /// Why an ADMIT answer cannot be trusted, or nil when it fits the question.
    private static func fault(in response: AdmitResponse, images: [String]) -> String? {
        if response.results.count != images.count {
            return "attestd answered \(response.results.count) results for \(images.count) images"
        }
        if !response.allowed && response.message.isEmpty {
            return "attestd denied without a message"
        }
        if !response.allowed && !(400...599).contains(response.statusCode) {
            return "attestd denied with status code \(response.statusCode)"
        }
        return nil
    }

    /// The metric label and the human reason of a failed ADMIT.
    fileprivate static func describe(_ error: any Error, socket: String) -> (String, String) {
        switch error {
        case let error as AttestClientError:
            return (error.code.rawValue, error.reason)
        case let error as DaemonRefusal:
            return ("refused", "attestd refused the request: \(error.status): \(error.message)")
        case let error as DeadlineExceeded:
            return ("deadline", "attestd at \(socket) gave \(error)")
        default:
            return ("other", "\(error)")
        }
    }
}

extension AdmissionReviewer {
    /// Whether attestd answers PING within the readiness deadline.
    /// - Returns: 200 `ready`, or 503 with the reason.
    public func readiness() async -> WebhookReply {
        let client = self.client.next()
        let timeout = configuration.readinessTimeout
        do {
            _ = try await withDeadline(timeout) { try await client.ping(timeout: timeout) }
            return .text(200, "ready")
        } catch {
            let (reason, why) = Self.describe(error, socket: client.socketPath)
            metrics.recordAttestdError(reason: reason)
            return .text(503, "not ready: \(why)")
        }
    }
}
