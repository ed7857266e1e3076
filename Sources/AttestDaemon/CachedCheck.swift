import AttestCore
import AttestEngine
import AttestPolicy

/// Converts between the engine's ``AttestorCheck`` and the compact ``VerdictCache/Verdict`` the cache holds.
///
/// The cache keeps one byte of reason; each definitive ``VerificationReason`` gets its own code so a cache
/// hit reports the same reason as the verification that filled it (only the free-text message is rebuilt).
enum CachedCheck {
    private static let codes: [(VerificationReason, UInt8)] = [
        (.noAttestations, 1), (.badSignature, 2), (.digestMismatch, 3), (.identityMismatch, 4), (.wrongType, 5),
        (.malformedPayload, 6), (.payloadTooLarge, 7), (.keyMismatch, 8), (.notAttestable, 9),
    ]

    /// The verdict to cache for a check, or `nil` when the check must not be cached (transient).
    ///
    /// - Parameters:
    ///   - check: the engine's result.
    ///   - attestor: the attestor it is about, to turn the verifying key id into an index.
    /// - Returns: the verdict, or `nil`.
    static func verdict(for check: AttestorCheck, attestor: Attestor) -> VerdictCache.Verdict? {
        guard !check.isTransient else { return nil }
        if check.satisfied {
            let index = check.keyID.flatMap { id in attestor.keys.firstIndex { $0.id == id } }
            return .satisfied(keyIndex: index.flatMap { $0 <= VerdictCache.Verdict.maximumKeyIndex ? $0 : nil })
        }
        guard let code = codes.first(where: { $0.0 == check.reason })?.1 else {
            // A reason this table does not know cannot be restored faithfully: do not cache it.
            return nil
        }
        return .notSatisfied(VerdictCache.ReasonCode(rawValue: code))
    }

    /// Rebuilds a check from a cached verdict.
    ///
    /// - Parameters:
    ///   - verdict: the cached verdict.
    ///   - attestor: the attestor it is about.
    ///   - image: the image, for the message.
    /// - Returns: the check as the verification reported it, with a message saying it came from the cache.
    static func check(from verdict: VerdictCache.Verdict, attestor: Attestor, image: ImageReference) -> AttestorCheck {
        if verdict.isSatisfied {
            let key = verdict.keyIndex.flatMap { $0 < attestor.keys.count ? attestor.keys[$0] : nil }
            let message =
                key.map { "signed by key \($0.id) of attestor \(attestor.name) (cached)" }
                ?? "signed by a key of attestor \(attestor.name) (cached)"
            return AttestorCheck(satisfied: true, reason: .valid, message: message, keyID: key?.id)
        }
        let reason = codes.first { $0.1 == verdict.reason.rawValue }?.0 ?? .badSignature
        let message: String
        switch reason {
        case .noAttestations:
            message = "no attestation is stored for \(image.identity)@\(image.digest?.description ?? "")"
        case .badSignature: message = "no attestation signed by a key of attestor \(attestor.name)"
        case .keyMismatch: message = "no key of attestor \(attestor.name) can verify the stored attestations"
        default: message = "the attestation signed by attestor \(attestor.name) was rejected: \(reason)"
        }
        return AttestorCheck(satisfied: false, reason: reason, message: message + " (cached)")
    }
}
