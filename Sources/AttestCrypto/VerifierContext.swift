public import AttestCore
internal import COpenSSL

/// Per-worker scratch state for verifying signatures at OpenSSL's full speed.
///
/// One context belongs to one thread at a time (a Dispatch worker keeps its own): it is not `Sendable`. It
/// hashes the message with a reused digest context and a digest fetched once, then checks the digest with an
/// `EVP_PKEY_CTX` that it set up once per (key, algorithm) and keeps, so the per-call cost is the hash and
/// the public-key operation. This is ≈ 20 % faster than the textbook `EVP_DigestVerify` per call
/// (``BareOpenSSLVerifier``).
///
/// The kept contexts hold their keys strongly; at most `capacity` (key, algorithm) pairs are kept, the least
/// recently used one making room for a new one.
public final class VerifierContext {
    /// How many (key, algorithm) contexts a verifier keeps by default.
    public static let defaultCapacity = 64

    private struct CacheKey: Hashable {
        let key: ObjectIdentifier
        let algorithm: SignatureAlgorithm
    }

    private let capacity: Int
    private var contexts: [CacheKey: VerifyKeyContext] = [:]
    private var uses: UInt64 = 0
    /// Hashes messages; never used for `EVP_DigestVerify`, whose signature state would poison a later hash.
    private let digestContext: DigestContext
    /// Runs one-shot Ed25519 verifications; made on first use.
    private lazy var ed25519Context = DigestContext()
    private let digestBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(EVP_MAX_MD_SIZE))

    /// Creates a context.
    ///
    /// - Parameter capacity: How many (key, algorithm) pairs to keep ready; at least 1.
    public init(capacity: Int = VerifierContext.defaultCapacity) {
        self.capacity = max(1, capacity)
        self.digestContext = DigestContext()
    }

    deinit { digestBuffer.deallocate() }

    /// How many (key, algorithm) contexts are kept right now.
    public var cachedContextCount: Int { contexts.count }

    /// Verifies a signature.
    ///
    /// - Parameters:
    ///   - signature: The signature (RSA: exactly the modulus length; ECDSA: ASN.1 DER or raw r‖s;
    ///     Ed25519: 64 bytes).
    ///   - message: The exact signed bytes.
    ///   - key: A parsed public key.
    ///   - algorithm: The algorithm to verify under.
    /// - Returns: `true` when the signature is valid; `false` for every invalid signature (wrong length,
    ///   all zero, above the modulus, garbage DER, another padding scheme, another key or message).
    /// - Throws: ``CryptoError`` `.algorithmMismatch` when `key` does not fit `algorithm`, `.libraryFailure`
    ///   when OpenSSL cannot set up the operation.
    public func verify(
        signature: [UInt8],
        message: [UInt8],
        key: PublicKey,
        algorithm: SignatureAlgorithm
    ) throws -> Bool {
        try signature.withUnsafeBytes { signature in
            try message.withUnsafeBytes { message in
                try verify(signature: signature, message: message, key: key, algorithm: algorithm)
            }
        }
    }

    /// Verifies a signature held in raw buffers, without copying either.
    ///
    /// - Parameters:
    ///   - signature: The signature bytes.
    ///   - message: The exact signed bytes.
    ///   - key: A parsed public key.
    ///   - algorithm: The algorithm to verify under.
    /// - Returns: `true` when the signature is valid, `false` otherwise.
    /// - Throws: ``CryptoError`` `.algorithmMismatch`, `.libraryFailure`.
    public func verify(
        signature: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer,
        key: PublicKey,
        algorithm: SignatureAlgorithm
    ) throws -> Bool {
        try key.shape.ensureCompatible(with: algorithm)
        guard let hash = algorithm.hash else {
            return try verifyEd25519(signature: signature, message: message, key: key)
        }
        if key.shape.family == .rsa, signature.count != key.shape.maximumSignatureSize {
            return false
        }
        guard signature.count > 0 else { return false }
        let digest = MessageDigest.forHash(hash)
        guard digestContext.hash(message, with: digest, into: digestBuffer) else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "hashing the message with \(hash.rawValue) failed")
        }
        let context = try keyContext(for: key, algorithm: algorithm, digest: digest)
        let result = context.verify(signature: signature, digest: digestBuffer, digestSize: digest.size)
        if result || algorithm.keyFamily != .ec {
            return result
        }
        // A raw r‖s signature: exactly twice the field size (a DER one of that length was tried above).
        guard let field = key.shape.fieldBytes, signature.count == 2 * field,
            let der = ECDSASignature.derFromRaw(signature)
        else { return false }
        return der.withUnsafeBytes { der in
            context.verify(signature: der, digest: digestBuffer, digestSize: digest.size)
        }
    }

    private func verifyEd25519(
        signature: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer,
        key: PublicKey
    ) throws -> Bool {
        guard signature.count == 64 else { return false }
        guard ed25519Context.initVerify(key: key.pointer, digest: nil) else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "setting up Ed25519 verification failed")
        }
        return ed25519Context.digestVerify(signature: signature, message: message)
    }

    private func keyContext(
        for key: PublicKey,
        algorithm: SignatureAlgorithm,
        digest: MessageDigest
    ) throws -> VerifyKeyContext {
        uses &+= 1
        let cacheKey = CacheKey(key: ObjectIdentifier(key), algorithm: algorithm)
        // The entry holds `key` strongly, so its ObjectIdentifier cannot be reused by another key meanwhile.
        if let found = contexts[cacheKey] {
            found.lastUse = uses
            return found
        }
        let made = try VerifyKeyContext(key: key, algorithm: algorithm, digest: digest)
        made.lastUse = uses
        if contexts.count >= capacity, let oldest = contexts.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            contexts[oldest.key] = nil
        }
        contexts[cacheKey] = made
        return made
    }
}

// MARK: - Thread-local instance

private let threadLocal = ThreadLocalInstance { VerifierContext() }

extension VerifierContext {
    /// The calling thread's own context, created on first use and released when the thread ends.
    static var forCurrentThread: VerifierContext { threadLocal.current }
}
