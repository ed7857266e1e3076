import AttestCore

/// One PEM block (RFC 7468): a label and the DER bytes it carries.
///
/// The parser is strict on purpose: exactly one block, nothing but whitespace before or after it, matching
/// BEGIN/END labels, no encapsulated headers, base64 in the standard alphabet only. Each refusal names the
/// line.
struct PEMBlock {
    /// The label between `-----BEGIN ` and `-----`, for example `PUBLIC KEY`.
    let label: String
    /// The decoded body.
    let der: [UInt8]

    /// Creates a block to encode.
    init(label: String, der: [UInt8]) {
        self.label = label
        self.der = der
    }

    /// The PEM text: BEGIN line, base64 in 64-character lines, END line, trailing newline.
    var text: String {
        let body = Array(Base64.encode(der).utf8)
        var out = "-----BEGIN \(label)-----\n"
        var index = 0
        while index < body.count {
            let end = min(index + 64, body.count)
            out += String(decoding: body[index..<end], as: UTF8.self)
            out += "\n"
            index = end
        }
        out += "-----END \(label)-----\n"
        return out
    }

    /// Parses text holding exactly one PEM block.
    ///
    /// - Parameters:
    ///   - text: The PEM text.
    ///   - what: What the caller is parsing, for error messages (`"public key"`).
    /// - Throws: ``CryptoError`` `.malformedKey` for a missing, truncated or garbled block,
    ///   `.trailingData` for non-whitespace after the END line (or a second block).
    init(parsing text: String, what: String) throws {
        // Split on "\n" and strip "\r" so CRLF files parse; line numbers are 1-based for messages.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            Array($0.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }.reversed())
        }
        var index = 0
        while index < lines.count, lines[index].isEmpty { index += 1 }
        guard index < lines.count else {
            throw CryptoError(.malformedKey, "\(what): empty input, expected a PEM block")
        }
        let beginPrefix = Array("-----BEGIN ".utf8)
        let dashes = Array("-----".utf8)
        let begin = lines[index]
        guard begin.starts(with: beginPrefix), begin.count > beginPrefix.count + dashes.count,
            begin.suffix(dashes.count).elementsEqual(dashes)
        else {
            throw CryptoError(
                .malformedKey,
                "\(what): line \(index + 1) should be a PEM '-----BEGIN …-----' line"
            )
        }
        let labelBytes = begin[beginPrefix.count..<(begin.count - dashes.count)]
        guard labelBytes.allSatisfy({ (0x20...0x7e).contains($0) && $0 != UInt8(ascii: "-") }) else {
            throw CryptoError(.malformedKey, "\(what): line \(index + 1) has a malformed PEM label")
        }
        let label = String(decoding: labelBytes, as: UTF8.self)
        let endLine = Array("-----END \(label)-----".utf8)
        let beginLine = index + 1
        var body = [UInt8]()
        index += 1
        var foundEnd = false
        while index < lines.count {
            let line = lines[index]
            if line == endLine {
                foundEnd = true
                break
            }
            if line.starts(with: Array("-----".utf8)) {
                throw CryptoError(
                    .malformedKey,
                    "\(what): line \(index + 1) should be '-----END \(label)-----' to close the block opened on line \(beginLine)"
                )
            }
            if line.contains(UInt8(ascii: ":")) {
                if label.hasSuffix("PRIVATE KEY") {
                    throw CryptoError(
                        .encryptedKey,
                        "\(what): line \(index + 1) has a PEM header; encrypted keys are not supported"
                    )
                }
                throw CryptoError(
                    .malformedKey,
                    "\(what): line \(index + 1) has a PEM header, which \(label) blocks do not carry"
                )
            }
            for char in line where !Self.isSpace(char) {
                body.append(char)
            }
            index += 1
        }
        guard foundEnd else {
            throw CryptoError(
                .malformedKey,
                "\(what): the PEM block opened on line \(beginLine) is truncated (no '-----END \(label)-----' line)"
            )
        }
        let endIndex = index
        index += 1
        while index < lines.count {
            if !lines[index].isEmpty {
                throw CryptoError(
                    .trailingData,
                    "\(what): unexpected data on line \(index + 1) after the PEM block ending on line \(endIndex + 1)"
                )
            }
            index += 1
        }
        switch PEMBase64.decode(body) {
        case .success(let der):
            guard !der.isEmpty else {
                throw CryptoError(
                    .malformedKey,
                    "\(what): the PEM block on lines \(beginLine)–\(endIndex + 1) is empty"
                )
            }
            self.init(label: label, der: der)
        case .failure(let failure):
            throw CryptoError(
                .malformedKey,
                "\(what): bad base64 in the PEM block on lines \(beginLine)–\(endIndex + 1) at body character \(failure.offset): \(failure.problem)"
            )
        }
    }

    private static func isSpace(_ char: UInt8) -> Bool {
        char == 0x20 || char == 0x09 || char == 0x0d || char == 0x0b || char == 0x0c
    }
}
