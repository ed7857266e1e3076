/// Reads protocol primitives from a message body, enforcing the receiver's limits.
///
/// Every read names the field it reads, so an error says which field failed and at which body offset.
/// Lengths and counts are checked against the bytes left and against ``WireLimits`` before anything is
/// allocated.
public struct WireReader: Sendable {
    /// The body being read.
    public let bytes: [UInt8]
    /// The offset of the next unread byte.
    public private(set) var offset: Int
    /// The limits enforced on strings, byte strings and counts.
    public let limits: WireLimits
    /// The message being decoded, for error reasons (`CHECK`, `HELLO response`, …).
    public var context: String

    /// Creates a reader over a whole body.
    ///
    /// - Parameters:
    ///   - bytes: the uncompressed body.
    ///   - limits: the receiver's limits.
    ///   - context: the message name used in error reasons.
    public init(bytes: [UInt8], limits: WireLimits = .default, context: String = "body") {
        self.bytes = bytes
        self.offset = 0
        self.limits = limits
        self.context = context
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// Builds an error naming the field and the current offset.
    ///
    /// - Parameters:
    ///   - code: the status.
    ///   - field: the field being read.
    ///   - problem: what was wrong.
    /// - Returns: the error.
    public func error(_ code: WireStatus, _ field: String, _ problem: String) -> WireError {
        WireError(code, "\(context) \(field): \(problem) (body offset \(offset) of \(bytes.count))")
    }

    @inline(__always)
    private mutating func need(_ count: Int, _ field: @autoclosure () -> String) throws(WireError) {
        guard count <= remaining else {
            throw error(.badFrame, field(), "truncated: needs \(count) bytes, \(remaining) left")
        }
    }

    /// Reads one byte.
    public mutating func readUInt8(_ field: @autoclosure () -> String) throws(WireError) -> UInt8 {
        try need(1, field())
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a big-endian `u16`.
    public mutating func readUInt16(_ field: @autoclosure () -> String) throws(WireError) -> UInt16 {
        try need(2, field())
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// Reads a big-endian `u32`.
    public mutating func readUInt32(_ field: @autoclosure () -> String) throws(WireError) -> UInt32 {
        try need(4, field())
        let start = offset
        offset += 4
        return bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self)) }
    }

    /// Reads a big-endian `u64`.
    public mutating func readUInt64(_ field: @autoclosure () -> String) throws(WireError) -> UInt64 {
        try need(8, field())
        let start = offset
        offset += 8
        return bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
    }

    /// Reads an `f64` (IEEE 754 binary64 bit pattern, big-endian).
    public mutating func readDouble(_ field: @autoclosure () -> String) throws(WireError) -> Double {
        Double(bitPattern: try readUInt64(field()))
    }

    /// Reads a `bool`; any byte other than 0 or 1 is ``WireStatus/badFrame``.
    public mutating func readBool(_ field: @autoclosure () -> String) throws(WireError) -> Bool {
        switch try readUInt8(field()) {
        case 0: return false
        case 1: return true
        case let other: throw error(.badFrame, field(), "bool byte \(other) is neither 0 nor 1")
        }
    }

    /// Reads a `u32` length and checks it against the bytes left, then against `limit`.
    private mutating func length(
        _ field: @autoclosure () -> String,
        limit: UInt32,
        kind: String
    ) throws(WireError) -> Int {
        let length = try readUInt32(field())
        guard Int(length) <= remaining else {
            throw error(.badFrame, field(), "\(kind) length \(length) exceeds the \(remaining) bytes left")
        }
        guard length <= limit else {
            throw error(.fieldTooLarge, field(), "\(kind) length \(length) exceeds the limit \(limit)")
        }
        return Int(length)
    }

    /// Reads a `bytes` field (length at most ``WireLimits/maxBytesLength``).
    public mutating func readBytes(_ field: @autoclosure () -> String) throws(WireError) -> [UInt8] {
        let count = try length(field(), limit: limits.maxBytesLength, kind: "byte string")
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a `string` field (length at most ``WireLimits/maxStringLength``, valid UTF-8).
    public mutating func readString(_ field: @autoclosure () -> String) throws(WireError) -> String {
        let count = try length(field(), limit: limits.maxStringLength, kind: "string")
        let start = offset
        let decoded = bytes.withUnsafeBufferPointer { whole -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: whole[start..<start + count])
            // Names and image references are ASCII: skip the general validator when every byte is < 0x80.
            if utf8.allSatisfy({ $0 < 0x80 }) {
                return String(decoding: utf8, as: UTF8.self)
            }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let decoded else {
            throw error(.badFrame, field(), "string of \(count) bytes is not valid UTF-8")
        }
        offset += count
        return decoded
    }

    /// Reads an `optional<string>`: a presence byte 0 or 1, then the string if 1.
    public mutating func readOptionalString(_ field: @autoclosure () -> String) throws(WireError) -> String? {
        switch try readUInt8(field()) {
        case 0: return nil
        case 1: return try readString(field())
        case let other: throw error(.badFrame, field(), "optional presence byte \(other) is neither 0 nor 1")
        }
    }

    /// Reads an array count and checks it before anything is allocated.
    ///
    /// - Parameters:
    ///   - field: the array's name.
    ///   - minimumItemSize: the fewest bytes one item can take; `count × minimumItemSize` must fit in the
    ///     bytes left, so a hostile count is refused without allocating.
    /// - Returns: the count.
    /// - Throws: ``WireStatus/badFrame`` when the items cannot fit in the body, then
    ///   ``WireStatus/tooManyItems`` when the count exceeds ``WireLimits/maxBatchItems``.
    public mutating func readCount(
        _ field: @autoclosure () -> String,
        minimumItemSize: Int
    ) throws(WireError) -> Int {
        let count = try readUInt32(field())
        let (needed, overflow) = Int(count).multipliedReportingOverflow(by: Swift.max(minimumItemSize, 0))
        guard !overflow, needed <= remaining else {
            throw error(
                .badFrame,
                field(),
                "count \(count) needs at least \(count) × \(minimumItemSize) bytes, \(remaining) left"
            )
        }
        guard count <= limits.maxBatchItems else {
            throw error(.tooManyItems, field(), "count \(count) exceeds the limit \(limits.maxBatchItems)")
        }
        return Int(count)
    }

    /// Reads an `array<string>`.
    public mutating func readStrings(_ field: @autoclosure () -> String) throws(WireError) -> [String] {
        let count = try readCount(field(), minimumItemSize: 4)
        var result: [String] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(try readString("\(field())[\(index)]"))
        }
        return result
    }

    /// Reads an `array<T>` of messages.
    public mutating func readArray<Item: WireDecodable>(_ field: @autoclosure () -> String) throws(WireError) -> [Item]
    {
        let count = try readCount(field(), minimumItemSize: Item.minimumEncodedSize)
        var result: [Item] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(try Item(from: &self, field: "\(field())[\(index)]"))
        }
        return result
    }

    /// Checks that the whole body was read.
    ///
    /// - Throws: ``WireStatus/badFrame`` naming the number of trailing bytes.
    public func finish() throws(WireError) {
        guard remaining == 0 else {
            throw error(.badFrame, "end", "\(remaining) trailing bytes after the last field")
        }
    }
}
