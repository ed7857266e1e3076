import AttestCore
import Foundation
import Testing

@testable import AttestWire

/// Every file in `protocol/vectors/` decodes to the documented message and re-encodes byte for byte.
struct GoldenVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var requestID: UInt64
        var message: Message
        var compression: FrameEncoder.Compression = .none

        enum Message: Sendable {
            case request(Request)
            case response(Response)
        }

        var testDescription: String { name }
    }

    static let image = "registry.example.com/team/app@sha256:" + String(repeating: "ab", count: 32)
    static let checkResults = [
        CheckResult(decision: .admitted, reason: "attested", satisfied: ["qa-attestor"]),
        CheckResult(
            decision: .denied,
            reason: "tag-reference",
            message: "image alpine:3.11 is not attested",
            missing: ["qa-attestor"]
        ),
    ]

    static let vectors: [Vector] = [
        Vector(
            name: "hello-request",
            requestID: 1,
            message: .request(.hello(HelloRequest(features: .lz4, clientName: "attestctl/1.0")))
        ),
        Vector(
            name: "hello-response",
            requestID: 1,
            message: .response(
                .hello(
                    HelloResponse(
                        serverName: "attestd",
                        serverVersion: "0.1.0",
                        extensions: [HelloExtension(tag: 0x7F01, value: [0x2A])]
                    )
                )
            )
        ),
        Vector(name: "ping-request", requestID: 2, message: .request(.ping(PingRequest(data: Array("ping".utf8))))),
        Vector(name: "ping-response", requestID: 2, message: .response(.ping(PingResponse(data: Array("ping".utf8))))),
        Vector(
            name: "verify-request",
            requestID: 3,
            message: .request(
                .verify(
                    VerifyRequest(items: [
                        VerifyItem(
                            algorithm: .rsaPSSSHA256,
                            key: .attestor("qa-attestor"),
                            image: image,
                            payload: Array(#"{"critical":{}}"#.utf8),
                            signature: Array(1...8)
                        ),
                        VerifyItem(
                            algorithm: .ed25519,
                            key: .inlineKey(
                                [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
                                    + [UInt8](repeating: 0, count: 32)
                            ),
                            payload: Array("hello".utf8),
                            signature: [UInt8](repeating: 0xEE, count: 64)
                        ),
                    ])
                )
            )
        ),
        Vector(
            name: "verify-response",
            requestID: 3,
            message: .response(
                .verify(
                    VerifyResponse(results: [
                        VerifyResult(status: .valid, reason: "valid"),
                        VerifyResult(status: .invalid, reason: "bad-signature", message: "signature does not verify"),
                    ])
                )
            )
        ),
        Vector(
            name: "check-request",
            requestID: 4,
            message: .request(
                .check(
                    CheckRequest(items: [
                        CheckItem(namespace: "prod", image: image),
                        CheckItem(namespace: "prod", image: "alpine:3.11"),
                    ])
                )
            )
        ),
        Vector(name: "check-response", requestID: 4, message: .response(.check(CheckResponse(results: checkResults)))),
        Vector(
            name: "admit-request",
            requestID: 5,
            message: .request(
                .admit(
                    AdmitRequest(
                        namespace: "prod",
                        kind: "Pod",
                        name: "web-0",
                        operation: "CREATE",
                        dryRun: false,
                        annotations: [Annotation(key: "kritis.grafeas.io/breakglass", value: "false")],
                        images: [image, "alpine:3.11"]
                    )
                )
            )
        ),
        Vector(
            name: "admit-response",
            requestID: 5,
            message: .response(
                .admit(
                    AdmitResponse(
                        allowed: false,
                        statusCode: 403,
                        message: "image alpine:3.11 is not attested",
                        results: checkResults
                    )
                )
            )
        ),
        Vector(
            name: "put-attestations-request",
            requestID: 6,
            message: .request(
                .putAttestations(
                    PutAttestationsRequest(items: [
                        PutAttestationItem(
                            image: image,
                            payload: Array(#"{"critical":{}}"#.utf8),
                            signature: Array(1...8),
                            keyID: "kms-key-1",
                            source: "sign"
                        ),
                        PutAttestationItem(
                            image: "registry.example.com/team/app@sha256:" + String(repeating: "cd", count: 32),
                            payload: Array("{}".utf8),
                            signature: [9],
                            source: "import:sigs.jsonl:7"
                        ),
                    ])
                )
            )
        ),
        Vector(
            name: "put-attestations-response",
            requestID: 6,
            message: .response(
                .putAttestations(
                    PutAttestationsResponse(
                        stored: 1,
                        results: [
                            PutAttestationResult(status: .stored),
                            PutAttestationResult(status: .duplicate, message: "already stored"),
                        ]
                    )
                )
            )
        ),
        Vector(name: "stats-request", requestID: 7, message: .request(.stats(StatsRequest()))),
        Vector(
            name: "stats-response",
            requestID: 7,
            message: .response(
                .stats(
                    StatsResponse(
                        counters: [
                            StatsCounter(name: "cache.hits", value: 1000),
                            StatsCounter(name: "cache.misses", value: 24),
                        ],
                        gauges: [
                            StatsGauge(name: "cache.entries", value: .integer(24)),
                            StatsGauge(name: "cache.hit_ratio", value: .double(0.9765625)),
                        ]
                    )
                )
            )
        ),
        Vector(
            name: "reload-request",
            requestID: 8,
            message: .request(.reload(ReloadRequest(configPath: "/etc/attestd/attestd.yaml")))
        ),
        Vector(
            name: "reload-response",
            requestID: 8,
            message: .response(
                .reload(ReloadResponse(ok: true, message: "configuration reloaded: 2 attestors, 1 policy"))
            )
        ),
        Vector(
            name: "error-response",
            requestID: 9,
            message: .response(
                .error(
                    ErrorResponse(
                        status: .unknownOpcode,
                        requestOpcode: Opcode(rawValue: 0x42),
                        message: "opcode 0x42 is not a request this server knows"
                    )
                )
            )
        ),
        Vector(
            name: "error-unattributed",
            requestID: 0,
            message: .response(
                .error(
                    ErrorResponse(
                        status: .badFrame,
                        requestOpcode: .none,
                        message: "frame at stream offset 0 has length 3, less than the 12 header bytes it must count"
                    )
                )
            )
        ),
        Vector(
            name: "ping-response-lz4",
            requestID: 10,
            message: .response(.ping(PingResponse(data: Array(String(repeating: "attestd ", count: 8).utf8)))),
            compression: .lz4(minimumBodySize: 64)
        ),
    ]

    @Test(arguments: vectors)
    func decodesToTheDocumentedMessage(_ vector: Vector) throws {
        let bytes = try TestSupport.loadVector(vector.name)
        let frames = try TestSupport.decodeAll(bytes)
        let frame = try #require(frames.count == 1 ? frames[0] : nil)
        #expect(frame.header.requestID == vector.requestID)
        #expect(frame.header.version == 1)
        switch vector.message {
        case .request(let expected):
            #expect(!frame.header.isResponse)
            #expect(try Request(decoding: frame) == expected)
        case .response(let expected):
            #expect(frame.header.isResponse)
            #expect(try Response(decoding: frame) == expected)
        }
        if case .lz4 = vector.compression {
            #expect(frame.header.flags.contains(.compressed))
        } else {
            #expect(!frame.header.flags.contains(.compressed))
        }
    }

    @Test(arguments: vectors)
    func reencodesByteForByte(_ vector: Vector) throws {
        let bytes = try TestSupport.loadVector(vector.name)
        var encoded: [UInt8] = []
        switch vector.message {
        case .request(let request):
            try FrameEncoder.append(request, requestID: vector.requestID, to: &encoded, compression: vector.compression)
        case .response(let response):
            try FrameEncoder.append(
                response,
                requestID: vector.requestID,
                to: &encoded,
                compression: vector.compression
            )
        }
        #expect(encoded == bytes)
    }

    @Test func everyVectorFileIsListed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestSupport.vectorsDirectory.path)
            .filter { $0.hasSuffix(".hex") }
            .map { String($0.dropLast(4)) }
        #expect(Set(names) == Set(Self.vectors.map(\.name)))
    }

    @Test func everyOpcodeHasARequestAndAResponseVector() {
        let requests = Set(
            Self.vectors.compactMap { vector -> Opcode? in
                if case .request(let request) = vector.message { return request.opcode }
                return nil
            }
        )
        let responses = Set(
            Self.vectors.compactMap { vector -> Opcode? in
                if case .response(let response) = vector.message { return response.opcode }
                return nil
            }
        )
        let all: Set<Opcode> = [.hello, .ping, .verify, .check, .admit, .putAttestations, .stats, .reload]
        #expect(requests == all)
        #expect(responses == all.union([.error]))
    }
}
