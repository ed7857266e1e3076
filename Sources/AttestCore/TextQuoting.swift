/// Renders untrusted text for error messages: quoted, control characters escaped, and cut to a bounded length
/// so that a hostile 4 KiB reference or a binary payload field cannot flood a log line.
enum TextQuoting {
    /// The longest excerpt of untrusted text an error message repeats.
    static let maximumExcerpt = 96

    /// Returns `text` in double quotes with `"`, `\` and control characters escaped, shortened with `…`.
    static func quoted(_ text: some StringProtocol, limit: Int = maximumExcerpt) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Describes one byte as it appears in a message: `'a'` for printable ASCII, `0x0A` otherwise.
    static func describe(byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'" + String(UnicodeScalar(byte)) + "'"
        }
        if byte == 0x20 { return "space" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
