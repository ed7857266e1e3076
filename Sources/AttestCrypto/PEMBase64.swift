import AttestCore

/// The strict base64 decoding of PEM block bodies (RFC 7468: standard alphabet, padding mandatory).
///
/// It rejects every character outside the alphabet and padding anywhere but the end, with the offset the
/// PEM parser reports per body character. Encoding is ``AttestCore/Base64``'s.
enum PEMBase64 {
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        let standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
        for (index, char) in standard.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Encodes bytes through ``AttestCore/Base64``, with the alphabet and padding asked for.
    ///
    /// - Parameters:
    ///   - bytes: The bytes.
    ///   - urlSafe: Use the URL alphabet (`-_`) instead of `+/`.
    ///   - padding: Append `=` padding.
    /// - Returns: The base64 text.
    static func encode(_ bytes: [UInt8], urlSafe: Bool = false, padding: Bool = true) -> String {
        Base64.encode(bytes, urlSafe: urlSafe, padding: padding)
    }

    /// Decodes standard-alphabet base64 with mandatory padding to a multiple of four characters.
    ///
    /// - Parameter text: The characters, without whitespace.
    /// - Returns: The bytes, or the offset of the first character that is wrong.
    static func decode(_ text: [UInt8]) -> Result<[UInt8], DecodeFailure> {
        guard text.count % 4 == 0 else {
            return .failure(DecodeFailure(offset: text.count, problem: "length \(text.count) is not a multiple of 4"))
        }
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3)
        var index = 0
        while index < text.count {
            var quad: UInt32 = 0
            var padded = 0
            for position in 0..<4 {
                let char = text[index + position]
                if char == UInt8(ascii: "="), index + 4 == text.count, position >= 2 {
                    padded += 1
                    quad <<= 6
                    continue
                }
                let value = decodeTable[Int(char)]
                guard value != 0xff, padded == 0 else {
                    return .failure(DecodeFailure(offset: index + position, problem: "unexpected character"))
                }
                quad = quad << 6 | UInt32(value)
            }
            out.append(UInt8(quad >> 16 & 0xff))
            if padded < 2 { out.append(UInt8(quad >> 8 & 0xff)) }
            if padded < 1 { out.append(UInt8(quad & 0xff)) }
            index += 4
        }
        return .success(out)
    }

    /// Where and why base64 text failed to decode.
    struct DecodeFailure: Error {
        /// The offset of the offending character in the text given to ``PEMBase64/decode(_:)``.
        let offset: Int
        /// What was wrong there.
        let problem: String
    }
}
