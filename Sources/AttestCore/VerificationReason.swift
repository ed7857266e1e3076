/// The machine-readable reason of a verification answer.
///
/// A `RawRepresentable` string rather than an enum, so a newer peer's reason decodes on an older one.
public struct VerificationReason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The wire and log spelling, for example `digest-mismatch`.
    public let rawValue: String

    /// Wraps a raw value; unknown values are kept as they are.
    ///
    /// - Parameter rawValue: the reason's spelling.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The signature verified and the payload names this image.
    public static let valid = VerificationReason(rawValue: "valid")
    /// The signature does not verify with the key.
    public static let badSignature = VerificationReason(rawValue: "bad-signature")
    /// The payload names another manifest digest.
    public static let digestMismatch = VerificationReason(rawValue: "digest-mismatch")
    /// The payload names another repository.
    public static let identityMismatch = VerificationReason(rawValue: "identity-mismatch")
    /// The payload's `critical.type` is not one the attestor accepts.
    public static let wrongType = VerificationReason(rawValue: "wrong-type")
    /// The payload is not a strict simple-signing document.
    public static let malformedPayload = VerificationReason(rawValue: "malformed-payload")
    /// The payload exceeds the size limit.
    public static let payloadTooLarge = VerificationReason(rawValue: "payload-too-large")
    /// The image is referenced by tag; only digest references can be attested.
    public static let notAttestable = VerificationReason(rawValue: "not-attestable")
    /// The key does not fit the algorithm (or the signature was made for another key or algorithm).
    public static let keyMismatch = VerificationReason(rawValue: "key-mismatch")
    /// No attestation exists for the image.
    public static let noAttestations = VerificationReason(rawValue: "no-attestations")
    /// The attestations could not be read (a transient failure, never a "no").
    public static let sourceUnavailable = VerificationReason(rawValue: "source-unavailable")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
