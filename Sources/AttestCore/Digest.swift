/// An image manifest digest: `sha256:` followed by exactly 64 lower-case hexadecimal digits.
///
/// This is the only form attestd accepts; other algorithms and upper-case hex are refused with a reason, so a
/// digest has one spelling and compares by plain string equality.
public struct Digest: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The algorithm prefix every accepted digest carries.
    public static let algorithm = "sha256"

    /// The 64 lower-case hexadecimal digits, without the `sha256:` prefix (built on demand from ``description``).
    public var hex: String { String(description.dropFirst(Self.prefix.count)) }
    /// `sha256:` + ``hex``, kept because payload checks compare it on every verification.
    public let description: String

    /// The spelling every accepted digest starts with.
    private static let prefix = "sha256:"

    /// Parses `sha256:HEX`.
    ///
    /// - Parameter text: the digest, for example `sha256:2b1a…` (64 lower-case hex digits).
    /// - Throws: ``ImageReferenceError`` with code ``ImageReferenceError/Code/unsupportedDigestAlgorithm`` for
    ///   another algorithm and ``ImageReferenceError/Code/invalidDigest`` for anything else that is wrong.
    public init(parsing text: some StringProtocol) throws(ImageReferenceError) {
        // One native string (free for a `String`, a copy for a `Substring`) keeps the scan concrete and, when
        // the text is already `sha256:<hex>`, becomes ``description`` as it is.
        var native = String(text)
        let spelling = native
        let digest = native.withUTF8 { bytes -> Result<Self, ImageReferenceError> in
            if Self.isCanonical(bytes) { return .success(Self(description: spelling)) }
            // Anything else is refused: the full scan names the fault.
            return Result { () throws(ImageReferenceError) in
                Self(description: Self.prefix + (try Self.hexDigits(of: bytes, text: spelling)))
            }
        }
        self = try digest.get()
    }

    /// Creates the digest spelled by `bytes` when they are exactly `sha256:` and 64 lower-case hex digits.
    ///
    /// - Parameter bytes: the UTF-8 spelling.
    /// - Returns: `nil` for any other spelling; ``init(parsing:)`` says what is wrong with it.
    init?(canonicalUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard Self.isCanonical(bytes) else { return nil }
        self.init(description: String(decoding: bytes, as: UTF8.self))
    }

    private init(description: String) {
        self.description = description
    }

    /// Whether `bytes` are exactly `sha256:` and 64 lower-case hex digits, the one spelling ``hexDigits(of:text:)``
    /// accepts (the fast path; anything this refuses goes through that scan for its message).
    private static func isCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefix: StaticString = "sha256:"
        let prefixBytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard bytes.count == prefixBytes.count + 64, bytes.starts(with: prefixBytes) else { return false }
        for byte in bytes[prefixBytes.count...] {
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let letter = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")
            guard digit || letter else { return false }
        }
        return true
    }

    /// Validates `sha256:HEX` and returns the hex part.
    private static func hexDigits(of bytes: UnsafeBufferPointer<UInt8>, text: String) throws(ImageReferenceError)
        -> String
    {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            throw ImageReferenceError(
                .invalidDigest,
                "digest \(TextQuoting.quoted(text)) has no algorithm prefix; expected sha256:<64 lower-case hex>"
            )
        }
        let algorithm = bytes[bytes.startIndex..<colon]
        guard algorithm.elementsEqual("sha256".utf8) else {
            let name = String(decoding: algorithm, as: UTF8.self)
            throw ImageReferenceError(
                .unsupportedDigestAlgorithm,
                "digest \(TextQuoting.quoted(text)) uses algorithm \(TextQuoting.quoted(name)); only sha256 is supported"
            )
        }
        let digits = bytes[bytes.index(after: colon)...]
        var count = 0
        for byte in digits {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                break
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                throw ImageReferenceError(
                    .invalidDigest,
                    "digest \(TextQuoting.quoted(text)) has upper-case hex at position \(count + 1) of the hex "
                        + "part; digests are written in lower case"
                )
            default:
                let what = byte < 0x80 ? TextQuoting.describe(byte: byte) : "a non-ASCII byte"
                throw ImageReferenceError(
                    .invalidDigest,
                    "digest \(TextQuoting.quoted(text)) has \(what) at position \(count + 1) of the hex part; "
                        + "expected lower-case hex"
                )
            }
            count += 1
        }
        guard count == 64 else {
            throw ImageReferenceError(
                .invalidDigest,
                "digest \(TextQuoting.quoted(text)) has \(count) hex digits; sha256 needs exactly 64"
            )
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Creates the digest of 32 raw SHA-256 bytes.
    ///
    /// - Parameter sha256: the 32-byte hash value.
    /// - Returns: `nil` unless exactly 32 bytes are given.
    public init?(sha256 bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        self.init(description: Self.prefix + String(decoding: out, as: UTF8.self))
    }

    // Every description starts with the same `sha256:`, so comparing descriptions compares the hex digits.
    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public static func == (lhs: Digest, rhs: Digest) -> Bool { lhs.description.hasSameBytes(as: rhs.description) }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytesOf: description) }
}
