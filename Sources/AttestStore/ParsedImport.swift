public import AttestCore

/// The content of one import file after parsing: the attestations to store and the records skipped.
public struct ParsedImport: Sendable, Hashable {
    /// The attestations of every accepted record, in file order.
    public var attestations: [StoredAttestation]
    /// The skipped records, in file order.
    public var rejections: [ImportRejection]
    /// The format the file was read as (never ``ImportFormat/automatic``).
    public var format: ImportFormat

    /// Creates a parse result.
    ///
    /// - Parameters:
    ///   - attestations: the accepted attestations.
    ///   - rejections: the skipped records.
    ///   - format: the format the file was read as.
    public init(attestations: [StoredAttestation], rejections: [ImportRejection], format: ImportFormat) {
        self.attestations = attestations
        self.rejections = rejections
        self.format = format
    }
}
