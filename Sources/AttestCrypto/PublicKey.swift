public import AttestCore
internal import COpenSSL

/// A parsed public key, ready to verify signatures: parse it once and reuse it.
///
/// Parsing costs ≈ 0.2–0.7 ms and thousands of allocations in OpenSSL 3, a verification ≈ 30 µs, so attestd
/// parses each attestor key when configuration loads. The underlying `EVP_PKEY` never changes after
/// parsing, so one instance is shared by every worker thread.
///
/// Accepted: RSA of at least 2048 bits, EC on P-256/P-384/P-521, Ed25519. Two keys are equal when their
/// DER SubjectPublicKeyInfo is identical.
public final class PublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The largest encoded key (PEM text or DER) accepted; real keys are under 3 KiB.
    public static let maximumEncodedSize = 64 * 1024

    /// The parsed `EVP_PKEY`; immutable after construction.
    let pointer: OpaquePointer
    let shape: KeyShape

    /// The DER SubjectPublicKeyInfo, re-encoded by OpenSSL (canonical even when parsed from PKCS#1).
    public let spkiDER: [UInt8]
    /// SHA-256 of ``spkiDER``: the key's stable fingerprint.
    public let fingerprint: [UInt8]

    /// The key family: `rsa`, `ec` or `ed25519`.
    public var family: SignatureAlgorithm.KeyFamily { shape.family }
    /// The key size in bits (RSA modulus size, EC field size, 253 for Ed25519).
    public var bits: Int { shape.bits }
    /// The curve of an EC key; `nil` for RSA and Ed25519.
    public var curve: SignatureAlgorithm.Curve? { shape.curve }
    /// The fingerprint in lower-case hex.
    public var fingerprintHex: String { Hex.encode(fingerprint) }
    /// The kritis key id: `ni:///sha-256;` followed by the unpadded base64url fingerprint (RFC 6920).
    public var kritisKeyID: String { "ni:///sha-256;" + Base64.encodeURLSafe(fingerprint) }
    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pem: String { PEMBlock(label: "PUBLIC KEY", der: spkiDER).text }

    public var description: String { "\(shape.summary) \(fingerprintHex.prefix(16))" }

    private init(owning pointer: OpaquePointer, shape: KeyShape, spkiDER: [UInt8]) {
        self.pointer = pointer
        self.shape = shape
        self.spkiDER = spkiDER
        self.fingerprint = SHA256.hash(spkiDER)
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Parses a PEM public key: SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    ///
    /// - Parameter pem: Exactly one PEM block; only whitespace may surround it.
    /// - Throws: ``CryptoError`` `.malformedKey` (no block, truncated, bad base64, bad DER, another label),
    ///   `.trailingData` (text after the block, bytes after the DER), `.keyTooSmall`, `.unsupportedKeyType`,
    ///   `.inputTooLarge`.
    public convenience init(pem: String) throws {
        guard pem.utf8.count <= Self.maximumEncodedSize else {
            throw CryptoError(
                .inputTooLarge,
                "public key: PEM of \(pem.utf8.count) bytes exceeds the \(Self.maximumEncodedSize)-byte limit"
            )
        }
        let block = try PEMBlock(parsing: pem, what: "public key")
        let pointer: OpaquePointer
        switch block.label {
        case "PUBLIC KEY":
            pointer = try DERDecoding.publicKey(block.der, what: "public key (PEM PUBLIC KEY)", format: .spki)
        case "RSA PUBLIC KEY":
            pointer = try DERDecoding.publicKey(block.der, what: "public key (PEM RSA PUBLIC KEY)", format: .pkcs1RSA)
        default:
            throw CryptoError(
                .malformedKey,
                "public key: PEM label '\(block.label)' is not a public key; expected 'PUBLIC KEY' or 'RSA PUBLIC KEY'"
            )
        }
        try self.init(adopting: pointer, what: "public key")
    }

    /// Parses a DER SubjectPublicKeyInfo.
    ///
    /// - Parameter der: The DER bytes, nothing after them.
    /// - Throws: ``CryptoError`` `.malformedKey`, `.trailingData`, `.keyTooSmall`, `.unsupportedKeyType`,
    ///   `.inputTooLarge`.
    public convenience init(der: [UInt8]) throws {
        guard der.count <= Self.maximumEncodedSize else {
            throw CryptoError(
                .inputTooLarge,
                "public key: DER of \(der.count) bytes exceeds the \(Self.maximumEncodedSize)-byte limit"
            )
        }
        let pointer = try DERDecoding.publicKey(der, what: "public key (DER SubjectPublicKeyInfo)", format: .spki)
        try self.init(adopting: pointer, what: "public key")
    }

    /// Takes ownership of a parsed key, freeing it if it is refused.
    convenience init(adopting pointer: OpaquePointer, what: String) throws {
        let shape: KeyShape
        let der: [UInt8]
        do {
            shape = try KeyShape(inspecting: pointer, what: what)
            der = try Self.encodeSPKI(pointer, what: what)
        } catch {
            EVP_PKEY_free(pointer)
            throw error
        }
        self.init(owning: pointer, shape: shape, spkiDER: der)
    }

    /// Parses a public key given as PEM text or DER bytes, telling them apart by their first bytes.
    ///
    /// - Parameter bytes: PEM text (UTF-8) or a DER SubjectPublicKeyInfo.
    /// - Returns: The parsed key.
    /// - Throws: ``CryptoError`` as ``init(pem:)`` and ``init(der:)``; `.malformedKey` when the bytes are
    ///   neither.
    public static func parse(_ bytes: [UInt8]) throws -> PublicKey {
        guard bytes.count <= maximumEncodedSize else {
            throw CryptoError(
                .inputTooLarge,
                "public key: \(bytes.count) bytes exceed the \(maximumEncodedSize)-byte limit"
            )
        }
        let firstNonSpace = bytes.first { !(0x09...0x0d).contains($0) && $0 != 0x20 }
        switch firstNonSpace {
        case UInt8(ascii: "-"):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CryptoError(.malformedKey, "public key: PEM text is not valid UTF-8")
            }
            return try PublicKey(pem: text)
        case 0x30 where bytes.first == 0x30:
            return try PublicKey(der: bytes)
        case nil:
            throw CryptoError(.malformedKey, "public key: empty input")
        default:
            throw CryptoError(
                .malformedKey,
                "public key: input is neither PEM ('-----BEGIN') nor DER (a SEQUENCE, byte 0x30); first byte 0x"
                    + Hex.encode([bytes[0]])
            )
        }
    }

    // MARK: - Algorithms

    /// Checks that this key can verify signatures of an algorithm.
    ///
    /// - Parameter algorithm: The algorithm configured for the key.
    /// - Throws: ``CryptoError`` `.algorithmMismatch` (an EC key under `rsa-pss-sha256`, a P-384 key under
    ///   `ecdsa-p256-sha256`, an RSA key under `ed25519`, …).
    public func ensureCompatible(with algorithm: SignatureAlgorithm) throws {
        try shape.ensureCompatible(with: algorithm)
    }

    /// Verifies a signature with a verifier context private to the calling thread.
    ///
    /// - Parameters:
    ///   - signature: The signature bytes (ECDSA: DER or raw r‖s).
    ///   - message: The exact signed bytes.
    ///   - algorithm: The algorithm to verify under.
    /// - Returns: `true` when the signature is valid; `false` for every invalid signature.
    /// - Throws: ``CryptoError`` `.algorithmMismatch` when this key does not fit `algorithm`,
    ///   `.libraryFailure` when OpenSSL fails.
    public func isValidSignature(
        _ signature: [UInt8],
        for message: [UInt8],
        algorithm: SignatureAlgorithm
    ) throws -> Bool {
        try VerifierContext.forCurrentThread.verify(
            signature: signature,
            message: message,
            key: self,
            algorithm: algorithm
        )
    }

    // MARK: - Hashable

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs === rhs || lhs.spkiDER == rhs.spkiDER
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    // MARK: - DER

    /// Encodes a key's public half as DER SubjectPublicKeyInfo.
    static func encodeSPKI(_ pointer: OpaquePointer, what: String) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &out)
        guard length > 0, let out else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "\(what): cannot encode the SubjectPublicKeyInfo")
        }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
