internal import COpenSSL

/// SHA-256 through OpenSSL, with the digest fetched once per process.
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// Hashes bytes.
    ///
    /// - Parameter bytes: The message.
    /// - Returns: The 32-byte digest.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hashes a raw buffer.
    ///
    /// - Parameter bytes: The message.
    /// - Returns: The 32-byte digest.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let digest = MessageDigest.sha256
        return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            // EVP_Digest with a fetched SHA-256 fails only when memory is exhausted, where Swift traps too.
            precondition(digest.hash(bytes, into: buffer.baseAddress!), "OpenSSL SHA-256 failed")
            initialized = byteCount
        }
    }

    /// Hashes bytes and spells the digest in lower-case hex.
    ///
    /// - Parameter bytes: The message.
    /// - Returns: 64 lower-case hex digits.
    public static func hexHash(_ bytes: [UInt8]) -> String {
        Hex.encode(hash(bytes))
    }
}
