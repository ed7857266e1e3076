import AttestCrypto
import Synchronization

/// Parsed inline VERIFY keys, by their exact bytes: parsing a public key costs ≈ 0.7 ms, so a client that
/// sends the same key with every request pays for it once.
///
/// Bounded: when full, the whole table is dropped (a hostile client cycling through keys costs only parse
/// time, never memory). Parsing happens outside the lock, on the worker that needs the key.
final class InlineKeyCache: Sendable {
    private let capacity: Int
    private let keys = Mutex<[[UInt8]: PublicKey]>([:])

    /// Creates an empty cache.
    ///
    /// - Parameter capacity: the most keys kept.
    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The parsed key for some bytes, parsing and remembering it on first use.
    ///
    /// - Parameter bytes: DER SubjectPublicKeyInfo or PEM.
    /// - Returns: the key.
    /// - Throws: `CryptoError` when the bytes are not a supported public key (failures are not remembered).
    func key(for bytes: [UInt8]) throws -> PublicKey {
        if let key = keys.withLock({ $0[bytes] }) { return key }
        let key = try PublicKey.parse(bytes)
        keys.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[bytes] = key
        }
        return key
    }
}
