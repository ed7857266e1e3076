public import AttestCore
internal import COpenSSL

/// The baseline: the textbook OpenSSL verification, one `EVP_DigestVerifyInit` + `EVP_DigestVerify` per call.
///
/// It uses a parsed key and the prefetched digest and nothing else: no reused contexts, no raw r‖s ECDSA.
/// Benchmarks and `attestctl bench --baseline` run it beside ``VerifierContext`` to measure what attestd's
/// own path costs or saves against plain OpenSSL.
public struct BareOpenSSLVerifier: Sendable {
    /// The key signatures are checked against.
    public let key: PublicKey
    /// The algorithm signatures are checked under.
    public let algorithm: SignatureAlgorithm

    /// Creates a baseline verifier.
    ///
    /// - Parameters:
    ///   - key: A parsed public key.
    ///   - algorithm: The algorithm; it must fit the key.
    /// - Throws: ``CryptoError`` `.algorithmMismatch` when it does not.
    public init(key: PublicKey, algorithm: SignatureAlgorithm) throws {
        try key.ensureCompatible(with: algorithm)
        self.key = key
        self.algorithm = algorithm
    }

    /// Verifies a signature the textbook way.
    ///
    /// - Parameters:
    ///   - signature: The signature (ECDSA: DER only).
    ///   - message: The exact signed bytes.
    /// - Returns: `true` when OpenSSL accepts the signature; `false` otherwise, including setup failures.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in verify(signature: signature, message: message) }
        }
    }

    /// Verifies a signature held in raw buffers the textbook way.
    ///
    /// - Parameters:
    ///   - signature: The signature (ECDSA: DER only).
    ///   - message: The exact signed bytes.
    /// - Returns: `true` when OpenSSL accepts the signature; `false` otherwise, including setup failures.
    public func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard let context = EVP_MD_CTX_new() else {
            OpenSSLErrorQueue.drain()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        let digest = algorithm.hash.map(MessageDigest.forHash)
        var keyContext: OpaquePointer? = nil
        var ok = EVP_DigestVerifyInit(context, &keyContext, digest?.pointer, nil, key.pointer) == 1
        if ok, algorithm.isPSS, let keyContext {
            ok =
                COpenSSL_EVP_PKEY_CTX_set_rsa_padding(keyContext, COpenSSL_RSA_PKCS1_PSS_PADDING) == 1
                && COpenSSL_EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, COpenSSL_RSA_PSS_SALTLEN_AUTO) == 1
        }
        guard ok else {
            OpenSSLErrorQueue.drain()
            return false
        }
        let result = EVP_DigestVerify(
            context,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self),
            signature.count,
            (message.baseAddress ?? emptyInput).assumingMemoryBound(to: UInt8.self),
            message.count
        )
        if result != 1 { OpenSSLErrorQueue.drain() }
        return result == 1
    }
}
