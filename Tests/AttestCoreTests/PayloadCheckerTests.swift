import Testing

@testable import AttestCore

struct PayloadCheckerTests {
    static let hexA = String(repeating: "a", count: 64)
    static let hexB = String(repeating: "b", count: 64)
    static let digestA = "sha256:" + hexA
    static let digestB = "sha256:" + hexB

    static func payload(
        reference: String = "docker.io/library/alpine",
        digest: String = digestA,
        type: String = "atomic container signature"
    ) -> [UInt8] {
        SimpleSigningPayload(dockerReference: reference, manifestDigest: digest, type: type).serialized()
    }

    func check(
        _ payload: [UInt8],
        image: String,
        checker: PayloadChecker = PayloadChecker()
    ) throws -> VerificationOutcome {
        checker.check(payload: payload, image: try ImageReference(parsing: image))
    }

    @Test(
        arguments: [
            ("docker.io/library/alpine", "alpine@\(digestA)"),
            ("docker.io/library/alpine", "index.docker.io/library/alpine@\(digestA)"),
            ("index.docker.io/library/alpine", "alpine@\(digestA)"),
            ("alpine", "docker.io/library/alpine:3.11@\(digestA)"),
            ("docker.io/alpine", "registry-1.docker.io/library/alpine@\(digestA)"),
            // skopeo and containers/image write repo:tag; the tag is ignored.
            ("docker.io/library/alpine:3.11", "alpine@\(digestA)"),
            ("alpine:other-tag", "alpine:3.11@\(digestA)"),
            // A digest in the docker-reference is fine when it is the image's.
            ("docker.io/library/alpine@\(digestA)", "alpine@\(digestA)"),
            ("localhost:5000/a/b", "localhost:5000/a/b@\(digestA)"),
            ("Registry.Example.com/team/app", "registry.example.com/team/app@\(digestA)"),
        ]
    )
    func acceptsMatchingPayloads(reference: String, image: String) throws {
        let outcome = try check(Self.payload(reference: reference), image: image)
        #expect(outcome.isValid, "\(outcome)")
        #expect(outcome.reason == .valid)
    }

    @Test(
        arguments: [
            SimpleSigningPayload.atomicType, SimpleSigningPayload.cosignType, SimpleSigningPayload.binauthzType,
        ]
    )
    func acceptsTheThreeKnownTypesByDefault(type: String) throws {
        #expect(try check(Self.payload(type: type), image: "alpine@\(Self.digestA)").isValid)
    }

    @Test func tagImageIsNotAttestable() throws {
        let outcome = try check(Self.payload(), image: "alpine:3.11")
        #expect(outcome.reason == .notAttestable)
        #expect(outcome.message.contains("image alpine:3.11 is referenced by tag"))
        #expect(!outcome.isValid)
    }

    @Test func digestMismatch() throws {
        let outcome = try check(Self.payload(digest: Self.digestB), image: "alpine@\(Self.digestA)")
        #expect(outcome.reason == .digestMismatch)
        #expect(outcome.message == "payload names digest \(Self.digestB) but the image is \(Self.digestA)")
        let odd = try check(Self.payload(digest: "sha256:\n"), image: "alpine@\(Self.digestA)")
        #expect(odd.message == "payload names digest \"sha256:\\n\" but the image is \(Self.digestA)")
    }

    @Test(
        arguments: [
            "SHA256:" + String(repeating: "a", count: 64),  // digests compare exactly: no case folding
            "sha256:" + String(repeating: "A", count: 64),
            "sha256:" + String(repeating: "a", count: 64) + " ",
            "",
        ]
    )
    func digestComparesExactly(written: String) throws {
        #expect(try check(Self.payload(digest: written), image: "alpine@\(Self.digestA)").reason == .digestMismatch)
    }

    @Test func digestInsideDockerReferenceMustMatch() throws {
        let outcome = try check(
            Self.payload(reference: "docker.io/library/alpine@\(Self.digestB)"),
            image: "alpine@\(Self.digestA)"
        )
        #expect(outcome.reason == .digestMismatch)
        #expect(outcome.message.contains("pins digest \(Self.digestB) but the image is \(Self.digestA)"))
    }

    @Test(
        arguments: [
            ("docker.io/library/nginx", "alpine@\(digestA)"),
            ("docker.io/someone/alpine", "alpine@\(digestA)"),
            ("ghcr.io/library/alpine", "alpine@\(digestA)"),
            ("registry.example.com/team/app", "registry.example.com:5000/team/app@\(digestA)"),
            ("registry.example.com/team/app", "registry.example.com/team/app2@\(digestA)"),
            ("registry.example.com/team", "registry.example.com/team/app@\(digestA)"),
            ("localhost/a/b", "localhost:5000/a/b@\(digestA)"),
        ]
    )
    func otherRepositoryWithSameDigestIsAnIdentityMismatch(reference: String, image: String) throws {
        let outcome = try check(Self.payload(reference: reference), image: image)
        #expect(outcome.reason == .identityMismatch, "\(outcome)")
        #expect(outcome.message.contains("payload names repository"))
    }

    @Test(arguments: ["", "Docker.io/Library/Alpine", "alpine@sha256:abc", "a b", "docker.io/library/alpine/"])
    func unparseableDockerReferenceIsMalformed(reference: String) throws {
        let outcome = try check(Self.payload(reference: reference), image: "alpine@\(Self.digestA)")
        #expect(outcome.reason == .malformedPayload, "\(outcome)")
        #expect(outcome.message.contains("critical.identity.docker-reference"))
    }

    @Test func wrongType() throws {
        let outcome = try check(Self.payload(type: "atomic container signature "), image: "alpine@\(Self.digestA)")
        #expect(outcome.reason == .wrongType)
        #expect(outcome.message.contains("payload type \"atomic container signature \" is not accepted"))

        let strict = PayloadChecker(acceptedTypes: [SimpleSigningPayload.cosignType])
        let atomic = try check(Self.payload(), image: "alpine@\(Self.digestA)", checker: strict)
        #expect(atomic.reason == .wrongType)
        #expect(
            try check(
                Self.payload(type: SimpleSigningPayload.cosignType),
                image: "alpine@\(Self.digestA)",
                checker: strict
            ).isValid
        )
    }

    @Test func malformedPayloads() throws {
        let image = "alpine@\(Self.digestA)"
        #expect(try check(Array("not json".utf8), image: image).reason == .malformedPayload)
        let duplicated = Array(
            #"{"critical":{"identity":{"docker-reference":"docker.io/library/alpine"},"image":{"docker-manifest-digest":"\#(Self.digestA)"},"type":"atomic container signature","type":"atomic container signature"}}"#
                .utf8
        )
        let outcome = try check(duplicated, image: image)
        #expect(outcome.reason == .malformedPayload)
        #expect(outcome.message.contains("duplicate key \"type\""))
        #expect(try check([], image: image).reason == .malformedPayload)
        #expect(try check([0xFF, 0xFE, 0x00], image: image).reason == .malformedPayload)
    }

    @Test func payloadTooLarge() throws {
        let small = PayloadChecker(maxPayloadSize: 64)
        let outcome = try check(Self.payload(), image: "alpine@\(Self.digestA)", checker: small)
        #expect(outcome.reason == .payloadTooLarge)
        #expect(outcome.message.contains("the limit is 64"))
    }

    @Test func checksParsedPayloadsToo() throws {
        let image = try ImageReference(parsing: "alpine@\(Self.digestA)")
        let payload = try SimpleSigningPayload(image: image)
        #expect(PayloadChecker().check(payload, image: image).isValid)
        #expect(PayloadChecker().check(payload, image: try ImageReference(parsing: "alpine")).reason == .notAttestable)
    }
}
