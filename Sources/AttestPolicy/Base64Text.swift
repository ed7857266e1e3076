/// A strict standard-alphabet base64 decoder that says where the text goes wrong.
///
/// ASCII whitespace (line breaks from wrapping) is skipped; `=` padding is optional but, when present,
/// must be the last non-whitespace characters; the URL-safe alphabet is refused, as kritis writes standard
/// base64.
enum Base64Text {
    /// Why a text is not base64.
    struct Failure: Error {
        /// The byte offset in the text.
        let offset: Int
        /// What is wrong there.
        let problem: String
    }

    /// Decodes base64 text.
    ///
    /// - Parameter text: The text.
    /// - Returns: The decoded bytes.
    /// - Throws: ``Failure`` with the offset of the first unusable character.
    static func decode(_ text: String) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var pending = 0
        var padding = 0
        var lastSymbolOffset = 0
        for (offset, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
            {
                continue
            }
            if byte == UInt8(ascii: "=") {
                padding += 1
                guard padding <= 2, pending + padding <= 4, pending >= 2 else {
                    throw Failure(offset: offset, problem: "misplaced '=' padding")
                }
                continue
            }
            guard padding == 0 else { throw Failure(offset: offset, problem: "data after '=' padding") }
            guard let value = sextet(byte) else {
                let shown =
                    byte >= 0x21 && byte < 0x7f
                    ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
                throw Failure(offset: offset, problem: "\(shown) is not a base64 character")
            }
            lastSymbolOffset = offset
            accumulator = accumulator << 6 | UInt32(value)
            pending += 1
            if pending == 4 {
                output += [UInt8(accumulator >> 16 & 0xff), UInt8(accumulator >> 8 & 0xff), UInt8(accumulator & 0xff)]
                accumulator = 0
                pending = 0
            }
        }
        if padding > 0, pending + padding != 4 {
            throw Failure(offset: lastSymbolOffset, problem: "wrong amount of '=' padding")
        }
        switch pending {
        case 0: break
        case 1: throw Failure(offset: lastSymbolOffset, problem: "truncated: a lone final base64 character")
        case 2:
            guard accumulator & 0xf == 0 else {
                throw Failure(offset: lastSymbolOffset, problem: "non-zero trailing bits")
            }
            output.append(UInt8(accumulator >> 4 & 0xff))
        default:
            guard accumulator & 0x3 == 0 else {
                throw Failure(offset: lastSymbolOffset, problem: "non-zero trailing bits")
            }
            output += [UInt8(accumulator >> 10 & 0xff), UInt8(accumulator >> 2 & 0xff)]
        }
        return output
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
