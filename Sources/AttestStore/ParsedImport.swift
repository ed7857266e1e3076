public import AttestCore

/// The content of one import file after parsing: the attestations to store and the records skipped.
public struct ParsedImport: Sendable, Hashable {
    /// The attestations of every accepted record, in file order.
    public var attestations: [StoredAttestation]
    /// The number of skipped records.
    public var rejected: Int
    /// The skipped records, in file order: the first ``AttestationImporter/maximumReportedRejections`` of them.
    public var rejections: [ImportRejection]
    /// The format the file was read as (never ``ImportFormat/automatic``).
    public var format: ImportFormat

    /// Creates a parse result.
    ///
    /// - Parameters:
    ///   - attestations: the accepted attestations.
    ///   - rejected: the number of skipped records; at least `rejections.count`.
    ///   - rejections: the reported skipped records.
    ///   - format: the format the file was read as.
    public init(
        attestations: [StoredAttestation],
        rejected: Int? = nil,
        rejections: [ImportRejection],
        format: ImportFormat
    ) {
        self.attestations = attestations
        self.rejected = max(rejected ?? 0, rejections.count)
        self.rejections = rejections
        self.format = format
    }
}
