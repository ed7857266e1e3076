import AttestCore

/// Parsers for the human spellings `AttestdConfig` accepts: durations, byte sizes and octal modes.
///
/// Each returns `nil` for anything it cannot read exactly; the caller turns that into a located error.
enum SettingValueSyntax {
    /// The longest duration accepted anywhere (one year): larger values are typos, not intentions.
    static let maximumDurationSeconds: Int64 = 366 * 24 * 3600

    /// Parses `30s`, `10m`, `1h`, `1h30m`, `250ms`, `2d`, or plain seconds (`600`).
    ///
    /// - Parameter text: The duration text.
    /// - Returns: The duration, or `nil` when malformed, negative or longer than a year.
    static func duration(_ text: String) -> Duration? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        if bytes.allSatisfy(isDigit) {
            guard let seconds = Int64(text), seconds <= maximumDurationSeconds else { return nil }
            return .seconds(seconds)
        }
        var totalMilliseconds: Int64 = 0
        var index = 0
        var seenUnits: Set<String> = []
        while index < bytes.count {
            var number: Int64 = 0
            let start = index
            while index < bytes.count, isDigit(bytes[index]) {
                number = number * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                guard number <= maximumDurationSeconds * 1000 else { return nil }
                index += 1
            }
            guard index > start else { return nil }
            let unitStart = index
            while index < bytes.count, !isDigit(bytes[index]) { index += 1 }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard seenUnits.insert(unit).inserted else { return nil }
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return nil
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            totalMilliseconds += product
            guard totalMilliseconds <= maximumDurationSeconds * 1000 else { return nil }
        }
        return .milliseconds(totalMilliseconds)
    }

    /// Parses a byte size: plain bytes (`1024`) or a number with a unit: `B`, `KiB`, `MiB`, `GiB` (powers of
    /// 1024) or `kB`, `MB`, `GB` (powers of 1000).
    ///
    /// - Parameters:
    ///   - text: The size text.
    ///   - maximum: The largest value accepted.
    /// - Returns: The size in bytes, or `nil` when malformed or above `maximum`.
    static func size(_ text: String, maximum: Int) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 32 else { return nil }
        let digitCount = bytes.prefix(while: isDigit).count
        guard digitCount > 0, let number = Int(String(decoding: bytes[..<digitCount], as: UTF8.self)) else {
            return nil
        }
        let unit = String(decoding: bytes[digitCount...], as: UTF8.self).trimmingWhitespace()
        let scale: Int
        switch unit {
        case "", "B": scale = 1
        case "KiB": scale = 1 << 10
        case "MiB": scale = 1 << 20
        case "GiB": scale = 1 << 30
        case "kB", "KB": scale = 1000
        case "MB": scale = 1_000_000
        case "GB": scale = 1_000_000_000
        default: return nil
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow, value <= maximum else { return nil }
        return value
    }

    /// Parses a file mode, always read as octal: `"0660"`, `660`, `0o660`.
    ///
    /// - Parameter text: The mode text.
    /// - Returns: The mode bits, or `nil` for a non-octal digit or a value above `0o777`.
    static func octalMode(_ text: String) -> UInt16? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 4, let value = UInt16(digits, radix: 8), value <= 0o777 else {
            return nil
        }
        return value
    }

    /// Spells a duration the way the configuration accepts it (`10m`, `30s`, `1h30m`, `250ms`).
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "0s" }
        var text = ""
        for (unit, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where milliseconds >= scale {
            text += "\(milliseconds / scale)\(unit)"
            milliseconds %= scale
        }
        return text
    }

    /// Spells a byte size with the largest binary unit that divides it exactly.
    static func format(bytes: Int) -> String {
        for (unit, scale) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(unit)"
        }
        return "\(bytes)B"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
