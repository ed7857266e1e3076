/// A container image reference, `[REGISTRY/]PATH[:TAG][@sha256:HEX]`, parsed by the docker reference grammar.
///
/// The first `/`-separated component is the registry when it contains `.` or `:` or is `localhost`; otherwise
/// the image lives on Docker Hub (`docker.io`), where a one-component path gains the implicit `library/`.
/// `index.docker.io` and `registry-1.docker.io` are normalised to `docker.io`, and the registry host is
/// lower-cased, so `alpine`, `docker.io/library/alpine` and `index.docker.io/library/alpine` share one
/// ``identity``.
///
/// Equality and hashing compare the normalised parts (registry, path, tag, digest), never the spelling in
/// ``original``. Only a reference with a digest can be attested (``isAttestable``).
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The longest reference accepted, in bytes.
    public static let maximumLength = 4096
    /// The longest name (registry and path as written) accepted, in bytes, as docker enforces.
    public static let maximumNameLength = 255

    /// The normalised registry host, with its port if one was written: `docker.io`, `localhost:5000`, ….
    public let registry: String
    /// The repository path inside the registry, with `library/` made explicit on Docker Hub.
    public let path: String
    /// The tag, if one was written; a tag never takes part in verification.
    public let tag: String?
    /// The manifest digest, if one was written.
    public let digest: Digest?
    /// The reference exactly as written.
    public let original: String

    /// The normalised repository, `registry/path`: `alpine:3.11` → `docker.io/library/alpine`.
    ///
    /// This is the value simple-signing payloads carry in `critical.identity.docker-reference` and the key
    /// attestations are stored under. Stored, since every verification compares it.
    public let identity: String

    /// Whether the reference pins a digest; tag-only references can never be attested.
    public var isAttestable: Bool { digest != nil }

    /// The fully normalised spelling: `identity[:tag][@digest]`.
    public var canonical: String {
        var text = identity
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }

    /// The reference as the user wrote it (``original``), which is how attestd names images in messages.
    public var description: String { original }

    /// Parses a reference.
    ///
    /// - Parameter text: `alpine`, `alpine:3.11`, `registry.example.com:5000/team/app@sha256:…`, ….
    /// - Throws: ``ImageReferenceError`` naming the fault and quoting the offending part: empty input, over
    ///   4096 bytes, spaces or control characters, empty path components, upper-case in the path, a bad
    ///   registry, tag or digest.
    public init(parsing text: String) throws(ImageReferenceError) {
        // One borrowed view of the UTF-8 bytes (no copy for a native string); the scan below allocates only the
        // strings it returns.
        var native = text
        let parsed = native.withUTF8 { bytes in
            Result { () throws(ImageReferenceError) in try ImageReferenceParser(text: text, bytes: bytes).parse() }
        }
        let parts = try parsed.get()
        self.registry = parts.registry
        self.path = parts.path
        self.tag = parts.tag
        self.digest = parts.digest
        self.original = text
        self.identity = parts.identity
    }

    /// Whether both references name the same repository (same ``identity``), whatever their tags and digests.
    ///
    /// - Parameter other: the reference to compare with.
    /// - Returns: `true` when the normalised `registry/path` pairs are equal.
    public func sameRepository(as other: ImageReference) -> Bool {
        identity == other.identity
    }

    public static func == (lhs: ImageReference, rhs: ImageReference) -> Bool {
        lhs.registry == rhs.registry && lhs.path == rhs.path && lhs.tag == rhs.tag && lhs.digest == rhs.digest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(registry)
        hasher.combine(path)
        hasher.combine(tag)
        hasher.combine(digest)
    }
}

/// The byte-level scanner behind ``ImageReference/init(parsing:)``.
///
/// It walks the borrowed UTF-8 bytes by index and builds only the strings it returns (registry, path, tag,
/// identity, digest); error messages are composed only once a fault is found.
private struct ImageReferenceParser {
    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    struct Parts {
        var registry: String
        var path: String
        var tag: String?
        var digest: Digest?
        var identity: String
    }

    /// The reference as written, quoted in messages.
    let text: String
    /// Its UTF-8 bytes.
    let bytes: UnsafeBufferPointer<UInt8>

    private func fail(_ code: ImageReferenceError.Code, _ detail: String) -> ImageReferenceError {
        ImageReferenceError(code, "image reference \(TextQuoting.quoted(text)) \(detail)")
    }

    func parse() throws(ImageReferenceError) -> Parts {
        guard !bytes.isEmpty else { throw ImageReferenceError(.empty, "image reference is empty") }
        guard bytes.count <= ImageReference.maximumLength else {
            throw fail(.tooLong, "is \(bytes.count) bytes long; the limit is \(ImageReference.maximumLength)")
        }
        if !Self.allVisibleASCII(bytes), let offset = bytes.firstIndex(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            let byte = bytes[offset]
            let what =
                switch byte {
                case 0x20: "a space"
                case 0x7F: "a control character (0x7F)"
                case 0x80...: "a non-ASCII character"
                default: "a control character (\(TextQuoting.describe(byte: byte)))"
                }
            throw fail(.invalidCharacter, "contains \(what) at offset \(offset)")
        }

        // Digest: everything after the first '@'.
        var nameEnd = bytes.count
        var digest: Digest?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            nameEnd = at
            digest = try parseDigest(bytes[(at + 1)...])
        }

        // Tag: after the last ':' that follows the last '/' of the name.
        var tag: String?
        let lastSlash = bytes[..<nameEnd].lastIndex(of: UInt8(ascii: "/")) ?? -1
        if let colon = bytes[(lastSlash + 1)..<nameEnd].lastIndex(of: UInt8(ascii: ":")) {
            let tagBytes = bytes[(colon + 1)..<nameEnd]
            try checkTag(tagBytes)
            tag = String(decoding: tagBytes, as: UTF8.self)
            nameEnd = colon
        }

        guard nameEnd > 0 else { throw fail(.emptyComponent, "has no repository name") }
        guard nameEnd <= ImageReference.maximumNameLength else {
            throw fail(
                .tooLong,
                "has a \(nameEnd)-byte name; the limit is \(ImageReference.maximumNameLength)"
            )
        }

        // The name's '/'-separated components, walked in place: the first empty one is the fault.
        let name = bytes[..<nameEnd]
        var componentCount = 0
        var start = name.startIndex
        while true {
            let end = name[start...].firstIndex(of: UInt8(ascii: "/")) ?? name.endIndex
            if start == end {
                let where_ =
                    componentCount == 0 ? "starts with '/'" : end == name.endIndex ? "ends with '/'" : "contains '//'"
                throw fail(.emptyComponent, "has an empty path component: the name \(where_)")
            }
            componentCount += 1
            guard end < name.endIndex else { break }
            start = end + 1
        }

        var registry = "docker.io"
        var pathStart = name.startIndex
        var pathComponentCount = componentCount
        if componentCount > 1, let slash = name.firstIndex(of: UInt8(ascii: "/")),
            Self.looksLikeRegistry(name[..<slash])
        {
            registry = try checkRegistry(name[..<slash])
            pathStart = slash + 1
            pathComponentCount -= 1
        }
        start = pathStart
        while start < name.endIndex {
            let end = name[start...].firstIndex(of: UInt8(ascii: "/")) ?? name.endIndex
            try checkPathComponent(name[start..<end])
            start = end + 1
        }

        // The path is one contiguous run of the input, with `library/` made explicit for a one-component path
        // on Docker Hub.
        let pathBytes = name[pathStart...]
        let path =
            registry == "docker.io" && pathComponentCount == 1
            ? Self.joined("library".utf8, pathBytes) : String(decoding: pathBytes, as: UTF8.self)
        let identity = Self.joined(registry.utf8, path.utf8)
        return Parts(registry: registry, path: path, tag: tag, digest: digest, identity: identity)
    }

    /// Parses the digest after '@', quoting the whole reference in the message when it is refused.
    private func parseDigest(_ digestBytes: Bytes) throws(ImageReferenceError) -> Digest {
        guard !digestBytes.isEmpty else { throw fail(.invalidDigest, "ends with '@' but names no digest") }
        if let digest = Digest(canonicalUTF8: UnsafeBufferPointer(rebasing: digestBytes)) { return digest }
        // Not `sha256:<64 lower-case hex>`: the full parser names the fault.
        do {
            return try Digest(parsing: String(decoding: digestBytes, as: UTF8.self))
        } catch {
            throw fail(error.code, "has a bad digest: \(error.reason)")
        }
    }

    private static func looksLikeRegistry(_ component: Bytes) -> Bool {
        component.contains(UInt8(ascii: ".")) || component.contains(UInt8(ascii: ":"))
            || component.elementsEqual(utf8("localhost"))
    }

    /// Validates `host[:port]` (host = DNS name, IPv4 or `[IPv6]`) and returns it normalised.
    private func checkRegistry(_ component: Bytes) throws(ImageReferenceError) -> String {
        var shown: String { TextQuoting.quoted(String(decoding: component, as: UTF8.self)) }
        var port: Bytes?
        if component.first == UInt8(ascii: "[") {
            guard let close = component.firstIndex(of: UInt8(ascii: "]")) else {
                throw fail(.invalidRegistry, "has registry \(shown) with an unclosed '[' IPv6 address")
            }
            let address = component[(component.startIndex + 1)..<close]
            let valid =
                !address.isEmpty && address.contains(UInt8(ascii: ":"))
                && address.allSatisfy { Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
            guard valid else {
                throw fail(.invalidRegistry, "has registry \(shown) whose bracketed part is not an IPv6 address")
            }
            let rest = component[(close + 1)...]
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":") else {
                    throw fail(.invalidRegistry, "has registry \(shown) with text after the IPv6 address")
                }
                port = rest.dropFirst()
            }
        } else {
            var host = component
            if let colon = component.firstIndex(of: UInt8(ascii: ":")) {
                host = component[..<colon]
                port = component[(colon + 1)...]
            }
            guard !host.isEmpty else { throw fail(.invalidRegistry, "has registry \(shown) with an empty host") }
            var start = host.startIndex
            while true {
                let end = host[start...].firstIndex(of: UInt8(ascii: ".")) ?? host.endIndex
                let label = host[start..<end]
                let valid =
                    !label.isEmpty && label.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
                    && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                guard valid else {
                    let shownLabel = TextQuoting.quoted(String(decoding: label, as: UTF8.self))
                    throw fail(
                        .invalidRegistry,
                        "has registry \(shown) with bad host label \(shownLabel); labels are letters, digits and "
                            + "inner '-'"
                    )
                }
                guard end < host.endIndex else { break }
                start = end + 1
            }
        }
        if let port {
            var number = 0
            for byte in port.prefix(6) {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                    number = -1
                    break
                }
                number = number * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard !port.isEmpty, port.count <= 5, number > 0, number <= 65535 else {
                throw fail(.invalidRegistry, "has registry \(shown) with a bad port; expected 1–65535")
            }
        }
        // The normalised registry is the component itself with the host lower-cased (the port is digits).
        if port == nil
            && (Self.equalsIgnoringCase(component, "index.docker.io")
                || Self.equalsIgnoringCase(component, "registry-1.docker.io"))
        {
            return "docker.io"
        }
        return Self.lowercasedString(component)
    }

    /// `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
    private func checkPathComponent(_ component: Bytes) throws(ImageReferenceError) {
        var shown: String { TextQuoting.quoted(String(decoding: component, as: UTF8.self)) }
        if let upper = component.firstIndex(where: Self.isUpper) {
            throw fail(
                .uppercasePath,
                "has upper-case \(TextQuoting.describe(byte: component[upper])) in path component \(shown); "
                    + "repository paths are lower case"
            )
        }
        var index = component.startIndex
        var expectAlphanumeric = true
        while index < component.endIndex {
            let byte = component[index]
            if Self.isLowerAlphanumeric(byte) {
                expectAlphanumeric = false
                index += 1
                continue
            }
            let problem: String
            if expectAlphanumeric {
                problem =
                    index == component.startIndex
                    ? "starts with \(TextQuoting.describe(byte: byte))"
                    : "has \(TextQuoting.describe(byte: byte)) right after a separator"
            } else {
                // A separator run: '.', '_', '__' or one or more '-'.
                var end = index + 1
                switch byte {
                case UInt8(ascii: "."):
                    break
                case UInt8(ascii: "_"):
                    if end < component.endIndex && component[end] == UInt8(ascii: "_") { end += 1 }
                case UInt8(ascii: "-"):
                    while end < component.endIndex && component[end] == UInt8(ascii: "-") { end += 1 }
                default:
                    throw fail(
                        .invalidPathComponent,
                        "has \(TextQuoting.describe(byte: byte)) in path component \(shown); path components "
                            + "use a-z, 0-9 and the separators '.', '_', '__', '-'"
                    )
                }
                if end < component.endIndex && Self.isLowerAlphanumeric(component[end]) {
                    index = end
                    expectAlphanumeric = true
                    continue
                }
                problem =
                    end == component.endIndex
                    ? "ends with a separator"
                    : "has the separator sequence starting at \(TextQuoting.describe(byte: byte)) followed by \(TextQuoting.describe(byte: component[end]))"
            }
            throw fail(.invalidPathComponent, "has path component \(shown) that \(problem)")
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
    private func checkTag(_ tag: Bytes) throws(ImageReferenceError) {
        var shown: String { TextQuoting.quoted(String(decoding: tag, as: UTF8.self)) }
        guard let first = tag.first else { throw fail(.invalidTag, "has an empty tag after ':'") }
        guard Self.isAlphanumeric(first) || first == UInt8(ascii: "_") else {
            throw fail(.invalidTag, "has tag \(shown) starting with \(TextQuoting.describe(byte: first))")
        }
        guard tag.count <= 128 else {
            throw fail(.invalidTag, "has a \(tag.count)-character tag; the limit is 128")
        }
        for byte in tag
        where
            !(Self.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "-"))
        {
            throw fail(
                .invalidTag,
                "has tag \(shown) containing \(TextQuoting.describe(byte: byte)); tags use letters, digits, '_', "
                    + "'.' and '-'"
            )
        }
    }

    /// `head/tail`, built in one allocation.
    private static func joined(_ head: some Collection<UInt8>, _ tail: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: head.count + 1 + tail.count) { buffer in
            var end = buffer.initialize(fromContentsOf: head)
            buffer[end] = UInt8(ascii: "/")
            end += 1
            return buffer[end...].initialize(fromContentsOf: tail)
        }
    }

    /// The ASCII bytes as a string with `A`–`Z` lower-cased; copied unchanged when there is nothing to lower.
    private static func lowercasedString(_ bytes: Bytes) -> String {
        guard bytes.contains(where: isUpper) else { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (offset, byte) in bytes.enumerated() {
                buffer[offset] = isUpper(byte) ? byte | 0x20 : byte
            }
            return bytes.count
        }
    }

    /// Whether the ASCII bytes spell `lowerCase` when `A`–`Z` are lower-cased.
    private static func equalsIgnoringCase(_ bytes: Bytes, _ lowerCase: StaticString) -> Bool {
        let expected = utf8(lowerCase)
        guard bytes.count == expected.count else { return false }
        return zip(bytes, expected).allSatisfy { (isUpper($0) ? $0 | 0x20 : $0) == $1 }
    }

    /// The UTF-8 bytes of a literal, read in place.
    private static func utf8(_ literal: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Whether every byte is visible ASCII, `!` to `~`; without an early exit, so the loop vectorises.
    private static func allVisibleASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var outside: UInt8 = 0
        for byte in bytes {
            outside |= byte &- UInt8(ascii: "!") > UInt8(ascii: "~") - UInt8(ascii: "!") ? 1 : 0
        }
        return outside == 0
    }

    private static func isUpper(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || isUpper(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
