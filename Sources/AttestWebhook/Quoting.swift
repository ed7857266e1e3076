/// Renders untrusted text for a message: in double quotes, control characters escaped, cut after 96 scalars,
/// so that a hostile field cannot flood a log line or an HTTP body.
/// - Parameter text: The untrusted text.
/// - Returns: The quoted excerpt.
func quoted(_ text: some StringProtocol) -> String {
    var out = "\""
    for (count, scalar) in text.unicodeScalars.enumerated() {
        if count == 96 {
            out += "…"
            break
        }
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
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
