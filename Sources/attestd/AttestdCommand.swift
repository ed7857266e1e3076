import ArgumentParser
import AttestDaemon
import Logging
import ServiceLifecycle
import UnixSignals

/// `attestd`: the attestation verification daemon.
@main
struct AttestdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attestd",
        abstract: "Serve attestation verification and admission decisions on a Unix socket.",
        discussion: """
            SIGTERM and SIGINT stop accepting connections, finish the requests in flight (bounded by \
            --drain-timeout), remove the socket and exit 0. SIGHUP reloads the configuration file; a file that \
            does not load is refused and the running configuration is kept.
            """
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "The Unix socket to listen on (overrides the configuration).")
    var socket: String?

    @Option(name: .long, help: "The SQLite attestation store (overrides the configuration).")
    var store: String?

    @Option(name: .long, help: "Verification worker threads (overrides the configuration; default one per core).")
    var workers: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Seconds to wait for requests in flight at shutdown.")
    var drainTimeout: Int = 10

    @Flag(name: .long, help: "Create the store's directory when it is missing.")
    var createStoreDirectory = false

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical"
            )
        }
        if let workers, !(1...1024).contains(workers) {
            throw ValidationError("--workers \(workers) is outside 1...1024")
        }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must not be negative") }
    }

    func run() async throws {
        var logger = Logger(label: "attestd")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var options = Daemon.Options(configurationPath: config)
        options.socketPath = socket
        options.storePath = store
        options.workerCount = workers
        options.drainTimeout = .seconds(drainTimeout)
        options.reloadOnSIGHUP = true
        options.createStoreDirectory = createStoreDirectory
        let daemon: Daemon
        do {
            daemon = try Daemon(options: options, logger: logger)
        } catch {
            logger.critical("attestd cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        do {
            try await daemon.start()
        } catch {
            logger.critical("attestd cannot listen", metadata: ["error": "\(error)"])
            await daemon.shutdown()
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: daemon)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
