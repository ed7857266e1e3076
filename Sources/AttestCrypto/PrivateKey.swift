public import AttestCore
internal import COpenSSL

/// A parsed or generated private key that signs attestations.
///
/// The underlying `EVP_PKEY` never changes after construction; each ``sign(_:algorithm:)`` call uses its own
/// OpenSSL context, so one instance may sign from several threads.
public final class PrivateKey: @unchecked Sendable {
    private let pointer: OpaquePointer
    private let shape: KeyShape
    private let pkcs8DER: [UInt8]

    /// The matching public key.
    public let publicKey: PublicKey

    /// The key family: `rsa`, `ec` or `ed25519`.
    public var family: SignatureAlgorithm.KeyFamily { shape.family }
    /// The key size in bits.
    public var bits: Int { shape.bits }
    /// The unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pkcs8PEM: String { PEMBlock(label: "PRIVATE KEY", der: pkcs8DER).text }

    private init(adopting pointer: OpaquePointer, what: String) throws {
        do {
            shape = try KeyShape(inspecting: pointer, what: what)
            pkcs8DER = try Self.encodePKCS8(pointer, what: what)
            let spki = try PublicKey.encodeSPKI(pointer, what: what)
            publicKey = try PublicKey(der: spki)
        } catch {
            EVP_PKEY_free(pointer)
            throw error
        }
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Parses an unencrypted PEM private key: PKCS#8 (`PRIVATE KEY`) or traditional (`RSA PRIVATE KEY`,
    /// `EC PRIVATE KEY`).
    ///
    /// - Parameter pem: Exactly one PEM block; only whitespace may surround it.
    /// - Throws: ``CryptoError`` `.malformedKey`, `.trailingData`, `.encryptedKey` (`ENCRYPTED PRIVATE KEY` or a
    ///   `Proc-Type` header), `.keyTooSmall`, `.unsupportedKeyType`, `.inputTooLarge`.
    public convenience init(pem: String) throws {
        guard pem.utf8.count <= PublicKey.maximumEncodedSize else {
            throw CryptoError(
                .inputTooLarge,
                "private key: PEM of \(pem.utf8.count) bytes exceeds the \(PublicKey.maximumEncodedSize)-byte limit"
            )
        }
        let block = try PEMBlock(parsing: pem, what: "private key")
        let format: DERDecoding.PrivateFormat
        switch block.label {
        case "PRIVATE KEY": format = .pkcs8
        case "RSA PRIVATE KEY": format = .traditionalRSA
        case "EC PRIVATE KEY": format = .traditionalEC
        case "ENCRYPTED PRIVATE KEY":
            throw CryptoError(.encryptedKey, "private key: encrypted PKCS#8 keys are not supported; decrypt it first")
        default:
            throw CryptoError(
                .malformedKey,
                "private key: PEM label '\(block.label)' is not a private key; expected 'PRIVATE KEY', "
                    + "'RSA PRIVATE KEY' or 'EC PRIVATE KEY'"
            )
        }
        let pointer = try DERDecoding.privateKey(block.der, what: "private key (PEM \(block.label))", format: format)
        try self.init(adopting: pointer, what: "private key")
    }

    /// Generates a new key for an algorithm.
    ///
    /// - Parameters:
    ///   - algorithm: The algorithm the key will sign with; it decides the family and curve.
    ///   - rsaBits: The RSA modulus size (ignored for EC and Ed25519); at least 2048.
    /// - Returns: The new key.
    /// - Throws: ``CryptoError`` `.keyTooSmall` for `rsaBits` under 2048 (or over 16384), `.libraryFailure`.
    public static func generate(for algorithm: SignatureAlgorithm, rsaBits: Int = 3072) throws -> PrivateKey {
        let name: String
        switch algorithm.keyFamily {
        case .rsa:
            guard rsaBits >= KeyShape.minimumRSABits, rsaBits <= 16384 else {
                throw CryptoError(
                    .keyTooSmall,
                    "cannot generate an RSA key of \(rsaBits) bits; choose 2048 to 16384 bits"
                )
            }
            name = "RSA"
        case .ec: name = "EC"
        case .ed25519: name = "ED25519"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "no \(name) key generator available")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var ok = EVP_PKEY_keygen_init(context) == 1
        if ok, algorithm.keyFamily == .rsa {
            ok = EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(rsaBits)) == 1
        }
        if ok, let curve = algorithm.curve {
            ok = EVP_PKEY_CTX_set_group_name(context, curve.rawValue) == 1
        }
        var key: OpaquePointer? = nil
        ok = ok && EVP_PKEY_generate(context, &key) == 1
        guard ok, let key else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "generating a key for \(algorithm.name) failed")
        }
        return try PrivateKey(adopting: key, what: "generated key")
    }

    /// Signs a message.
    ///
    /// RSA-PSS uses a salt as long as the digest and MGF1 with the message hash; ECDSA signatures are ASN.1
    /// DER; Ed25519 signs the message itself.
    ///
    /// - Parameters:
    ///   - message: The exact bytes to sign.
    ///   - algorithm: The algorithm; it must fit the key.
    /// - Returns: The signature.
    /// - Throws: ``CryptoError`` `.algorithmMismatch`, `.libraryFailure`.
    public func sign(_ message: [UInt8], algorithm: SignatureAlgorithm) throws -> [UInt8] {
        try shape.ensureCompatible(with: algorithm)
        guard let context = EVP_MD_CTX_new() else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "EVP_MD_CTX_new failed")
        }
        defer { EVP_MD_CTX_free(context) }
        let digest = algorithm.hash.map(MessageDigest.forHash)
        var keyContext: OpaquePointer? = nil
        var ok = EVP_DigestSignInit(context, &keyContext, digest?.pointer, nil, pointer) == 1
        if ok, algorithm.isPSS, let keyContext, let digest {
            ok =
                COpenSSL_EVP_PKEY_CTX_set_rsa_padding(keyContext, COpenSSL_RSA_PKCS1_PSS_PADDING) == 1
                && COpenSSL_EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, COpenSSL_RSA_PSS_SALTLEN_DIGEST) == 1
                && COpenSSL_EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.pointer) == 1
        } else if ok, algorithm.keyFamily == .rsa, let keyContext {
            ok = COpenSSL_EVP_PKEY_CTX_set_rsa_padding(keyContext, COpenSSL_RSA_PKCS1_PADDING) == 1
        }
        guard ok else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "setting up \(algorithm.name) signing failed")
        }
        return try message.withUnsafeBufferPointer { message in
            let input = message.baseAddress ?? emptyInput.assumingMemoryBound(to: UInt8.self)
            var length = 0
            guard EVP_DigestSign(context, nil, &length, input, message.count) == 1 else {
                throw OpenSSLErrorQueue.error(.libraryFailure, "sizing the \(algorithm.name) signature failed")
            }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &signature, &length, input, message.count) == 1 else {
                throw OpenSSLErrorQueue.error(.libraryFailure, "\(algorithm.name) signing failed")
            }
            signature.removeLast(signature.count - length)
            return signature
        }
    }

    private static func encodePKCS8(_ pointer: OpaquePointer, what: String) throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(pointer) else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "\(what): cannot build the PKCS#8 structure")
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, &out)
        guard length > 0, let out else {
            throw OpenSSLErrorQueue.error(.libraryFailure, "\(what): cannot encode the PKCS#8 structure")
        }
        defer {
            OPENSSL_cleanse(out, Int(length))
            COpenSSL_OPENSSL_free(out)
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
