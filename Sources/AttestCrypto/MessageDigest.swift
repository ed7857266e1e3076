internal import AttestCore
internal import COpenSSL

/// A message digest algorithm fetched from OpenSSL's default provider once per process.
///
/// `EVP_sha256()` and friends return legacy handles that make OpenSSL fetch the implementation again, under
/// a lock, on every `EVP_DigestInit`; an explicitly fetched `EVP_MD` skips that. The fetched object never
/// changes after construction, so it is shared by every thread.
final class MessageDigest: @unchecked Sendable {
    /// The fetched `EVP_MD`.
    let pointer: OpaquePointer
    /// The digest length in bytes.
    let size: Int

    private init(name: String, legacy: () -> OpaquePointer?) {
        // A provider-less libcrypto cannot fetch; the legacy handle still works, only slower.
        if let fetched = EVP_MD_fetch(nil, name, nil) {
            pointer = fetched
        } else {
            OpenSSLErrorQueue.drain()
            pointer = legacy()!
        }
        size = Int(COpenSSL_EVP_MD_size(pointer))
    }

    deinit { EVP_MD_free(pointer) }

    /// SHA-256, fetched once.
    static let sha256 = MessageDigest(name: "SHA2-256") { EVP_sha256() }
    /// SHA-384, fetched once.
    static let sha384 = MessageDigest(name: "SHA2-384") { EVP_sha384() }
    /// SHA-512, fetched once.
    static let sha512 = MessageDigest(name: "SHA2-512") { EVP_sha512() }

    /// The fetched digest for an algorithm's hash.
    ///
    /// - Parameter hash: The hash an algorithm names.
    /// - Returns: The shared fetched digest.
    static func forHash(_ hash: SignatureAlgorithm.Hash) -> MessageDigest {
        switch hash {
        case .sha256: sha256
        case .sha384: sha384
        case .sha512: sha512
        }
    }

    /// Hashes a buffer in one call.
    ///
    /// - Parameters:
    ///   - message: The bytes to hash.
    ///   - output: Where to write the digest; at least ``size`` bytes.
    /// - Returns: `true` on success; `false` only when OpenSSL failed (its queue is then cleared).
    func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) -> Bool {
        var length: UInt32 = 0
        let ok = EVP_Digest(message.baseAddress ?? emptyInput, message.count, output, &length, pointer, nil)
        if ok != 1 {
            OpenSSLErrorQueue.drain()
            return false
        }
        return true
    }
}

/// A valid address for zero-length inputs: some OpenSSL paths reject a NULL pointer even with length 0.
nonisolated(unsafe) let emptyInput = UnsafeRawPointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
