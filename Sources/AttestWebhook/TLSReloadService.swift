public import Logging
public import ServiceLifecycle
import UnixSignals

/// Re-reads file-backed ``TLSCredentials`` on SIGHUP and every `interval`, until graceful shutdown.
///
/// Each pass loads new credentials only when a file changed; a change that does not load is logged and
/// retried on the next pass while the running certificate keeps serving.
public struct TLSReloadService: Service {
    private let credentials: TLSCredentials
    private let interval: Duration?
    private let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - credentials: the credentials to keep current (nothing happens unless they come from files).
    ///   - interval: how often to look at the files; `nil` for SIGHUP only.
    ///   - logger: reports each reload and each failed one.
    public init(credentials: TLSCredentials, interval: Duration?, logger: Logger) {
        self.credentials = credentials
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown or cancellation, and then returns normally.
    ///
    /// It must not throw when it is stopped: a `ServiceGroup` treats a service that throws during graceful
    /// shutdown as failed and cancels every other service, which would cut the HTTPS server's drain short.
    public func run() async {
        guard credentials.files != nil else { return }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { reload(because: "SIGHUP") }
                }
                if let interval {
                    group.addTask {
                        // A cancelled sleep ends the loop; it is how this task is told to stop, not a failure.
                        while (try? await Task.sleep(for: interval)) != nil {
                            reload(because: nil)
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// One pass: reload if a file changed.
    ///
    /// - Parameter reason: what asked for it, for the log (`nil` for the periodic look).
    func reload(because reason: String?) {
        do {
            if try credentials.reloadIfChanged() {
                logger.notice("TLS certificate reloaded", metadata: ["trigger": "\(reason ?? "file change")"])
            } else if let reason {
                logger.info("TLS files unchanged", metadata: ["trigger": "\(reason)"])
            }
        } catch {
            logger.error(
                "TLS files changed but do not load; still serving the previous certificate",
                metadata: ["error": "\(error)"]
            )
        }
    }
}
