/// An image-name pattern compiled once at load time and matched against the image string exactly as the
/// pod spec writes it (no normalisation: `alpine` and `docker.io/library/alpine` are different strings).
///
/// Two syntaxes exist, both from DESIGN.md:
/// - ``Syntax/genericAttestationPolicy`` (GAP `admissionAllowlistPatterns`, also attestd's global
///   allowlist): an exact match, or a trailing `*` that matches any suffix containing no `/`. Any other `*`
///   is a literal character.
/// - ``Syntax/admissionAllowlist`` (Alibaba `AdmissionAllowlist` `namePattern`): without `*` an exact
///   match; a trailing `*` matches any characters except `/`; an inner `*` matches `[A-Za-z0-9_-]*`.
public struct AllowlistPattern: Sendable, Hashable, CustomStringConvertible {
    /// Which pattern language the text is read in.
    public enum Syntax: String, Sendable, Hashable {
        /// GAP `admissionAllowlistPatterns` semantics.
        case genericAttestationPolicy
        /// Alibaba `AdmissionAllowlist` `namePattern` semantics.
        case admissionAllowlist
    }

    /// One compiled element of a pattern: a literal byte or a star with its character class.
    private enum Element: Hashable {
        case byte(UInt8)
        /// Any run of bytes other than `/` (a trailing `*`).
        case anyExceptSlash
        /// Any run of `[A-Za-z0-9_-]` (an inner Alibaba `*`).
        case wordOrDash
    }

    /// The shape of a compiled pattern; the first two cases need no automaton.
    private enum Shape: Hashable {
        /// No star: byte-for-byte equality.
        case exact([UInt8])
        /// A literal prefix and a trailing star: the rest must not contain `/`.
        case prefix([UInt8])
        /// Inner stars: matched by a small automaton over ``Element``s.
        case general([Element])
    }

    /// The pattern as written.
    public let pattern: String
    /// The syntax it was compiled with.
    public let syntax: Syntax
    private let shape: Shape

    /// Compiles a pattern.
    ///
    /// - Parameters:
    ///   - pattern: The pattern text; must not be empty.
    ///   - syntax: The pattern language.
    /// - Returns: `nil` for an empty pattern, which would match nothing useful.
    public init?(_ pattern: String, syntax: Syntax) {
        guard !pattern.isEmpty else { return nil }
        self.pattern = pattern
        self.syntax = syntax
        let bytes = Array(pattern.utf8)
        let star = UInt8(ascii: "*")
        let trailingStar = bytes.last == star
        let body = trailingStar ? Array(bytes.dropLast()) : bytes
        switch syntax {
        case .genericAttestationPolicy:
            // GAP: only a trailing star is special; any other `*` is literal.
            shape = trailingStar ? .prefix(body) : .exact(bytes)
        case .admissionAllowlist:
            if !body.contains(star) {
                shape = trailingStar ? .prefix(body) : .exact(bytes)
            } else {
                var elements: [Element] = []
                for byte in body {
                    if byte != star {
                        elements.append(.byte(byte))
                    } else if elements.last != .wordOrDash {
                        // `**` means the same as `*`.
                        elements.append(.wordOrDash)
                    }
                }
                if trailingStar {
                    // An inner star right before the trailing one adds nothing: `[A-Za-z0-9_-]` ⊂ `[^/]`.
                    if elements.last == .wordOrDash { elements.removeLast() }
                    elements.append(.anyExceptSlash)
                }
                shape = .general(elements)
            }
        }
    }

    public var description: String { pattern }

    public static func == (lhs: AllowlistPattern, rhs: AllowlistPattern) -> Bool {
        lhs.pattern == rhs.pattern && lhs.syntax == rhs.syntax
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(syntax)
    }

    /// Whether the image string matches the pattern.
    ///
    /// - Parameter image: The image exactly as written in the pod spec.
    /// - Returns: `true` on a match. Time is linear in the image length for patterns without inner stars and
    ///   at most image length × pattern length otherwise (no backtracking, whatever the input).
    public func matches(image: String) -> Bool {
        var image = image
        return image.withUTF8 { input in
            switch shape {
            case .exact(let literal):
                return input.elementsEqual(literal)
            case .prefix(let literal):
                guard input.count >= literal.count, input.prefix(literal.count).elementsEqual(literal) else {
                    return false
                }
                return !input[literal.count...].contains(UInt8(ascii: "/"))
            case .general(let elements):
                return Self.simulate(elements, input)
            }
        }
    }

    /// Runs the pattern as a non-deterministic automaton: state `i` means "the first `i` elements matched".
    private static func simulate(_ elements: [Element], _ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let stateCount = elements.count + 1
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: 2 * stateCount) { buffer in
            var current = UnsafeMutableBufferPointer(rebasing: buffer[0..<stateCount])
            var next = UnsafeMutableBufferPointer(rebasing: buffer[stateCount...])
            current.initialize(repeating: false)
            next.initialize(repeating: false)
            current[0] = true
            closeOverStars(elements, &current)
            for byte in input {
                var any = false
                for state in 0..<elements.count where current[state] {
                    switch elements[state] {
                    case .byte(let expected):
                        if expected == byte {
                            next[state + 1] = true
                            any = true
                        }
                    case .anyExceptSlash:
                        if byte != UInt8(ascii: "/") {
                            next[state] = true
                            any = true
                        }
                    case .wordOrDash:
                        if isWordOrDash(byte) {
                            next[state] = true
                            any = true
                        }
                    }
                }
                guard any else { return false }
                closeOverStars(elements, &next)
                swap(&current, &next)
                for index in 0..<stateCount { next[index] = false }
            }
            return current[elements.count]
        }
    }

    /// A star may match nothing: a live state before a star also makes the state after it live.
    private static func closeOverStars(_ elements: [Element], _ states: inout UnsafeMutableBufferPointer<Bool>) {
        for state in 0..<elements.count where states[state] {
            switch elements[state] {
            case .anyExceptSlash, .wordOrDash: states[state + 1] = true
            case .byte: break
            }
        }
    }

    private static func isWordOrDash(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
