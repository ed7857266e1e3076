import AttestClient
import AttestWire
import Testing

/// The pool spreads requests over its connections.
struct AttestClientPoolTests {
    @Test func requestsUseSeveralConnections() async throws {
        let responder = try ScriptedResponder { connection in
            while let frame = connection.readFrame() {
                let request = try! CheckRequest(decoding: frame.body)
                let results = request.items.map {
                    CheckResult(
                        decision: .denied,
                        reason: "not-attested",
                        message: $0.image,
                        missing: ["a"],
                        satisfied: []
                    )
                }
                connection.respond(CheckResponse(results: results), to: frame.header.requestID)
            }
        }
        defer { responder.stop() }
        let pool = AttestClientPool(
            socketPath: responder.path,
            size: 3,
            configuration: .init(negotiate: false, requestTimeout: .seconds(10))
        )
        defer { pool.close() }
        try await pool.connectAll()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    let results = try await pool.check(namespace: "ns", images: ["i\(index)"])
                    #expect(results.map(\.message) == ["i\(index)"])
                    #expect(results.first?.decision == .denied)
                }
            }
            try await group.waitForAll()
        }
        #expect(pool.clients.allSatisfy { $0.inFlightCount == 0 })
    }
}
