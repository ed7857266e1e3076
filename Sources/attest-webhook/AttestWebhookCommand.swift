import ArgumentParser
import AttestClient
import AttestWebhook
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `attest-webhook`: the Kubernetes admission shim in front of attestd.
@main
struct AttestWebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest-webhook",
        abstract: "Answer Kubernetes AdmissionReview requests over HTTPS by asking attestd.",
        discussion: """
            Routes: POST /validate and POST / (AdmissionReview admission.k8s.io/v1 or v1beta1, answered in the \
            same version), GET /healthz (process up), GET /readyz (attestd answers PING; 503 otherwise), \
            GET /metrics (Prometheus text).

            Reviews Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController and \
            pods/ephemeralcontainers on CREATE and UPDATE; everything else is admitted without asking attestd. \
            A policy denial has status code 403 and attestd's message (image IMAGE is not attested). When \
            attestd cannot answer (socket missing, connection refused or lost, --timeout passed, malformed \
            answer) the request is denied with status code 500 and a message starting "attestd could not \
            decide". A malformed AdmissionReview (bad JSON, no request or uid, an object that does not fit \
            its kind, a body over 3 MiB, nesting deeper than 64) gets HTTP 400 with the reason. A connection \
            idle for 90 s is closed, and so is one that takes longer than that to deliver a whole request \
            (a body dripped a byte at a time cannot hold it open).

            SIGTERM and SIGINT stop the server gracefully. Renewed TLS files (a rotated Kubernetes Secret) are \
            picked up for new connections within --tls-reload-interval, or at once on SIGHUP; files that do \
            not load are reported and the previous certificate keeps serving.
            """
    )

    @Option(name: .long, help: "attestd's Unix socket.")
    var socket: String

    @Option(name: .long, help: "Address to listen on, HOST:PORT ([::1]:8443 for IPv6; port 0 picks a free one).")
    var listen: String = "0.0.0.0:8443"

    @Option(name: .customLong("tls-cert"), help: "Server certificate chain, PEM (leaf first).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "Server private key, PEM.")
    var tlsKey: String?

    @Option(name: .customLong("client-ca"), help: "CA bundle, PEM: require client certificates signed by it.")
    var clientCA: String?

    @Flag(name: .customLong("dry-run"), help: "Admit what would be denied, with the denial as a warning.")
    var dryRun = false

    @Option(name: .long, help: "Seconds to wait for attestd's decision before denying (fails closed).")
    var timeout: Double = 8

    @Option(name: .long, help: "Connections to attestd.")
    var connections: Int = 2

    @Flag(
        name: .customLong("insecure-http"),
        help: "Serve plain HTTP without TLS (local testing only; Kubernetes requires HTTPS)."
    )
    var insecureHTTP = false

    @Option(
        name: .customLong("tls-reload-interval"),
        help: """
            Seconds between looks at the TLS files; a changed certificate, key or client CA is loaded for new \
            connections (SIGHUP looks at once; 0 for SIGHUP only).
            """
    )
    var tlsReloadInterval: Double = 60

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical"
            )
        }
        do {
            _ = try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
        guard timeout > 0, timeout <= 300 else {
            throw ValidationError("--timeout \(timeout) is outside (0, 300] seconds")
        }
        guard tlsReloadInterval >= 0, tlsReloadInterval <= 86_400 else {
            throw ValidationError("--tls-reload-interval \(tlsReloadInterval) is outside [0, 86400] seconds")
        }
        guard (1...64).contains(connections) else {
            throw ValidationError("--connections \(connections) is outside 1...64")
        }
        if insecureHTTP {
            guard tlsCert == nil, tlsKey == nil, clientCA == nil else {
                throw ValidationError("--insecure-http cannot be combined with --tls-cert, --tls-key or --client-ca")
            }
        } else {
            guard tlsCert != nil, tlsKey != nil else {
                throw ValidationError("--tls-cert and --tls-key are required (or --insecure-http for plain HTTP)")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "attest-webhook")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let address = try ListenAddress(parsing: listen)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let deadline = Duration.milliseconds(Int64((timeout * 1000).rounded()))
        var configuration = WebhookServer.Configuration(
            host: address.host,
            port: address.port,
            tls: nil,
            timeout: deadline,
            dryRun: dryRun
        )
        do {
            if !insecureHTTP {
                configuration.tlsCredentials = try TLSCredentials(
                    files: TLSCredentials.Files(certificate: tlsCert ?? "", key: tlsKey ?? "", clientCA: clientCA)
                )
            }
        } catch {
            logger.critical("cannot load the TLS files", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        if insecureHTTP { logger.warning("serving plain HTTP (--insecure-http): for local use only") }
        let client = AttestClientPool(
            socketPath: socket,
            size: connections,
            configuration: AttestClient.Configuration(
                clientName: "attest-webhook/1.0",
                requestTimeout: deadline,
                connectTimeout: min(deadline, .seconds(2))
            )
        )
        defer { client.close() }
        let server = WebhookServer(
            configuration: configuration,
            client: client,
            metrics: WebhookMetrics(registry: registry),
            logger: logger
        )
        let application: any Service
        do {
            application = try server.makeApplication()
        } catch {
            logger.critical("cannot set up TLS", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        if let credentials = configuration.tlsCredentials {
            let interval = tlsReloadInterval > 0 ? Duration.milliseconds(Int64(tlsReloadInterval * 1000)) : nil
            services.append(
                .init(service: TLSReloadService(credentials: credentials, interval: interval, logger: logger))
            )
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
