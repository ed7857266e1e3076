/// A strict, hostile-input-safe JSON parser for signed payloads.
///
/// It accepts exactly RFC 8259 JSON and refuses, with the byte offset and a precise reason: duplicated keys
/// at any level (compared by exact UTF-8 bytes after unescaping), trailing data, invalid UTF-8, unescaped
/// control characters, unknown escapes, unpaired surrogates, leading zeros and other malformed numbers,
/// nesting deeper than ``maxDepth``, and input larger than ``maxSize``. Parsing is iterative, so a
/// million `[` cost one error, never a stack overflow; memory stays proportional to the input size.
public struct StrictJSON: Sendable {
    /// The default size limit, 1 MiB.
    public static let defaultMaxSize = 1 << 20
    /// The default nesting limit.
    public static let defaultMaxDepth = 64

    /// The largest document accepted, in bytes.
    public var maxSize: Int
    /// The deepest nesting ever accepted, whatever ``maxDepth`` says: parsing is iterative, but Swift releases
    /// a nested ``JSONValue`` recursively, so a value must stay shallow enough to be freed on any thread.
    public static let depthCeiling = 1000

    /// The deepest nesting of arrays and objects accepted (a top-level object is depth 1), at most
    /// ``depthCeiling``.
    public var maxDepth: Int

    /// Creates a parser with the given limits.
    ///
    /// - Parameters:
    ///   - maxSize: the largest document accepted, in bytes.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted; values above ``depthCeiling`` act as
    ///     ``depthCeiling``.
    public init(maxSize: Int = StrictJSON.defaultMaxSize, maxDepth: Int = StrictJSON.defaultMaxDepth) {
        self.maxSize = maxSize
        self.maxDepth = maxDepth
    }

    /// Parses one JSON document.
    ///
    /// - Parameter bytes: the UTF-8 document, without a byte-order mark.
    /// - Returns: the top-level value.
    /// - Throws: ``JSONError`` naming the first fault and its byte offset.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let count = bytes.count
        guard count <= maxSize else {
            throw JSONError(.tooLarge, "document of \(count) bytes exceeds the \(maxSize)-byte limit", at: maxSize)
        }
        let result: Result<JSONValue, JSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer, maxDepth: min(maxDepth, Self.depthCeiling))
            return Result { () throws(JSONError) in try parser.parseDocument() }
        }
        if let result {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONError) in
            var parser = JSONParser(buffer, maxDepth: min(maxDepth, Self.depthCeiling))
            return try parser.parseDocument()
        }
    }
}

/// The iterative parser behind ``StrictJSON``: explicit stacks instead of recursion.
private struct JSONParser {
    private let input: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var position = 0

    /// Open containers, innermost last: `true` for an object, `false` for an array.
    private var kinds: [Bool] = []
    private var arrays: [[JSONValue]] = []
    private var objects: [JSONObject] = []
    /// The key awaiting its value in each open object.
    private var pendingKeys: [String] = []

    init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    // MARK: Structure

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        var value: JSONValue
        parsing: while true {
            skipWhitespace()
            guard position < input.count else {
                throw JSONError(
                    .unexpectedEnd,
                    position == 0 && kinds.isEmpty ? "empty document" : "document ends where a value was expected",
                    at: position
                )
            }
            switch input[position] {
            case UInt8(ascii: "{"):
                try enterContainer()
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    kinds.append(true)
                    objects.append(JSONObject())
                    pendingKeys.append("")
                    try readKey()
                    continue parsing
                }
            case UInt8(ascii: "["):
                try enterContainer()
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    kinds.append(false)
                    arrays.append([])
                    continue parsing
                }
            case UInt8(ascii: "\""):
                value = .string(try readString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try readNumber())
            case UInt8(ascii: "t"):
                try readLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                value = .null
            case let byte:
                throw JSONError(
                    .unexpectedByte,
                    "unexpected \(TextQuoting.describe(byte: byte)) where a value was expected",
                    at: position
                )
            }

            // Hand the finished value to the enclosing containers, closing as many as end here.
            while true {
                skipWhitespace()
                guard let isObject = kinds.last else {
                    guard position == input.count else {
                        throw JSONError(
                            .trailingData,
                            "unexpected \(TextQuoting.describe(byte: input[position])) after the top-level value",
                            at: position
                        )
                    }
                    return value
                }
                let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if isObject {
                    objects[objects.count - 1].appendUnchecked(key: pendingKeys[pendingKeys.count - 1], value: value)
                } else {
                    arrays[arrays.count - 1].append(value)
                }
                guard position < input.count else {
                    throw JSONError(
                        .unexpectedEnd,
                        "document ends inside \(isObject ? "an object" : "an array"); expected ',' or "
                            + "'\(Character(UnicodeScalar(closer)))'",
                        at: position
                    )
                }
                let byte = input[position]
                if byte == UInt8(ascii: ",") {
                    position += 1
                    if isObject {
                        skipWhitespace()
                        try readKey()
                    }
                    continue parsing
                }
                guard byte == closer else {
                    throw JSONError(
                        .unexpectedByte,
                        "unexpected \(TextQuoting.describe(byte: byte)) in \(isObject ? "an object" : "an array"); "
                            + "expected ',' or '\(Character(UnicodeScalar(closer)))'",
                        at: position
                    )
                }
                position += 1
                kinds.removeLast()
                if isObject {
                    value = .object(objects.removeLast())
                    pendingKeys.removeLast()
                } else {
                    value = .array(arrays.removeLast())
                }
            }
        }
    }

    private func enterContainer() throws(JSONError) {
        guard kinds.count < maxDepth else {
            throw JSONError(.tooDeep, "nesting deeper than \(maxDepth) levels", at: position)
        }
    }

    /// Reads `"key"` and `:` for the innermost open object, refusing a key it already has.
    private mutating func readKey() throws(JSONError) {
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends inside an object; expected a key", at: position)
        }
        guard input[position] == UInt8(ascii: "\"") else {
            throw JSONError(
                .unexpectedByte,
                "unexpected \(TextQuoting.describe(byte: input[position])) where an object key was expected",
                at: position
            )
        }
        let keyOffset = position
        let key = try readString()
        if objects[objects.count - 1].contains(key: key) {
            throw JSONError(.duplicateKey, "duplicate key \(TextQuoting.quoted(key))", at: keyOffset)
        }
        pendingKeys[pendingKeys.count - 1] = key
        skipWhitespace()
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends after an object key; expected ':'", at: position)
        }
        guard input[position] == UInt8(ascii: ":") else {
            throw JSONError(
                .unexpectedByte,
                "unexpected \(TextQuoting.describe(byte: input[position])) after an object key; expected ':'",
                at: position
            )
        }
        position += 1
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    // MARK: Scalars

    private mutating func readLiteral(_ word: StaticString) throws(JSONError) {
        let start = position
        let length = word.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: length)
        var matched = 0
        while matched < length && position < input.count && input[position] == expected[matched] {
            matched += 1
            position += 1
        }
        if matched == length { return }
        if position == input.count {
            throw JSONError(.unexpectedEnd, "document ends inside the literal '\(word)'", at: position)
        }
        throw JSONError(
            .invalidLiteral,
            "unexpected \(TextQuoting.describe(byte: input[position])) in what should be the literal '\(word)'",
            at: start
        )
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its literal text.
    private mutating func readNumber() throws(JSONError) -> String {
        let start = position
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends inside a number", at: position)
        }
        if input[position] == UInt8(ascii: "0") {
            position += 1
            if position < input.count && isDigit(input[position]) {
                throw JSONError(.invalidNumber, "number has a leading zero", at: start)
            }
        } else if isDigit(input[position]) {
            skipDigits()
        } else {
            throw JSONError(
                .invalidNumber,
                "number has \(TextQuoting.describe(byte: input[position])) where a digit was expected",
                at: position
            )
        }
        if position < input.count && input[position] == UInt8(ascii: ".") {
            position += 1
            try requireDigit(after: "'.'")
            skipDigits()
        }
        if position < input.count && (input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E")) {
            position += 1
            if position < input.count && (input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-"))
            {
                position += 1
            }
            try requireDigit(after: "the exponent mark")
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
    }

    private func requireDigit(after what: String) throws(JSONError) {
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends inside a number", at: position)
        }
        guard isDigit(input[position]) else {
            throw JSONError(
                .invalidNumber,
                "number has \(TextQuoting.describe(byte: input[position])) after \(what); expected a digit",
                at: position
            )
        }
    }

    private mutating func skipDigits() {
        while position < input.count && isDigit(input[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Reads a string starting at its opening quote; plain ASCII strings take a copy-free fast path.
    private mutating func readString() throws(JSONError) -> String {
        let opening = position
        position += 1
        let start = position
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends inside the string opened", at: opening)
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: input[start..<position]))
        while position < input.count {
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &bytes)
            case 0x00..<0x20:
                throw JSONError(
                    .controlCharacter,
                    "string holds an unescaped control character \(TextQuoting.describe(byte: byte))",
                    at: position
                )
            case 0x00..<0x80:
                bytes.append(byte)
                position += 1
            default:
                try readMultibyte(into: &bytes)
            }
        }
        throw JSONError(.unexpectedEnd, "document ends inside the string opened", at: opening)
    }

    /// Copies one well-formed multi-byte UTF-8 sequence (RFC 3629: no overlongs, surrogates or values above
    /// U+10FFFF).
    private mutating func readMultibyte(into bytes: inout [UInt8]) throws(JSONError) {
        let lead = input[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default:
            throw JSONError(
                .invalidUTF8,
                "string holds \(TextQuoting.describe(byte: lead)), which cannot start a UTF-8 sequence",
                at: position
            )
        }
        for offset in 1..<length {
            let at = position + offset
            guard at < input.count else {
                throw JSONError(.invalidUTF8, "string ends inside a UTF-8 sequence", at: position)
            }
            let byte = input[at]
            let (minimum, maximum) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= minimum && byte <= maximum else {
                throw JSONError(
                    .invalidUTF8,
                    "string holds an invalid UTF-8 sequence (\(TextQuoting.describe(byte: byte)) after "
                        + "\(TextQuoting.describe(byte: lead)))",
                    at: at
                )
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[position..<(position + length)]))
        position += length
    }

    private mutating func readEscape(into bytes: inout [UInt8]) throws(JSONError) {
        let backslash = position
        position += 1
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, "document ends inside an escape sequence", at: backslash)
        }
        let letter = input[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(letter)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4(escapeAt: backslash)
            var scalar = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                let lowAt = position
                guard
                    position + 1 < input.count && input[position] == UInt8(ascii: "\\")
                        && input[position + 1] == UInt8(ascii: "u")
                else {
                    throw JSONError(
                        .invalidSurrogate,
                        "\\u\(hex4(unit)) is a high surrogate without a following \\u low surrogate",
                        at: backslash
                    )
                }
                position += 2
                let second = try readHex4(escapeAt: lowAt)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw JSONError(
                        .invalidSurrogate,
                        "\\u\(hex4(unit)) is a high surrogate followed by \\u\(hex4(second)), not a low surrogate",
                        at: lowAt
                    )
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONError(
                    .invalidSurrogate,
                    "\\u\(hex4(unit)) is a low surrogate without a preceding high surrogate",
                    at: backslash
                )
            default:
                break
            }
            UTF8.encode(Unicode.Scalar(scalar)!) { bytes.append($0) }
        default:
            throw JSONError(
                .invalidEscape,
                "unknown escape '\\' followed by \(TextQuoting.describe(byte: letter))",
                at: backslash
            )
        }
    }

    private mutating func readHex4(escapeAt escape: Int) throws(JSONError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard position < input.count else {
                throw JSONError(.unexpectedEnd, "document ends inside a \\u escape", at: escape)
            }
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(
                    .invalidEscape,
                    "\\u escape has \(TextQuoting.describe(byte: byte)) where a hex digit was expected",
                    at: position
                )
            }
            unit = unit << 4 | UInt16(digit)
            position += 1
        }
        return unit
    }

    private func hex4(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
