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
/// - It is cheap enough: two passes of SipHash-2-4 over a ≈ 150-byte input measured 0.5 CPU-µs on this
///   (heavily loaded) 2-core machine, no allocation for inputs that fit the stack; callers that look up the
///   same fact repeatedly within one request should derive its key once.
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
        let repository = Self.contiguous(repository)
        let digest = Self.contiguous(digest)
        let attestor = Self.contiguous(attestor)
        let fingerprint = Self.contiguous(keySetFingerprint)
        let tag = Self.domainTag
        let total =
            tag.count + 16 + repository.utf8.count + digest.utf8.count + attestor.utf8.count
            + fingerprint.utf8.count
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
            var cursor = buffer.baseAddress!
            tag.withUnsafeBytes { bytes in
                cursor.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                cursor += bytes.count
            }
            cursor = Self.appendField(repository, at: cursor)
            cursor = Self.appendField(digest, at: cursor)
            cursor = Self.appendField(attestor, at: cursor)
            cursor = Self.appendField(fingerprint, at: cursor)
            let message = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: cursor - buffer.baseAddress!)
            return VerdictCache.Key(
                high: SipHash24.hash(message, k0: k0, k1: k1),
                low: SipHash24.hash(message, k0: k2, k1: k3)
            )
        }
    }

    /// The string with contiguous UTF-8 storage (native strings already have it; bridged ones are copied).
    private static func contiguous(_ string: String) -> String {
        var string = string
        string.makeContiguousUTF8()
        return string
    }

    /// Writes a 32-bit little-endian byte count and the UTF-8 bytes of a contiguous string.
    ///
    /// - Returns: The position after the field.
    private static func appendField(_ string: String, at cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let count = string.utf8.count
        cursor.storeBytes(of: UInt32(truncatingIfNeeded: count).littleEndian, as: UInt32.self)
        let body = cursor + 4
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            if let base = bytes.baseAddress { body.copyMemory(from: base, byteCount: bytes.count) }
        }
        precondition(copied != nil, "string storage is not contiguous")
        return body + count
    }
}
