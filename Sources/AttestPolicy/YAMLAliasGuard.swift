/// Counts the YAML alias tokens (`*name`) a text may contain, before Yams composes it.
///
/// Yams shares aliased nodes, so an alias bomb costs no memory while composing, but hashing a mapping key
/// walks it expanded (Yams checks keys for duplicates), so a few dozen aliases used as keys can take
/// exponential time. Kubernetes never writes anchors or aliases, and attestd configurations need none, so
/// the loader refuses more than a handful. The scan over-counts (it also sees `*word` inside quoted text and
/// comments), never under-counts, and costs one pass over the bytes.
enum YAMLAliasGuard {
    /// The first alias-like tokens found: their count (capped at `limit + 1`) and the line of the first
    /// token beyond the limit.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - limit: How many aliases are tolerated.
    /// - Returns: `nil` when at most `limit` alias tokens occur, else the line of the first one over.
    static func lineExceedingLimit(in text: String, limit: Int) -> Int? {
        var count = 0
        var line = 1
        var previous: UInt8 = UInt8(ascii: "\n")
        var pendingStar = false
        for byte in text.utf8 {
            if pendingStar {
                pendingStar = false
                if isAnchorCharacter(byte) {
                    count += 1
                    if count > limit { return line }
                }
            }
            if byte == UInt8(ascii: "*"), startsNode(after: previous) {
                pendingStar = true
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            previous = byte
        }
        return nil
    }

    /// An alias can only start where a node can: after whitespace, a line break or a flow indicator.
    private static func startsNode(after byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "["),
            UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"):
            true
        default:
            false
        }
    }

    /// YAML anchor names are any non-space characters except the flow indicators.
    private static func isAnchorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            false
        default:
            true
        }
    }
}
