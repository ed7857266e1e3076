/// Appends protocol primitives, big-endian, to a byte buffer.
///
/// The encodings are those of `protocol/PROTOCOL.md` §3: fixed-width integers, `bool` as one byte 0/1,
/// `f64` as the IEEE 754 bit pattern, `bytes` and `string` as a `u32` length then the bytes, `optional<T>`
/// as a presence byte then `T`, `array<T>` as a `u32` count then the items. The writer does not enforce the
/// peer's limits; the peer refuses what exceeds them.
public struct WireWriter: Sendable {
    /// The bytes written so far (including whatever the buffer held before).
    public var bytes: [UInt8]

    /// Creates a writer that appends to `bytes`.
    ///
    /// - Parameter bytes: existing content to append after; empty by default.
    public init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    /// Appends one byte.
    @inlinable public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends a big-endian `u16`.
    @inlinable public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a big-endian `u32`.
    @inlinable public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a big-endian `u64`.
    @inlinable public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an `f64`: the IEEE 754 binary64 bit pattern as a big-endian `u64`.
    @inlinable public mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    /// Appends a `bool`: one byte, 1 for true and 0 for false.
    @inlinable public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Appends a `bytes` field: `u32` length, then the bytes.
    @inlinable public mutating func write(bytes value: some Collection<UInt8>) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a `string` field: `u32` byte length, then the UTF-8 bytes (no terminator).
    @inlinable public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends an `optional<string>`: 0, or 1 then the string.
    @inlinable public mutating func write(_ value: String?) {
        if let value {
            write(UInt8(1))
            write(value)
        } else {
            write(UInt8(0))
        }
    }

    /// Appends an array count (`u32`).
    @inlinable public mutating func writeCount(_ count: Int) {
        write(UInt32(count))
    }

    /// Appends an `array<string>`.
    @inlinable public mutating func write(_ values: [String]) {
        writeCount(values.count)
        for value in values {
            write(value)
        }
    }

    /// Appends an `array<T>` of messages.
    @inlinable public mutating func write<Item: WireEncodable>(_ values: [Item]) {
        writeCount(values.count)
        for value in values {
            value.encode(into: &self)
        }
    }
}
