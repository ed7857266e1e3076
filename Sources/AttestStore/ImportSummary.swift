/// What importing one or more files did.
///
/// ``imported`` and ``duplicates`` count attestations (a Grafeas occurrence with two signatures is two);
/// ``rejected`` counts records that were skipped; ``rejections`` explains them (the first
/// ``AttestationImporter/maximumReportedRejections`` of each file, so a file of garbage cannot exhaust memory).
public struct ImportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Attestations newly stored.
    public var imported: Int
    /// Attestations that were already in the store.
    public var duplicates: Int
    /// The number of skipped records.
    public var rejected: Int
    /// The skipped records, in file order (possibly fewer than ``rejected``).
    public var rejections: [ImportRejection]

    /// Creates a summary.
    ///
    /// - Parameters:
    ///   - imported: attestations newly stored.
    ///   - duplicates: attestations already present.
    ///   - rejected: the number of skipped records; at least `rejections.count`.
    ///   - rejections: the reported skipped records.
    public init(imported: Int = 0, duplicates: Int = 0, rejected: Int? = nil, rejections: [ImportRejection] = []) {
        self.imported = imported
        self.duplicates = duplicates
        self.rejected = max(rejected ?? 0, rejections.count)
        self.rejections = rejections
    }

    /// Adds another file's summary to this one.
    ///
    /// - Parameter other: the summary to add.
    public mutating func add(_ other: ImportSummary) {
        imported += other.imported
        duplicates += other.duplicates
        rejected += other.rejected
        rejections += other.rejections
    }

    /// `N imported, M already present, K rejected`.
    public var description: String {
        "\(imported) imported, \(duplicates) already present, \(rejected) rejected"
    }
}
