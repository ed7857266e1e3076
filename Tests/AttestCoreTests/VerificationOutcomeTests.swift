import Foundation
import Testing

@testable import AttestCore

struct VerificationOutcomeTests {
    @Test func reasonsHaveStableDistinctSpellings() {
        let all: [VerificationReason] = [
            .valid, .badSignature, .digestMismatch, .identityMismatch, .wrongType, .malformedPayload,
            .payloadTooLarge, .notAttestable, .keyMismatch, .noAttestations, .sourceUnavailable,
        ]
        #expect(Set(all.map(\.rawValue)).count == all.count)
        #expect(VerificationReason.digestMismatch.rawValue == "digest-mismatch")
        #expect(VerificationReason(rawValue: "from-the-future").rawValue == "from-the-future")
    }

    @Test func reasonsAndOutcomesCodeAsPlainStrings() throws {
        let outcome = VerificationOutcome.invalid(.wrongType, "payload type \"x\" is not accepted")
        let data = try JSONEncoder().encode(outcome)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""reason":"wrong-type""#))
        #expect(try JSONDecoder().decode(VerificationOutcome.self, from: data) == outcome)
    }

    @Test func helpers() throws {
        let image = try ImageReference(parsing: "alpine:3.11")
        #expect(VerificationOutcome.valid("ok").isValid)
        #expect(!VerificationOutcome.badSignature().isValid)
        #expect(VerificationOutcome.badSignature("key k1").message == "signature does not verify: key k1")
        #expect(VerificationOutcome.noAttestations(image).message == "image alpine:3.11 is not attested")
        #expect(VerificationOutcome.notAttestable(image).reason == .notAttestable)
        #expect(VerificationOutcome.sourceUnavailable("disk").reason == .sourceUnavailable)
        #expect(VerificationOutcome.invalid(.keyMismatch, "m").description == "key-mismatch: m")
    }
}
