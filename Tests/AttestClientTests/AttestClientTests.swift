import AttestClient
import AttestWire
import Foundation
import Synchronization
import Testing

/// The client against a scripted in-process responder: pipelining, deadlines, ERROR frames, connection loss
/// and hostile bytes.
struct AttestClientTests {
    private static let quick = AttestClient.Configuration(negotiate: false, requestTimeout: .seconds(10))

    private static func checkResult(_ image: String) -> CheckResult {
        CheckResult(decision: .admitted, reason: "attested", message: image, missing: [], satisfied: ["qa"])
    }

    @Test func pipelinedRequestsAreMatchedByIDWhenAnsweredInReverseOrder() async throws {
        let count = 16
        let responder = try ScriptedResponder { connection in
            let frames = connection.readFrames(count)
            for frame in frames.reversed() {
                let request = try! CheckRequest(decoding: frame.body)
                let results = request.items.map { AttestClientTests.checkResult($0.image) }
                connection.respond(CheckResponse(results: results), to: frame.header.requestID)
            }
            _ = connection.readFrame()
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        try await withThrowingTaskGroup(of: (Int, [CheckResult]).self) { group in
            for index in 0..<count {
                group.addTask { (index, try await client.check(namespace: "prod", images: ["image-\(index)"])) }
            }
            for try await (index, results) in group {
                #expect(results.map(\.message) == ["image-\(index)"])
            }
        }
        #expect(client.inFlightCount == 0)
    }

    @Test func helloNegotiatesTheDaemonLimits() async throws {
        let responder = try ScriptedResponder { connection in
            guard let hello = connection.readFrame() else { return }
            #expect(hello.header.opcode == .hello)
            var limits = WireLimits.default
            limits.maxBatchItems = 2
            connection.respond(
                HelloResponse(
                    version: 1,
                    limits: limits,
                    features: [],
                    serverName: "s",
                    serverVersion: "1",
                    extensions: []
                ),
                to: hello.header.requestID
            )
            // Three items with max_batch_items 2: the client splits them into two pipelined requests.
            for frame in connection.readFrames(2) {
                let request = try! CheckRequest(decoding: frame.body)
                #expect(request.items.count <= 2)
                let results = request.items.map { AttestClientTests.checkResult($0.image) }
                connection.respond(CheckResponse(results: results), to: frame.header.requestID)
            }
            _ = connection.readFrame()
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: .init(requestTimeout: .seconds(10)))
        defer { client.close() }
        let hello = try await client.hello()
        #expect(hello.limits.maxBatchItems == 2)
        let results = try await client.check(namespace: "ns", images: ["a", "b", "c"])
        #expect(results.map(\.message) == ["a", "b", "c"])
    }

    @Test func aTimedOutRequestFreesItsSlotAndIgnoresTheLateAnswer() async throws {
        let responder = try ScriptedResponder { connection in
            guard let first = connection.readFrame(), let second = connection.readFrame() else { return }
            connection.respond(PingResponse(data: [2]), to: second.header.requestID)
            // The first request's answer arrives after its deadline: the client must drop it.
            Thread.sleep(forTimeInterval: 0.3)
            connection.respond(PingResponse(data: [1]), to: first.header.requestID)
            if let third = connection.readFrame() {
                connection.respond(PingResponse(data: [3]), to: third.header.requestID)
            }
            _ = connection.readFrame()
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        try await client.connect()
        let slow = Task { try await client.ping(data: [1], timeout: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await client.ping(data: [2]) == [2])
        let error = await #expect(throws: AttestClientError.self) { try await slow.value }
        #expect(error?.code == .timeout)
        #expect(client.inFlightCount == 0)
        #expect(try await client.ping(data: [3]) == [3])
    }

    @Test(arguments: [WireStatus.busy, .tooManyItems, .notPermitted])
    func daemonErrorFramesSurfaceWithTheirStatus(status: WireStatus) async throws {
        let responder = try ScriptedResponder { connection in
            while let frame = connection.readFrame() {
                connection.respond(
                    ErrorResponse(status: status, requestOpcode: frame.header.opcode, message: "refused on purpose"),
                    to: frame.header.requestID
                )
            }
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        let error = await #expect(throws: DaemonRefusal.self) { try await client.stats() }
        #expect(error?.status == status)
        #expect(error?.requestOpcode == .stats)
        #expect(error?.message == "refused on purpose")
        // The connection stays usable after a refusal.
        await #expect(throws: DaemonRefusal.self) { try await client.ping() }
    }

    @Test func connectionLossFailsPendingRequestsAndTheNextCallReconnects() async throws {
        let accepted = Atomic<Int>(0)
        let responder = try ScriptedResponder { connection in
            let number = accepted.add(1, ordering: .relaxed).newValue
            if number == 1 {
                _ = connection.readFrames(3)
                return  // closes with three requests unanswered
            }
            while let frame = connection.readFrame() {
                connection.respond(PingResponse(data: [9]), to: frame.header.requestID)
            }
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        try await withThrowingTaskGroup(of: AttestClientError.Code?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        try await client.ping(data: [9])
                        return nil
                    } catch let error as AttestClientError {
                        return error.code
                    }
                }
            }
            for try await code in group { #expect(code == .connectionClosed) }
        }
        #expect(client.inFlightCount == 0)
        #expect(try await client.ping(data: [9]) == [9])
        #expect(accepted.load(ordering: .relaxed) == 2)
    }

    @Test func anUnreachableSocketIsAConnectFailure() async throws {
        let client = AttestClient(socketPath: "/nonexistent-attestd/attestd.sock", configuration: Self.quick)
        let error = await #expect(throws: AttestClientError.self) { try await client.ping() }
        #expect(error?.code == .connectFailed)
        #expect(error?.reason.contains("/nonexistent-attestd/attestd.sock") == true)
    }

    /// Hostile answers: each must fail the caller with a protocol violation (or a closed connection), never crash.
    enum Hostile: String, CaseIterable, Sendable {
        case lengthTooSmall, frameTooLarge, unknownVersion, reservedFlags, truncatedBody, trailingBytes,
            wrongOpcode, missingResponseFlag, wrongResultCount, corruptLZ4, unattributedError
    }

    @Test(arguments: Hostile.allCases)
    func hostileResponsesFailCleanly(kind: Hostile) async throws {
        let responder = try ScriptedResponder { connection in
            guard let frame = connection.readFrame() else { return }
            let id = frame.header.requestID
            var good = try! FrameEncoder.encode(
                CheckResponse(results: [AttestClientTests.checkResult("x")]),
                requestID: id
            )
            switch kind {
            case .lengthTooSmall: connection.write([0, 0, 0, 3, 1, 2, 3])
            case .frameTooLarge: good.replaceSubrange(0..<4, with: [0x7F, 0xFF, 0xFF, 0xFF]); connection.write(good)
            case .unknownVersion: good[4] = 9; connection.write(good)
            case .reservedFlags: good[6] = 0x80; connection.write(good)
            case .truncatedBody:
                good.removeLast(3)
                let length = UInt32(good.count - 4)
                good.replaceSubrange(0..<4, with: withUnsafeBytes(of: length.bigEndian, Array.init))
                connection.write(good)
            case .trailingBytes:
                good.append(0)
                let length = UInt32(good.count - 4)
                good.replaceSubrange(0..<4, with: withUnsafeBytes(of: length.bigEndian, Array.init))
                connection.write(good)
            case .wrongOpcode: connection.respond(PingResponse(data: []), to: id)
            case .missingResponseFlag: good[7] = 0; connection.write(good)
            case .wrongResultCount: connection.respond(CheckResponse(results: []), to: id)
            case .corruptLZ4:
                good[7] = 0x03
                connection.write(good)
            case .unattributedError:
                connection.respond(ErrorResponse(status: .badFrame, requestOpcode: .none, message: "broken"), to: 0)
            }
            _ = connection.readFrame()
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        let error = await #expect(throws: AttestClientError.self) {
            try await client.check(namespace: "ns", images: ["x"])
        }
        #expect(error?.code == .protocolViolation || error?.code == .connectionClosed)
        #expect(error?.reason.isEmpty == false)
        #expect(client.inFlightCount == 0)
    }

    @Test func sendBatchDeliversEveryFrameOnce() async throws {
        let responder = try ScriptedResponder { connection in
            while let frame = connection.readFrame() {
                connection.respond(
                    PingResponse(data: try! PingRequest(decoding: frame.body).data),
                    to: frame.header.requestID
                )
            }
        }
        defer { responder.stop() }
        let client = AttestClient(socketPath: responder.path, configuration: Self.quick)
        defer { client.close() }
        let bodies = (0..<32).map { PingRequest(data: [UInt8($0)]).encodedBody() }
        let answers = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<[Int], any Error>) in
            let received = Mutex<[Int]>([])
            Task {
                try await client.sendBatch(opcode: .ping, bodies: bodies) { index, result in
                    let data = (try? result.get()).flatMap { try? PingResponse(decoding: $0.body).data } ?? []
                    let done = received.withLock { list -> [Int]? in
                        list.append(data == [UInt8(index)] ? index : -1)
                        return list.count == bodies.count ? list : nil
                    }
                    if let done { continuation.resume(returning: done) }
                }
            }
        }
        #expect(answers.sorted() == Array(0..<32))
    }
}
