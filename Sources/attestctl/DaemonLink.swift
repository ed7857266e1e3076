import AttestClient
import AttestWire

/// How the daemon-facing commands reach attestd, and how they report that they could not.
enum DaemonLink {
    /// A client for one command: negotiates HELLO, fails a request after `timeout`.
    static func client(socket: String, timeout: Duration = .seconds(10)) -> AttestClient {
        AttestClient(
            socketPath: socket,
            configuration: .init(clientName: "attestctl/1.0", requestTimeout: timeout, connectTimeout: .seconds(5))
        )
    }

    /// Runs `body` with a connected client; an unreachable or failing daemon is reported on standard error and
    /// ends the command with exit status 2.
    static func run<Result>(
        socket: String,
        timeout: Duration = .seconds(10),
        _ body: (AttestClient) async throws -> Result
    ) async throws -> Result {
        let client = client(socket: socket, timeout: timeout)
        defer { client.close() }
        do {
            try await client.connect()
            return try await body(client)
        } catch let error as AttestClientError where error.code == .connectFailed {
            printError("attestctl: error: cannot reach attestd at \(socket): \(error.reason)")
            throw ExitStatus.unusableInput
        } catch let error as AttestClientError {
            printError("attestctl: error: attestd at \(socket): \(error.reason)")
            throw ExitStatus.unusableInput
        } catch let error as DaemonRefusal {
            printError(
                "attestctl: error: attestd at \(socket) refused the request: \(error.status.name): \(error.message)"
            )
            throw ExitStatus.unusableInput
        }
    }
}
