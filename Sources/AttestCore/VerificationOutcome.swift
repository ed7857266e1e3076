/// The answer to "does this attestation prove this image?": a machine-readable reason and a human sentence.
///
/// An invalid attestation is an ordinary outcome, not an error.
public struct VerificationOutcome: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Why the attestation was or was not accepted.
    public var reason: VerificationReason
    /// A sentence for people, for example `payload names digest sha256:aaa… but the image is sha256:bbb…`.
    public var message: String

    /// Whether the attestation proves the image.
    public var isValid: Bool { reason == .valid }

    /// Creates an outcome.
    ///
    /// - Parameters:
    ///   - reason: the machine-readable reason.
    ///   - message: the human sentence.
    public init(reason: VerificationReason, message: String) {
        self.reason = reason
        self.message = message
    }

    /// `reason: message`.
    public var description: String { "\(reason.rawValue): \(message)" }

    /// An accepted attestation.
    ///
    /// - Parameter message: what was proven.
    /// - Returns: an outcome with reason ``VerificationReason/valid``.
    public static func valid(_ message: String) -> VerificationOutcome {
        VerificationOutcome(reason: .valid, message: message)
    }

    /// A refused attestation.
    ///
    /// - Parameters:
    ///   - reason: why; anything but ``VerificationReason/valid``.
    ///   - message: the human sentence.
    /// - Returns: the outcome.
    public static func invalid(_ reason: VerificationReason, _ message: String) -> VerificationOutcome {
        VerificationOutcome(reason: reason, message: message)
    }

    /// The signature does not verify with the key.
    ///
    /// - Parameter detail: an optional detail (key id, algorithm).
    /// - Returns: an outcome with reason ``VerificationReason/badSignature``.
    public static func badSignature(_ detail: String? = nil) -> VerificationOutcome {
        invalid(.badSignature, "signature does not verify" + (detail.map { ": " + $0 } ?? ""))
    }

    /// The image is referenced by tag.
    ///
    /// - Parameter image: the reference as the user wrote it.
    /// - Returns: an outcome with reason ``VerificationReason/notAttestable``.
    public static func notAttestable(_ image: ImageReference) -> VerificationOutcome {
        invalid(
            .notAttestable,
            "image \(image.original) is referenced by tag; only a digest reference (REPO@sha256:…) can be attested"
        )
    }

    /// No attestation was found.
    ///
    /// - Parameter image: the reference as the user wrote it.
    /// - Returns: an outcome with reason ``VerificationReason/noAttestations``.
    public static func noAttestations(_ image: ImageReference) -> VerificationOutcome {
        invalid(.noAttestations, "image \(image.original) is not attested")
    }

    /// The attestation source failed.
    ///
    /// - Parameter detail: what failed.
    /// - Returns: an outcome with reason ``VerificationReason/sourceUnavailable``.
    public static func sourceUnavailable(_ detail: String) -> VerificationOutcome {
        invalid(.sourceUnavailable, "attestations could not be read: " + detail)
    }
}
