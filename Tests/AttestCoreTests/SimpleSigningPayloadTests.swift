import Testing

@testable import AttestCore

struct SimpleSigningPayloadTests {
    static let digest = "sha256:" + String(repeating: "1f", count: 32)

    static func document(
        reference: String = "docker.io/library/alpine",
        digest: String = SimpleSigningPayloadTests.digest,
        type: String = "atomic container signature",
        tail: String = #","optional":{"creator":"test"}"#
    ) -> [UInt8] {
        Array(
            (#"{"critical":{"identity":{"docker-reference":"\#(reference)"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"\#(type)"}"#
                + tail + "}").utf8
        )
    }

    @Test func parsesTheFields() throws {
        let payload = try SimpleSigningPayload.parse(Self.document())
        #expect(payload.dockerReference == "docker.io/library/alpine")
        #expect(payload.manifestDigest == Self.digest)
        #expect(payload.type == SimpleSigningPayload.atomicType)
        #expect(payload.optional == ["creator": "test"])
    }

    @Test(arguments: ["", #","optional":null"#, #","optional":{}"#])
    func optionalMayBeAbsentNullOrEmpty(tail: String) throws {
        let payload = try SimpleSigningPayload.parse(Self.document(tail: tail))
        #expect(payload.optional == (tail.contains("{}") ? .object([:]) : nil))
    }

    @Test func buildsAndSerialisesTheKritisShape() throws {
        let image = try ImageReference(parsing: "alpine:3.11@\(Self.digest)")
        let payload = try SimpleSigningPayload(image: image)
        let text = String(decoding: payload.serialized(), as: UTF8.self)
        #expect(
            text
                == #"{"critical":{"identity":{"docker-reference":"docker.io/library/alpine"},"image":{"docker-manifest-digest":"\#(Self.digest)"},"type":"atomic container signature"},"optional":{}}"#
        )
        let withOptional = try SimpleSigningPayload(
            image: image,
            type: SimpleSigningPayload.cosignType,
            optional: ["creator": "attestd", "n": 1]
        )
        let reparsed = try SimpleSigningPayload.parse(withOptional.serialized())
        #expect(reparsed == withOptional)
    }

    @Test func refusesToBuildForATagReference() throws {
        let image = try ImageReference(parsing: "alpine:3.11")
        #expect {
            try SimpleSigningPayload(image: image)
        } throws: { ($0 as? PayloadError)?.code == .imageWithoutDigest }
    }

    @Test func knownTypes() {
        #expect(
            SimpleSigningPayload.defaultAcceptedTypes == [
                "atomic container signature", "cosign container image signature",
                "Google cloud binauthz container signature",
            ]
        )
    }

    @Test(
        arguments: [
            (#"[]"#, PayloadError.Code.wrongFieldType, "payload is a JSON array; expected an object"),
            (#"{}"#, .missingField, "payload has no critical"),
            (#"{"critical":"x"}"#, .wrongFieldType, "critical is a JSON string"),
            (#"{"critical":{}}"#, .missingField, "no critical.identity"),
            (
                #"{"critical":{"identity":{},"image":{"docker-manifest-digest":"d"},"type":"t"}}"#, .missingField,
                "no critical.identity.docker-reference"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":1},"image":{"docker-manifest-digest":"d"},"type":"t"}}"#,
                .wrongFieldType, "critical.identity.docker-reference is a JSON number; expected a string"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":[],"type":"t"}}"#, .wrongFieldType,
                "critical.image is a JSON array"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":null},"type":"t"}}"#,
                .wrongFieldType, "critical.image.docker-manifest-digest is a JSON null"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"}}}"#,
                .missingField, "no critical.type"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":true}}"#,
                .wrongFieldType, "critical.type is a JSON boolean"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":"t","extra":1}}"#,
                .unknownField, "unknown member \"extra\" in critical"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r","x":1},"image":{"docker-manifest-digest":"d"},"type":"t"}}"#,
                .unknownField, "unknown member \"x\" in critical.identity"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":"t"},"other":1}"#,
                .unknownField, "unknown member \"other\" at the top level"
            ),
            (
                #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":"t"},"optional":[]}"#,
                .wrongFieldType, "optional is a JSON array; expected an object or null"
            ),
            (
                #"{"critical":{"type":"a","type":"b"}}"#, .invalidJSON,
                "payload is not valid JSON: duplicate key \"type\" at offset 24"
            ),
            (#"{"critical":{}} "#.replacingOccurrences(" ", "x"), .invalidJSON, "after the top-level value"),
            ("", .invalidJSON, "empty document"),
        ]
    )
    func refusesMalformedPayloads(json: String, code: PayloadError.Code, fragment: String) {
        #expect {
            try SimpleSigningPayload.parse(Array(json.utf8))
        } throws: { error in
            guard let error = error as? PayloadError else { return false }
            let matches = error.code == code && error.reason.contains(fragment)
            if !matches { Issue.record("got [\(error.code)] \(error.reason)") }
            return matches
        }
    }

    @Test func namesTheJSONPathOfTheFault() {
        let json =
            #"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":7},"type":"t"}}"#
        #expect {
            try SimpleSigningPayload.parse(Array(json.utf8))
        } throws: { ($0 as? PayloadError)?.path == "critical.image.docker-manifest-digest" }
    }

    @Test func refusesOversizedPayloads() {
        let big = Self.document(tail: #","optional":{"pad":""# + String(repeating: "x", count: 300_000) + #""}"#)
        #expect {
            try SimpleSigningPayload.parse(big)
        } throws: { ($0 as? PayloadError)?.code == .tooLarge }
        #expect(throws: Never.self) { try SimpleSigningPayload.parse(big, maxSize: 400_000) }
        #expect {
            try SimpleSigningPayload.parse(Self.document(), maxSize: 100)
        } throws: { ($0 as? PayloadError)?.reason.contains("the limit is 100") == true }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
