/// A JSON object: members in document order, unique keys, and lookup by key.
///
/// Keys are compared by their exact UTF-8 bytes, as Go and RFC 8259 compare them, never by Swift's Unicode
/// canonical equivalence, so `"K"` and `"\u212A"` (KELVIN SIGN) are two different keys. Small objects are
/// searched linearly; larger ones keep a hash index.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    /// One `"key": value` member.
    public struct Member: Sendable, Hashable {
        /// The member name.
        public var key: String
        /// The member value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The number of members above which lookups go through a hash index.
    private static let indexThreshold = 12

    /// The members in document (or insertion) order.
    public private(set) var members: [Member]
    private var index: [ExactKey: Int]

    /// Creates an empty object.
    public init() {
        members = []
        index = [:]
    }

    /// Creates an object from key–value pairs, in order.
    ///
    /// - Parameter pairs: the members; every key must be distinct (a repeated key is a programming error and
    ///   traps; use ``StrictJSON`` to parse untrusted input).
    public init(uniqueKeysWithValues pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in pairs {
            precondition(appendIfAbsent(key: key, value: value), "duplicate JSON key \"\(key)\"")
        }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the member named `key`; setting replaces it in place, appends a new member, or (with
    /// `nil`) removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { members[$0].value }
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                _ = appendIfAbsent(key: key, value: newValue)
            }
        }
    }

    /// Whether a member is named `key`.
    public func contains(key: String) -> Bool { position(of: key) != nil }

    /// Appends a member unless the key is already present.
    ///
    /// - Returns: `false` (and leaves the object unchanged) when `key` is already a member.
    @discardableResult
    mutating func appendIfAbsent(key: String, value: JSONValue) -> Bool {
        guard position(of: key) == nil else { return false }
        appendUnchecked(key: key, value: value)
        return true
    }

    /// Appends a member whose key the caller has checked is absent.
    mutating func appendUnchecked(key: String, value: JSONValue) {
        members.append(Member(key: key, value: value))
        if members.count > Self.indexThreshold {
            if index.isEmpty {
                rebuildIndex()
            } else {
                index[ExactKey(key)] = members.count - 1
            }
        }
    }

    private func position(of key: String) -> Int? {
        if members.count > Self.indexThreshold {
            return index[ExactKey(key)]
        }
        return members.firstIndex { $0.key.hasSameBytes(as: key) }
    }

    private mutating func rebuildIndex() {
        index = [:]
        guard members.count > Self.indexThreshold else { return }
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() {
            index[ExactKey(member.key)] = position
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy {
                $0.key.hasSameBytes(as: $1.key) && $0.value == $1.value
            }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            ExactKey(member.key).hash(into: &hasher)
            hasher.combine(member.value)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Builds an object from a literal; the keys must be distinct.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(uniqueKeysWithValues: elements)
    }
}

/// A string key hashed and compared by its UTF-8 bytes rather than by canonical equivalence.
private struct ExactKey: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { lhs.text.hasSameBytes(as: rhs.text) }

    func hash(into hasher: inout Hasher) { hasher.combine(bytesOf: text) }
}
