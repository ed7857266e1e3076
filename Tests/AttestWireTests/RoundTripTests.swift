import Testing

@testable import AttestWire

/// Random messages of every kind survive encode → frame → decode unchanged (bounded, seeded).
struct RoundTripTests {
    struct Random {
        var generator: SeededGenerator

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
        mutating func bool() -> Bool { Bool.random(using: &generator) }
        mutating func bytes(max: Int = 40) -> [UInt8] {
            (0..<int(0...max)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        mutating func string(max: Int = 20) -> String {
            let alphabet: [Character] = ["a", "Z", "0", "/", "@", ":", " ", "é", "证", "明", "🔏", "\u{0}"]
            return String((0..<int(0...max)).map { _ in alphabet[int(0...alphabet.count - 1)] })
        }
        mutating func strings() -> [String] { (0..<int(0...3)).map { _ in string() } }
        mutating func u64() -> UInt64 { UInt64.random(in: 0...UInt64.max, using: &generator) }
        mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &generator) }

        mutating func checkResult() -> CheckResult {
            CheckResult(
                decision: CheckDecision.allCases[int(0...2)],
                reason: string(),
                message: string(),
                missing: strings(),
                satisfied: strings()
            )
        }

        mutating func request() -> Request {
            switch int(0...7) {
            case 0:
                return .hello(
                    HelloRequest(
                        minVersion: UInt8(int(0...255)),
                        maxVersion: UInt8(int(0...255)),
                        maxFrameSize: u32(),
                        maxDecompressedSize: u32(),
                        features: WireFeatures(rawValue: u32()),
                        clientName: string(),
                        extensions: (0..<int(0...2)).map { _ in
                            HelloExtension(tag: UInt16(int(0...65535)), value: bytes())
                        }
                    )
                )
            case 1: return .ping(PingRequest(data: bytes()))
            case 2:
                return .verify(
                    VerifyRequest(
                        items: (0..<int(0...8)).map { _ in
                            VerifyItem(
                                algorithm: string(),
                                key: bool() ? .attestor(string()) : .inlineKey(bytes()),
                                image: string(),
                                payload: bytes(),
                                signature: bytes()
                            )
                        }
                    )
                )
            case 3:
                return .check(
                    CheckRequest(items: (0..<int(0...64)).map { _ in CheckItem(namespace: string(), image: string()) })
                )
            case 4:
                return .admit(
                    AdmitRequest(
                        namespace: string(),
                        kind: string(),
                        name: string(),
                        operation: string(),
                        dryRun: bool(),
                        annotations: (0..<int(0...3)).map { _ in Annotation(key: string(), value: string()) },
                        images: strings()
                    )
                )
            case 5:
                return .putAttestations(
                    PutAttestationsRequest(
                        items: (0..<int(0...5)).map { _ in
                            PutAttestationItem(
                                image: string(),
                                payload: bytes(),
                                signature: bytes(),
                                keyID: bool() ? string() : nil,
                                source: string()
                            )
                        }
                    )
                )
            case 6: return .stats(StatsRequest())
            default: return .reload(ReloadRequest(configPath: bool() ? string() : nil))
            }
        }

        mutating func response() -> Response {
            switch int(0...8) {
            case 0:
                return .hello(
                    HelloResponse(
                        version: UInt8(int(0...255)),
                        limits: WireLimits(
                            maxFrameSize: u32(),
                            maxDecompressedSize: u32(),
                            maxBatchItems: u32(),
                            maxInFlight: u32(),
                            maxStringLength: u32(),
                            maxBytesLength: u32()
                        ),
                        features: WireFeatures(rawValue: u32()),
                        serverName: string(),
                        serverVersion: string()
                    )
                )
            case 1: return .ping(PingResponse(data: bytes()))
            case 2:
                return .verify(
                    VerifyResponse(
                        results: (0..<int(0...8)).map { _ in
                            VerifyResult(status: VerifyStatus.allCases[int(0...2)], reason: string(), message: string())
                        }
                    )
                )
            case 3: return .check(CheckResponse(results: (0..<int(0...64)).map { _ in checkResult() }))
            case 4:
                return .admit(
                    AdmitResponse(
                        allowed: bool(),
                        statusCode: UInt16(int(0...65535)),
                        message: string(),
                        warnings: strings(),
                        results: (0..<int(0...4)).map { _ in checkResult() }
                    )
                )
            case 5:
                return .putAttestations(
                    PutAttestationsResponse(
                        stored: u32(),
                        results: (0..<int(0...5)).map { _ in
                            PutAttestationResult(status: PutStatus.allCases[int(0...2)], message: string())
                        }
                    )
                )
            case 6:
                return .stats(
                    StatsResponse(
                        counters: (0..<int(0...5)).map { _ in StatsCounter(name: string(), value: u64()) },
                        gauges: (0..<int(0...5)).map { _ in
                            StatsGauge(
                                name: string(),
                                value: bool()
                                    ? .integer(u64())
                                    : .double(Double(Int64.random(in: -1_000_000...1_000_000, using: &generator)) / 64)
                            )
                        }
                    )
                )
            case 7: return .reload(ReloadResponse(ok: bool(), message: string()))
            default:
                return .error(
                    ErrorResponse(
                        status: WireStatus(rawValue: UInt16(int(0...65535))),
                        requestOpcode: Opcode(rawValue: UInt8(int(0...255))),
                        message: string()
                    )
                )
            }
        }
    }

    @Test(arguments: 0..<8)
    func randomMessagesRoundTrip(_ seed: Int) throws {
        var random = Random(generator: SeededGenerator(seed: UInt64(seed) &* 0x1234_5678_9ABC))
        var stream: [UInt8] = []
        var requests: [Request] = []
        var responses: [Response] = []
        for index in 0..<50 {
            let compression: FrameEncoder.Compression = random.bool() ? .lz4(minimumBodySize: 1) : .none
            let request = random.request()
            requests.append(request)
            try FrameEncoder.append(request, requestID: UInt64(2 * index + 1), to: &stream, compression: compression)
            let response = random.response()
            responses.append(response)
            try FrameEncoder.append(response, requestID: UInt64(2 * index + 2), to: &stream, compression: compression)
        }
        let frames = try TestSupport.decodeAll(stream)
        #expect(frames.count == 100)
        for (index, frame) in frames.enumerated() {
            #expect(frame.header.requestID == UInt64(index + 1))
            if index.isMultiple(of: 2) {
                #expect(try Request(decoding: frame) == requests[index / 2])
            } else {
                #expect(try Response(decoding: frame) == responses[index / 2])
            }
        }
    }

    @Test(arguments: 0..<4)
    func truncatingAnyBodyIsAnErrorNotACrash(_ seed: Int) throws {
        var random = Random(generator: SeededGenerator(seed: UInt64(seed) + 99))
        for _ in 0..<20 {
            let request = random.request()
            let body = request.message.encodedBody()
            for cut in 0..<body.count {
                let frame = Frame(header: FrameHeader(opcode: request.opcode, requestID: 1), body: Array(body[..<cut]))
                #expect(throws: WireError.self) { try Request(decoding: frame) }
            }
        }
    }
}
