/// Derives ``VerdictCache/Key`` values with a keyed pseudo-random function.
///
/// Why this construction (the comment the cache's security rests on):
///
/// A collision between the key of an attested (repository, digest, attestor, fingerprint) and the key of an
/// unattested one would let the cache admit an image, so the 128-bit key must be practically impossible to
/// collide, even for someone who chooses repository names and pushes images (and so chooses digests).
///
/// - An unkeyed hash truncated to 128 bits (SHA-256/128) leaves a generic birthday attack of 2^64 hash
///   evaluations that can be run offline; 2^64 SHA-256 evaluations are within reach of mining hardware.
/// - Instead the key is the concatenation of two SipHash-2-4 outputs under two independent, secret, random
///   128-bit keys drawn from the system generator when the cache is created. SipHash-2-4 is a well-analysed
///   PRF with 64-bit output (the standard defence against hash flooding); two independent instances give a
///   128-bit PRF. Nobody outside the process knows the secret, and the derived keys are never revealed (the
///   cache answers only "hit" or "miss"), so there is nothing to attack offline: the chance that any two of
///   q distinct inputs ever collide is about q²/2^129, i.e. below 2^-49 even after 2^40 distinct inputs.
/// - The input is unambiguous: a domain tag, then each field as a 32-bit little-endian byte count followed by
///   its UTF-8 bytes, so no two different tuples encode to the same bytes (no `"ab"+"c"` = `"a"+"bc"`).
/// - It is also cheap: ≈ 0.1 µs for typical field lengths, where SHA-256 in Swift would cost several times
///   that on every cache probe.
///
/// The cache is in memory only, so a per-process secret costs nothing: keys never need to be stable across
/// restarts.
public struct VerdictCacheKeyDeriver: Sendable {
    private let k0: UInt64
    private let k1: UInt64
    private let k2: UInt64
    private let k3: UInt64

    /// The domain tag that starts every encoded input; bump its version when the encoding changes.
    static let domainTag: [UInt8] = Array("attestd.verdict-cache.v1".utf8)

    /// Creates a deriver with a fresh secret from the system's cryptographically secure generator.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(secret: (generator.next(), generator.next(), generator.next(), generator.next()))
    }

    /// Creates a deriver with a given secret (tests that need reproducible keys).
    ///
    /// - Parameter secret: Two 128-bit SipHash keys, as four 64-bit words.
    public init(secret: (UInt64, UInt64, UInt64, UInt64)) {
        (k0, k1, k2, k3) = secret
    }

    /// Derives the key of one cryptographic fact.
    ///
    /// - Parameters:
    ///   - repository: The normalised repository identity, e.g. `docker.io/library/alpine`.
    ///   - digest: The image manifest digest in its canonical spelling, e.g. `sha256:…`.
    ///   - attestor: The attestor name.
    ///   - keySetFingerprint: The fingerprint of the attestor's key set (changes whenever a key does).
    /// - Returns: The 128-bit key.
    public func key(
        repository: String,
        digest: String,
        attestor: String,
        keySetFingerprint: String
    ) -> VerdictCache.Key {
        var repository = repository
        var digest = digest
        var attestor = attestor
        var fingerprint = keySetFingerprint
        // Native strings are contiguous already; this only copies bridged or lazily built ones.
        repository.makeContiguousUTF8()
        digest.makeContiguousUTF8()
        attestor.makeContiguousUTF8()
        fingerprint.makeContiguousUTF8()
        let tag = Self.domainTag
        let total =
            tag.count + 16 + repository.utf8.count + digest.utf8.count + attestor.utf8.count
            + fingerprint.utf8.count
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
            var offset = 0
            func append(_ bytes: UnsafeRawBufferPointer) {
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                offset += bytes.count
            }
            func appendField(_ string: String) {
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: string.utf8.count).littleEndian) { append($0) }
                string.utf8.withContiguousStorageIfAvailable { bytes in
                    if let base = bytes.baseAddress { append(UnsafeRawBufferPointer(start: base, count: bytes.count)) }
                }!
            }
            tag.withUnsafeBytes { append($0) }
            appendField(repository)
            appendField(digest)
            appendField(attestor)
            appendField(fingerprint)
            let message = UnsafeRawBufferPointer(buffer)
            return VerdictCache.Key(
                high: SipHash24.hash(message, k0: k0, k1: k1),
                low: SipHash24.hash(message, k0: k2, k1: k3)
            )
        }
    }
}
