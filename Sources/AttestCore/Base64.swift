/// Base64 (RFC 4648) without Foundation: the standard alphabet for signature files, base64url for JWS-style
/// fields.
///
/// Decoding ignores ASCII whitespace (space, tab, CR, LF) unless told otherwise, accepts the `=` padding or its
/// absence, and refuses everything else with the offending offset: foreign characters, misplaced padding, a
/// dangling final character, and non-zero trailing bits (so every byte string has exactly one accepted
/// encoding). Output is allocated once, sized from the input.
public enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafeAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Byte → 6-bit value, 0xFF for bytes outside the alphabet.
    private static let standardTable = table(for: standardAlphabet)
    private static let urlSafeTable = table(for: urlSafeAlphabet)

    private static func table(for alphabet: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }

    /// Decodes standard base64 (`+`, `/`), padding optional.
    ///
    /// - Parameters:
    ///   - text: the encoded text.
    ///   - ignoringWhitespace: whether spaces, tabs and line breaks are skipped (the default) or refused.
    /// - Returns: the decoded bytes.
    /// - Throws: ``Base64Error`` naming the fault and its offset.
    public static func decode(_ text: some StringProtocol, ignoringWhitespace: Bool = true) throws(Base64Error)
        -> [UInt8]
    {
        try decode(text: text, table: standardTable, ignoringWhitespace: ignoringWhitespace, name: "base64")
    }

    /// Decodes standard base64 from raw bytes (a file's contents), padding optional.
    ///
    /// - Parameters:
    ///   - bytes: the encoded text as ASCII bytes.
    ///   - ignoringWhitespace: whether spaces, tabs and line breaks are skipped (the default) or refused.
    /// - Returns: the decoded bytes.
    /// - Throws: ``Base64Error`` naming the fault and its offset.
    public static func decode(bytes: some Collection<UInt8>, ignoringWhitespace: Bool = true) throws(Base64Error)
        -> [UInt8]
    {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Base64Error) in
                try decode(buffer: buffer, table: standardTable, ignoringWhitespace: ignoringWhitespace, name: "base64")
            }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(Base64Error) in
            try decode(buffer: buffer, table: standardTable, ignoringWhitespace: ignoringWhitespace, name: "base64")
        }
    }

    /// Decodes base64url (`-`, `_`); padding is normally absent but accepted.
    ///
    /// - Parameters:
    ///   - text: the encoded text.
    ///   - ignoringWhitespace: whether spaces, tabs and line breaks are skipped (the default) or refused.
    /// - Returns: the decoded bytes.
    /// - Throws: ``Base64Error`` naming the fault and its offset.
    public static func decodeURLSafe(_ text: some StringProtocol, ignoringWhitespace: Bool = true) throws(Base64Error)
        -> [UInt8]
    {
        try decode(text: text, table: urlSafeTable, ignoringWhitespace: ignoringWhitespace, name: "base64url")
    }

    /// Encodes with the standard alphabet and `=` padding.
    ///
    /// - Parameter bytes: the bytes to encode.
    /// - Returns: the base64 text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, alphabet: standardAlphabet, padding: true)
    }

    /// Encodes with the base64url alphabet and no padding.
    ///
    /// - Parameter bytes: the bytes to encode.
    /// - Returns: the base64url text.
    public static func encodeURLSafe(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, alphabet: urlSafeAlphabet, padding: false)
    }

    /// Encodes with either alphabet, with or without `=` padding.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to encode.
    ///   - urlSafe: use the base64url alphabet (`-_`) instead of the standard one (`+/`).
    ///   - padding: pad to a multiple of four characters with `=`.
    /// - Returns: the text.
    public static func encode(_ bytes: some Collection<UInt8>, urlSafe: Bool, padding: Bool) -> String {
        encode(bytes, alphabet: urlSafe ? urlSafeAlphabet : standardAlphabet, padding: padding)
    }

    private static func encode(_ bytes: some Collection<UInt8>, alphabet: [UInt8], padding: Bool) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(group >> 18)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
            output.append(alphabet[Int(group & 0x3F)])
            index += 3
        }
        let remaining = input.count - index
        if remaining > 0 {
            let second = remaining == 2 ? UInt32(input[index + 1]) : 0
            let group = UInt32(input[index]) << 16 | second << 8
            output.append(alphabet[Int(group >> 18)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            if remaining == 2 { output.append(alphabet[Int(group >> 6 & 0x3F)]) }
            if padding { output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - remaining)) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Copies generic text to a contiguous native string once, so the decoding loop is never generic.
    private static func decode(
        text: some StringProtocol,
        table: [UInt8],
        ignoringWhitespace: Bool,
        name: String
    ) throws(Base64Error) -> [UInt8] {
        var native = String(text)
        let result = native.withUTF8 { buffer in
            Result { () throws(Base64Error) in
                try decode(buffer: buffer, table: table, ignoringWhitespace: ignoringWhitespace, name: name)
            }
        }
        return try result.get()
    }

    private static func decode(
        buffer bytes: UnsafeBufferPointer<UInt8>,
        table: [UInt8],
        ignoringWhitespace: Bool,
        name: String
    ) throws(Base64Error) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var pending = 0  // characters in the current group
        var dataCount = 0  // alphabet characters seen
        var paddingCount = 0
        var lastDataOffset = 0
        var lastDataValue: UInt8 = 0
        for offset in 0..<bytes.count {
            let byte = bytes[offset]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                // Refused whitespace falls through to the alphabet lookup, which names it.
                if ignoringWhitespace { continue }
            case UInt8(ascii: "="):
                guard dataCount % 4 >= 2 else {
                    throw Base64Error(
                        .invalidPadding,
                        "\(name) has '=' where \(dataCount % 4 == 0 ? "a group starts" : "a group needs more data")",
                        at: offset
                    )
                }
                paddingCount += 1
                guard dataCount % 4 + paddingCount <= 4 else {
                    throw Base64Error(.invalidPadding, "\(name) has too many '='", at: offset)
                }
                continue
            default:
                break
            }
            let value = table[Int(byte)]
            guard value != 0xFF else {
                let what = byte < 0x80 ? TextQuoting.describe(byte: byte) : "a non-ASCII byte"
                throw Base64Error(.invalidCharacter, "\(name) has \(what), which is not in its alphabet", at: offset)
            }
            guard paddingCount == 0 else {
                throw Base64Error(.invalidPadding, "\(name) has data after '=' padding", at: offset)
            }
            accumulator = accumulator << 6 | UInt32(value)
            pending += 1
            dataCount += 1
            lastDataOffset = offset
            lastDataValue = value
            if pending == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                pending = 0
            }
        }
        if paddingCount > 0 && pending + paddingCount != 4 {
            throw Base64Error(
                .invalidPadding,
                "\(name) ends with \(paddingCount) '=' after \(pending) characters of the last group",
                at: lastDataOffset + 1
            )
        }
        switch pending {
        case 0:
            break
        case 1:
            throw Base64Error(
                .invalidLength,
                "\(name) ends with a single character in its last group, which cannot encode a byte",
                at: lastDataOffset
            )
        case 2:
            guard lastDataValue & 0x0F == 0 else {
                throw Base64Error(.nonZeroTrailingBits, "\(name) has non-zero trailing bits", at: lastDataOffset)
            }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        default:
            guard lastDataValue & 0x03 == 0 else {
                throw Base64Error(.nonZeroTrailingBits, "\(name) has non-zero trailing bits", at: lastDataOffset)
            }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
        return output
    }
}
