/// What importing one or more files did.
///
/// ``imported`` and ``duplicates`` count attestations (a Grafeas occurrence with two signatures is two);
/// ``rejected`` counts records that were skipped, each explained in ``rejections``.
public struct ImportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Attestations newly stored.
    public var imported: Int
    /// Attestations that were already in the store.
    public var duplicates: Int
    /// Every skipped record, in file order.
    public var rejections: [ImportRejection]

    /// The number of skipped records.
    public var rejected: Int { rejections.count }

    /// Creates a summary.
    ///
    /// - Parameters:
    ///   - imported: attestations newly stored.
    ///   - duplicates: attestations already present.
    ///   - rejections: the skipped records.
    public init(imported: Int = 0, duplicates: Int = 0, rejections: [ImportRejection] = []) {
        self.imported = imported
        self.duplicates = duplicates
        self.rejections = rejections
    }

    /// Adds another file's summary to this one.
    ///
    /// - Parameter other: the summary to add.
    public mutating func add(_ other: ImportSummary) {
        imported += other.imported
        duplicates += other.duplicates
        rejections += other.rejections
    }

    /// `N imported, M already present, K rejected`.
    public var description: String {
        "\(imported) imported, \(duplicates) already present, \(rejected) rejected"
    }
}
