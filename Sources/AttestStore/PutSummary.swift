/// What one ``AttestationStore/put(_:)`` call did.
public struct PutSummary: Sendable, Hashable, CustomStringConvertible {
    /// Attestations that were not in the store before and are now.
    public var inserted: Int
    /// Attestations already present (same repository, digest and signature bytes), left as they were.
    public var duplicates: Int

    /// Creates a summary.
    ///
    /// - Parameters:
    ///   - inserted: attestations newly stored.
    ///   - duplicates: attestations that were already present.
    public init(inserted: Int = 0, duplicates: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
    }

    /// `N inserted, M already present`.
    public var description: String { "\(inserted) inserted, \(duplicates) already present" }
}
