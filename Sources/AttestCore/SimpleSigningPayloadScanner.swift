/// The fast path of ``SimpleSigningPayload/parse(_:maxSize:)``: reads the payload shapes signers actually
/// write without building a JSON tree.
///
/// It accepts a strict subset of what the full parser accepts, and for every document it accepts it returns
/// exactly what the full parser returns: one top-level object with `critical` (members `identity`, `image`
/// and `type` in any order, each once) and optionally `optional` (`null`, or an object that is then read by
/// ``StrictJSON`` itself), JSON whitespace anywhere, strings of printable ASCII without escapes. Anything
/// else (an escape, a non-ASCII byte, a duplicated or unknown member, a wrong type, truncation, trailing
/// data) makes it decline with `nil`, and the caller runs the full parser, which accepts the document or
/// names its fault precisely. Declining is always safe; accepting is only allowed when the full parser would
/// accept with the same fields, which the differential tests check.
struct SimpleSigningPayloadScanner: ~Copyable {
    private let input: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    /// Reads `bytes` if they have a common shape.
    ///
    /// - Parameter bytes: the payload, already known to fit the size limit.
    /// - Returns: the payload's fields, or `nil` when the full parser must decide.
    static func scan(_ bytes: [UInt8]) -> SimpleSigningPayload? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = SimpleSigningPayloadScanner(buffer)
            return scanner.document()
        }
    }

    // MARK: Structure

    private mutating func document() -> SimpleSigningPayload? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var critical: (reference: String, digest: String, type: String)?
        var optional: JSONValue?
        var sawOptional = false
        repeat {
            switch key() {
            case .critical?:
                guard critical == nil, let fields = criticalObject() else { return nil }
                critical = fields
            case .optional?:
                guard !sawOptional, let value = optionalValue() else { return nil }
                sawOptional = true
                optional = value
            default:
                return nil
            }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { return nil }
        skipWhitespace()
        guard position == input.count, let critical else { return nil }
        return SimpleSigningPayload(
            dockerReference: critical.reference,
            manifestDigest: critical.digest,
            type: critical.type,
            optional: optional
        )
    }

    /// `{"identity":{"docker-reference":S},"image":{"docker-manifest-digest":S},"type":S}` in any order.
    private mutating func criticalObject() -> (reference: String, digest: String, type: String)? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var reference: String?
        var digest: String?
        var type: String?
        var members = 0
        while members < 3 {
            if members > 0 {
                guard consume(UInt8(ascii: ",")) else { return nil }
            }
            guard let key = key() else { return nil }
            switch key {
            case .identity:
                guard reference == nil, let value = singleStringObject(.dockerReference) else { return nil }
                reference = value
            case .image:
                guard digest == nil, let value = singleStringObject(.dockerManifestDigest) else { return nil }
                digest = value
            case .type:
                guard type == nil, let value = string() else { return nil }
                type = value
            default:
                return nil
            }
            members += 1
        }
        guard consume(UInt8(ascii: "}")), let reference, let digest, let type else { return nil }
        return (reference, digest, type)
    }

    /// `{"NAME":STRING}` with exactly that one member.
    private mutating func singleStringObject(_ name: Key) -> String? {
        guard consume(UInt8(ascii: "{")), key() == name, let value = string(), consume(UInt8(ascii: "}")) else {
            return nil
        }
        return value
    }

    /// `null` (read as absent) or an object, which ``StrictJSON`` reads with the depth left under the root.
    private mutating func optionalValue() -> JSONValue?? {
        skipWhitespace()
        if consumeLiteral("null") { return .some(nil) }
        guard let end = endOfObject() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: input[position..<end])
        let parser = StrictJSON(maxSize: input.count, maxDepth: StrictJSON.defaultMaxDepth - 1)
        guard let value = try? parser.parse(slice), case .object = value else { return nil }
        position = end
        return .some(value)
    }

    /// The index just past the object that starts at ``position``, found by counting braces and brackets
    /// outside strings; `nil` when it is not closed. Only a bound: ``StrictJSON`` validates what lies inside.
    private func endOfObject() -> Int? {
        guard position < input.count, input[position] == UInt8(ascii: "{") else { return nil }
        var depth = 0
        var index = position
        var inString = false
        while index < input.count {
            let byte = input[index]
            index += 1
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return index }
            default:
                break
            }
        }
        return nil
    }

    // MARK: Tokens

    /// The member names the scanner knows; any other name makes it decline.
    private enum Key {
        case critical, optional, identity, image, type, dockerReference, dockerManifestDigest
    }

    /// Each key with its name as it appears in the payload, built once.
    private static let keys: [(name: StaticString, key: Key)] = [
        ("type", .type), ("image", .image), ("critical", .critical), ("optional", .optional),
        ("identity", .identity), ("docker-reference", .dockerReference),
        ("docker-manifest-digest", .dockerManifestDigest),
    ]

    /// `"NAME"` followed by `:`.
    private mutating func key() -> Key? {
        skipWhitespace()
        guard let (start, end) = stringBounds() else { return nil }
        let name = UnsafeBufferPointer(rebasing: input[start..<end])
        guard let key = Self.keys.first(where: { Self.equal(name, $0.name) })?.key,
            consume(UInt8(ascii: ":"))
        else { return nil }
        return key
    }

    /// A string value of printable ASCII without escapes.
    private mutating func string() -> String? {
        skipWhitespace()
        guard let (start, end) = stringBounds() else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
    }

    /// The contents of the string at ``position`` (moving past its closing quote), or `nil` if it holds an
    /// escape, a control character or a non-ASCII byte, or is not closed.
    private mutating func stringBounds() -> (Int, Int)? {
        guard position < input.count, input[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var index = start
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return (start, index)
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard input.count - position >= count,
            Self.equal(UnsafeBufferPointer(rebasing: input[position..<(position + count)]), literal)
        else { return false }
        position += count
        return true
    }

    /// Whether `bytes` spell `literal` exactly (a plain loop: the generic `elementsEqual` over a string's
    /// UTF-8 view showed up in profiles).
    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count, let base = bytes.baseAddress else { return false }
        let expected = literal.utf8Start
        for index in 0..<count where base[index] != expected[index] { return false }
        return true
    }

    /// Skips whitespace, then moves past `byte` if it is next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < input.count, input[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }
}
