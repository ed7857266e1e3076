internal import AttestCore
internal import COpenSSL

/// What a parsed `EVP_PKEY` is: its family, size and curve, checked against what attestd accepts.
struct KeyShape: Hashable, Sendable {
    /// The smallest RSA modulus attestd accepts, in bits.
    static let minimumRSABits = 2048

    let family: SignatureAlgorithm.KeyFamily
    let bits: Int
    let curve: SignatureAlgorithm.Curve?
    /// The largest signature this key makes, in bytes (`EVP_PKEY_get_size`): the exact RSA signature length.
    let maximumSignatureSize: Int

    /// Inspects a key and refuses the kinds attestd does not verify with.
    ///
    /// - Parameters:
    ///   - pointer: A parsed `EVP_PKEY`.
    ///   - what: What is being parsed, for messages.
    /// - Throws: ``CryptoError`` `.unsupportedKeyType` (DSA, DH, X25519, RSA-PSS-restricted keys, curves other
    ///   than P-256/384/521), `.keyTooSmall` (RSA under 2048 bits).
    init(inspecting pointer: OpaquePointer, what: String) throws {
        bits = Int(COpenSSL_EVP_PKEY_bits(pointer))
        maximumSignatureSize = Int(COpenSSL_EVP_PKEY_size(pointer))
        let id = EVP_PKEY_get_base_id(pointer)
        switch id {
        case COpenSSL_EVP_PKEY_RSA:
            guard bits >= Self.minimumRSABits else {
                throw CryptoError(
                    .keyTooSmall,
                    "\(what): RSA key of \(bits) bits refused; at least \(Self.minimumRSABits) bits are required"
                )
            }
            family = .rsa
            curve = nil
        case COpenSSL_EVP_PKEY_EC:
            family = .ec
            curve = try Self.curve(of: pointer, what: what)
        case COpenSSL_EVP_PKEY_ED25519:
            family = .ed25519
            curve = nil
        case COpenSSL_EVP_PKEY_RSA_PSS:
            throw CryptoError(
                .unsupportedKeyType,
                "\(what): RSASSA-PSS-restricted keys (OID 1.2.840.113549.1.1.10) are not supported; "
                    + "use an rsaEncryption RSA key, which verifies PSS signatures"
            )
        default:
            let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "id \(id)"
            throw CryptoError(
                .unsupportedKeyType,
                "\(what): \(name) keys are not supported; expected RSA, EC (P-256, P-384, P-521) or Ed25519"
            )
        }
    }

    private static func curve(of pointer: OpaquePointer, what: String) throws -> SignatureAlgorithm.Curve {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, "group", &buffer, buffer.count, &length) == 1 else {
            throw OpenSSLErrorQueue.error(.unsupportedKeyType, "\(what): EC key without a named curve")
        }
        let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch name {
        case "prime256v1", "P-256", "secp256r1": return .p256
        case "secp384r1", "P-384": return .p384
        case "secp521r1", "P-521": return .p521
        default:
            throw CryptoError(
                .unsupportedKeyType,
                "\(what): EC curve \(name) is not supported; expected P-256, P-384 or P-521"
            )
        }
    }

    /// Checks that this key can verify or make signatures of an algorithm.
    ///
    /// - Parameter algorithm: The algorithm named by configuration or the caller.
    /// - Throws: ``CryptoError`` `.algorithmMismatch` naming the key and what the algorithm needs.
    func ensureCompatible(with algorithm: SignatureAlgorithm) throws {
        guard algorithm.keyFamily == family else {
            throw CryptoError(
                .algorithmMismatch,
                "\(summary) cannot be used with \(algorithm.name), which needs \(Self.describe(algorithm))"
            )
        }
        if let needed = algorithm.curve, needed != curve {
            throw CryptoError(
                .algorithmMismatch,
                "\(summary) cannot be used with \(algorithm.name), which needs a \(needed.rawValue) key"
            )
        }
    }

    /// A short description such as `RSA-3072 key` or `EC P-384 key`.
    var summary: String {
        switch family {
        case .rsa: "RSA-\(bits) key"
        case .ec: "EC \(curve?.rawValue ?? "?") key"
        case .ed25519: "Ed25519 key"
        }
    }

    private static func describe(_ algorithm: SignatureAlgorithm) -> String {
        switch algorithm.keyFamily {
        case .rsa: "an RSA key"
        case .ec: "an EC \(algorithm.curve?.rawValue ?? "") key"
        case .ed25519: "an Ed25519 key"
        }
    }

    /// The field size in bytes of the key's curve: half the length of a raw r‖s ECDSA signature.
    var fieldBytes: Int? {
        switch curve {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        case nil: nil
        }
    }
}
