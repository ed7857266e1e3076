internal import AttestCore
internal import COpenSSL

/// An `EVP_PKEY_CTX` set up once to verify digests with one key under one algorithm.
///
/// Mutable OpenSSL state: it belongs to the ``VerifierContext`` (and so the thread) that made it.
final class VerifyKeyContext {
    private let pointer: OpaquePointer
    /// Keeps the `EVP_PKEY` alive, and the key's identity stable while the context is cached.
    let key: PublicKey
    /// When the owning verifier last used this context, for least-recently-used eviction.
    var lastUse: UInt64 = 0

    /// Creates and configures a verification context.
    ///
    /// - Throws: ``CryptoError`` `.libraryFailure` when OpenSSL refuses any step.
    init(key: PublicKey, algorithm: SignatureAlgorithm, digest: MessageDigest) throws {
        guard let made = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "creating a verification context for \(key) failed")
        }
        var ok = EVP_PKEY_verify_init(made) == 1
        if ok, algorithm.keyFamily == .rsa {
            if algorithm.isPSS {
                // Signers use digest-length or maximum salt: recover it from the signature.
                ok =
                    COpenSSL_EVP_PKEY_CTX_set_rsa_padding(made, COpenSSL_RSA_PKCS1_PSS_PADDING) == 1
                    && COpenSSL_EVP_PKEY_CTX_set_rsa_pss_saltlen(made, COpenSSL_RSA_PSS_SALTLEN_AUTO) == 1
                    && COpenSSL_EVP_PKEY_CTX_set_rsa_mgf1_md(made, digest.pointer) == 1
            } else {
                ok = COpenSSL_EVP_PKEY_CTX_set_rsa_padding(made, COpenSSL_RSA_PKCS1_PADDING) == 1
            }
        }
        ok = ok && COpenSSL_EVP_PKEY_CTX_set_signature_md(made, digest.pointer) == 1
        guard ok else {
            EVP_PKEY_CTX_free(made)
            throw OpenSSLErrorQueue.error(
                .libraryFailure,
                "configuring \(algorithm.name) verification for \(key) failed"
            )
        }
        pointer = made
        self.key = key
    }

    deinit { EVP_PKEY_CTX_free(pointer) }

    /// Checks a signature over a digest.
    ///
    /// - Returns: Whether the signature is valid; OpenSSL's error queue is cleared when it is not.
    func verify(signature: UnsafeRawBufferPointer, digest: UnsafePointer<UInt8>, digestSize: Int) -> Bool {
        let result = EVP_PKEY_verify(
            pointer,
            signature.baseAddress!.assumingMemoryBound(to: UInt8.self),
            signature.count,
            digest,
            digestSize
        )
        if result != 1 { OpenSSLErrorQueue.drain() }
        return result == 1
    }
}
