/// How many of a policy's attestors must be satisfied for an image to pass.
public enum PolicyMode: Sendable, Hashable, CustomStringConvertible {
    /// Every listed attestor (kritis HEAD, Binary Authorization). The default.
    case all
    /// At least one listed attestor (kritis v0.2.2, Alibaba's hook).
    case any
    /// At least `N` distinct listed attestors, `1 ≤ N ≤` the number of attestors.
    case threshold(Int)

    /// `all`, `any` or `threshold(N)`.
    public var description: String {
        switch self {
        case .all: "all"
        case .any: "any"
        case .threshold(let count): "threshold(\(count))"
        }
    }
}
