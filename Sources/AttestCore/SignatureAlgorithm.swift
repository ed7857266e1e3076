/// A signature scheme attestd can verify, named by its canonical attestd name.
///
/// Canonical names are `rsa-pss-sha256|384|512`, `rsa-pkcs1-sha256|384|512`, `ecdsa-p256-sha256`,
/// `ecdsa-p384-sha384`, `ecdsa-p521-sha512` and `ed25519`. ``init(name:)`` also accepts the kritis/gcloud
/// spellings (`rsa-pss-2048-sha256`, `RSA_SIGN_PKCS1_4096_SHA512`, `RsaSignPkcs12048Sha256`, …) and the
/// Alibaba KMS names (`RSA_PSS_SHA_256`, `RSA_PKCS1_SHA_256`, `ECDSA_SHA_256`), case-insensitively.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case rsaPSSSHA256 = "rsa-pss-sha256"
    case rsaPSSSHA384 = "rsa-pss-sha384"
    case rsaPSSSHA512 = "rsa-pss-sha512"
    case rsaPKCS1SHA256 = "rsa-pkcs1-sha256"
    case rsaPKCS1SHA384 = "rsa-pkcs1-sha384"
    case rsaPKCS1SHA512 = "rsa-pkcs1-sha512"
    case ecdsaP256SHA256 = "ecdsa-p256-sha256"
    case ecdsaP384SHA384 = "ecdsa-p384-sha384"
    case ecdsaP521SHA512 = "ecdsa-p521-sha512"
    case ed25519 = "ed25519"

    /// The family of key an algorithm needs.
    public enum KeyFamily: String, Sendable, Hashable {
        case rsa, ec, ed25519
    }

    /// The message digest an algorithm hashes with.
    public enum Hash: String, Sendable, Hashable {
        case sha256, sha384, sha512
    }

    /// Elliptic curves used by the ECDSA algorithms.
    public enum Curve: String, Sendable, Hashable {
        case p256 = "P-256"
        case p384 = "P-384"
        case p521 = "P-521"
    }

    /// The canonical attestd name, for example `rsa-pss-sha256`.
    public var name: String { rawValue }

    public var description: String { rawValue }

    /// The kind of key this algorithm needs.
    public var keyFamily: KeyFamily {
        switch self {
        case .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512, .rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512: .rsa
        case .ecdsaP256SHA256, .ecdsaP384SHA384, .ecdsaP521SHA512: .ec
        case .ed25519: .ed25519
        }
    }

    /// The hash the signature covers; `nil` for Ed25519, which signs the message itself.
    public var hash: Hash? {
        switch self {
        case .rsaPSSSHA256, .rsaPKCS1SHA256, .ecdsaP256SHA256: .sha256
        case .rsaPSSSHA384, .rsaPKCS1SHA384, .ecdsaP384SHA384: .sha384
        case .rsaPSSSHA512, .rsaPKCS1SHA512, .ecdsaP521SHA512: .sha512
        case .ed25519: nil
        }
    }

    /// The curve an ECDSA algorithm requires; `nil` for the others.
    public var curve: Curve? {
        switch self {
        case .ecdsaP256SHA256: .p256
        case .ecdsaP384SHA384: .p384
        case .ecdsaP521SHA512: .p521
        default: nil
        }
    }

    /// Whether this is an RSA-PSS algorithm.
    public var isPSS: Bool {
        switch self {
        case .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512: true
        default: false
        }
    }

    /// The RSA modulus size a kritis/gcloud name pinned (for example 4096 in `rsa-sign-pkcs1-4096-sha512`).
    ///
    /// attestd verifies with any key of at least 2048 bits; the pinned size is kept so a configuration can
    /// warn when a key's size disagrees with its declared algorithm.
    public static func pinnedModulusBits(forName name: String) -> Int? {
        let folded = Self.fold(name)
        for bits in [2048, 3072, 4096] where folded.contains(String(bits)) {
            return bits
        }
        return nil
    }

    /// Parses a canonical name or one of the accepted aliases, case-insensitively.
    ///
    /// - Parameter name: `rsa-pss-sha256`, `RSA_PSS_2048_SHA256`, `RsaSignPkcs12048Sha256`, `ECDSA_SHA_256`, ….
    /// - Returns: `nil` when the name is not a known algorithm.
    public init?(name: String) {
        let trimmed = name.trimmingWhitespace()
        if let canonical = SignatureAlgorithm(rawValue: trimmed.lowercased()) {
            self = canonical
            return
        }
        guard let found = Self.aliases[Self.fold(trimmed)] else { return nil }
        self = found
    }

    /// Folds a name to lower-case letters and digits only, so `RSA_PSS_2048_SHA256`, `rsa-pss-2048-sha256`
    /// and `RsaPss2048Sha256` meet.
    static func fold(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
    }

    private static let aliases: [String: SignatureAlgorithm] = {
        var table: [String: SignatureAlgorithm] = [:]
        for algorithm in SignatureAlgorithm.allCases {
            table[fold(algorithm.rawValue)] = algorithm
        }
        let hashes: [(String, SignatureAlgorithm, SignatureAlgorithm)] = [
            ("sha256", .rsaPSSSHA256, .rsaPKCS1SHA256),
            ("sha384", .rsaPSSSHA384, .rsaPKCS1SHA384),
            ("sha512", .rsaPSSSHA512, .rsaPKCS1SHA512),
        ]
        for (hash, pss, pkcs1) in hashes {
            let digits = hash.dropFirst(3)
            // Alibaba KMS: RSA_PSS_SHA_256, RSA_PKCS1_SHA_256.
            table[fold("rsa_pss_sha_\(digits)")] = pss
            table[fold("rsa_pkcs1_sha_\(digits)")] = pkcs1
            for bits in [2048, 3072, 4096] {
                // gcloud / kritis HEAD: rsa-pss-2048-sha256, rsa-sign-pss-2048-sha256, rsa-sign-pkcs1-2048-sha256.
                table[fold("rsa-pss-\(bits)-\(hash)")] = pss
                table[fold("rsa-sign-pss-\(bits)-\(hash)")] = pss
                table[fold("rsa-pkcs1-\(bits)-\(hash)")] = pkcs1
                table[fold("rsa-sign-pkcs1-\(bits)-\(hash)")] = pkcs1
            }
        }
        // kritis attestlib constants: RsaSignPkcs12048Sha256, RsaPss2048Sha256, EcdsaP256Sha256.
        table[fold("ecdsa-p256-sha256")] = .ecdsaP256SHA256
        table[fold("ec-sign-p256-sha256")] = .ecdsaP256SHA256
        table[fold("ec-sign-p384-sha384")] = .ecdsaP384SHA384
        table[fold("ec-sign-p521-sha512")] = .ecdsaP521SHA512
        // Alibaba KMS: ECDSA_SHA_256 is P-256.
        table[fold("ecdsa_sha_256")] = .ecdsaP256SHA256
        table[fold("ecdsa_sha_384")] = .ecdsaP384SHA384
        table[fold("ed25519")] = .ed25519
        table[fold("pure-ed25519")] = .ed25519
        return table
    }()
}

extension String {
    /// The string without leading and trailing ASCII whitespace; Foundation-free.
    package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
