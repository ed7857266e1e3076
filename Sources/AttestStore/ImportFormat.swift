/// The layout of an attestation import file.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Decide from the content: Grafeas JSON (an occurrence, an array of them, or a ListOccurrences response)
    /// or JSON Lines (one `{"image", "payload", "signature", "keyId"}` object per line).
    case automatic = "auto"
    /// Grafeas ATTESTATION occurrences as JSON (v1beta1 `genericSignedAttestation` or v1 `AttestationOccurrence`).
    case grafeas
    /// JSON Lines of `{"image": "REPO@sha256:HEX", "payload": BASE64, "signature": BASE64, "keyId": ID}`.
    case jsonLines = "jsonl"

    /// The name used on the command line: `auto`, `grafeas` or `jsonl`.
    public var description: String { rawValue }
}
