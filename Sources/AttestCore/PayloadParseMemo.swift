/// The calling thread's recently parsed payloads, recognised by the storage of the payload array itself.
///
/// A daemon re-verifying the same images gets the same `[UInt8]` payloads back from its store's record cache
/// each time; parsing one again costs a scan and a few string allocations for fields that cannot have changed.
/// A slot keeps the array it parsed (a strong reference to its storage), so while the slot holds it no other
/// array can have that storage address: an array whose elements start at the same address with the same count
/// *is* that array, and its bytes are the bytes that were parsed. Arrays with equal bytes but other storage
/// are parsed again and take the slot; nothing is ever compared by hash.
///
/// Only successful parses are kept, within ``maximumRetainedBytes`` of payloads. One memo belongs to one thread
/// (``forCurrentThread``): it takes no lock. ``PayloadChecker`` uses it only when asked to (`remembersParses`).
final class PayloadParseMemo {
    /// How many payloads a thread keeps (a power of two): as many images as the store's record cache keeps by
    /// default, so that a cycle of re-verified images the record cache holds is not parsed again either.
    static let slotCount = 16_384

    private struct Slot {
        /// Holds the parsed array's storage, so that no other array can start at ``addresses``' entry.
        var bytes: [UInt8]
        var payload: SimpleSigningPayload
    }

    /// The most payload bytes a thread's slots keep alive, so that large payloads cannot pin much memory (the
    /// arrays are usually the record cache's own, but a slot keeps one alive after the cache drops it).
    static let maximumRetainedBytes = 8 << 20

    /// Each slot's array storage address (0 for an empty slot), apart from the slots so that a lookup reads
    /// one word per candidate instead of a whole slot.
    private var addresses = [UInt](repeating: 0, count: PayloadParseMemo.slotCount)
    /// Bytes of the arrays the slots hold.
    private(set) var retainedBytes = 0
    private var slots: [Slot?] = Array(repeating: nil, count: PayloadParseMemo.slotCount)
    /// Payloads answered from a slot, for tests.
    private(set) var hits = 0

    /// The payload parsed from `bytes`: remembered when this very array was parsed before on this thread,
    /// otherwise `parse()`'s answer, remembered when it succeeds.
    ///
    /// - Parameters:
    ///   - bytes: the payload bytes.
    ///   - parse: parses `bytes`; it decides every refusal.
    /// - Returns: the parsed payload.
    /// - Throws: whatever `parse` throws.
    func payload(
        for bytes: [UInt8],
        parse: () throws(PayloadError) -> SimpleSigningPayload
    ) throws(PayloadError) -> SimpleSigningPayload {
        guard let address = Self.storageAddress(of: bytes) else { return try parse() }
        // Two candidate slots (an even one and its neighbour), so that two arrays meeting at one index do not
        // evict each other in turn. An array's count lives in its storage: the same storage is the same array.
        let first = Self.slotIndex(address)
        let second = first ^ 1
        let found = addresses[first] == address ? first : addresses[second] == address ? second : nil
        if let found, let slot = slots[found] {
            hits += 1
            return slot.payload
        }
        let payload = try parse()
        let index = addresses[first] == 0 || addresses[second] != 0 ? first : second
        let freed = slots[index]?.bytes.count ?? 0
        guard retainedBytes - freed + bytes.count <= Self.maximumRetainedBytes else { return payload }
        slots[index] = Slot(bytes: bytes, payload: payload)
        addresses[index] = address
        retainedBytes += bytes.count - freed
        return payload
    }

    /// Where a non-empty array's elements start; `nil` for an empty one (empty arrays share one storage).
    private static func storageAddress(of bytes: [UInt8]) -> UInt? {
        guard !bytes.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { UInt(bitPattern: $0) } }
    }

    /// A slot for an address: allocations are 16-byte aligned, so the low bits are dropped and the rest mixed.
    private static func slotIndex(_ address: UInt) -> Int {
        let mixed = (address >> 4) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> (UInt.bitWidth - slotCount.trailingZeroBitCount))
    }
}

// MARK: - Thread-local instance

private let threadLocal = ThreadLocalInstance { PayloadParseMemo() }

extension PayloadParseMemo {
    /// The calling thread's memo, created on first use and released when the thread ends.
    static var forCurrentThread: PayloadParseMemo { threadLocal.current }
}
