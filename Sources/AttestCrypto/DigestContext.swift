internal import COpenSSL

/// An `EVP_MD_CTX` reused across operations by one thread.
final class DigestContext {
    private let pointer: OpaquePointer

    init() {
        // EVP_MD_CTX_new fails only when memory is exhausted, where Swift itself traps.
        guard let made = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        pointer = made
    }

    deinit { EVP_MD_CTX_free(pointer) }

    /// Hashes a message into `output` (at least `digest.size` bytes).
    ///
    /// - Returns: `false` when OpenSSL failed; its error queue is left for the caller to drain.
    func hash(
        _ message: UnsafeRawBufferPointer,
        with digest: MessageDigest,
        into output: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        var length: UInt32 = 0
        return EVP_DigestInit_ex2(pointer, digest.pointer, nil) == 1
            && EVP_DigestUpdate(pointer, message.baseAddress ?? emptyInput, message.count) == 1
            && EVP_DigestFinal_ex(pointer, output, &length) == 1
    }

    /// Prepares a one-shot `EVP_DigestVerify` with `key` (and no digest for Ed25519).
    ///
    /// - Returns: `false` when OpenSSL failed; its error queue is left for the caller to drain.
    func initVerify(key: OpaquePointer, digest: MessageDigest?) -> Bool {
        EVP_MD_CTX_reset(pointer)
        return EVP_DigestVerifyInit(pointer, nil, digest?.pointer, nil, key) == 1
    }

    /// Runs the one-shot verification prepared by ``initVerify(key:digest:)``.
    ///
    /// - Returns: Whether the signature is valid; OpenSSL's error queue is cleared when it is not.
    func digestVerify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        let result = EVP_DigestVerify(
            pointer,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self),
            signature.count,
            (message.baseAddress ?? emptyInput).assumingMemoryBound(to: UInt8.self),
            message.count
        )
        if result != 1 { OpenSSLErrorQueue.drain() }
        return result == 1
    }
}
