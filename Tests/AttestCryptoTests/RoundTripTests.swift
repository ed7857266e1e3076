import AttestCore
import Testing

@testable import AttestCrypto

/// Sign → verify with attestd's own signer, for every algorithm and RSA size.
struct RoundTripTests {
    static let nonRSA: [SignatureAlgorithm] = SignatureAlgorithm.allCases.filter { $0.keyFamily != .rsa }
    static let rsa: [SignatureAlgorithm] = SignatureAlgorithm.allCases.filter { $0.keyFamily == .rsa }

    @Test(arguments: nonRSA)
    func ecAndEd25519RoundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(for: algorithm)
        try Self.roundTrip(key, algorithm)
    }

    @Test(arguments: [2048, 3072, 4096])
    func rsaRoundTripEverySchemeAndHash(_ bits: Int) throws {
        // One key per size: 4096-bit generation is slow, so every RSA algorithm shares it.
        let key = try PrivateKey.generate(for: .rsaPKCS1SHA256, rsaBits: bits)
        #expect(key.bits == bits)
        #expect(key.publicKey.bits == bits)
        for algorithm in Self.rsa {
            try Self.roundTrip(key, algorithm)
        }
    }

    static func roundTrip(_ key: PrivateKey, _ algorithm: SignatureAlgorithm) throws {
        let signature = try key.sign(Fixtures.message, algorithm: algorithm)
        let context = VerifierContext()
        #expect(
            try context.verify(
                signature: signature,
                message: Fixtures.message,
                key: key.publicKey,
                algorithm: algorithm
            ),
            "\(algorithm) with \(key.publicKey)"
        )
        // Twice through the kept EVP_PKEY_CTX: a reused context must give the same answer.
        #expect(
            try context.verify(
                signature: signature,
                message: Fixtures.message,
                key: key.publicKey,
                algorithm: algorithm
            )
        )
        #expect(
            try BareOpenSSLVerifier(key: key.publicKey, algorithm: algorithm).verify(
                signature: signature,
                message: Fixtures.message
            )
        )
        #expect(
            try !context.verify(
                signature: signature,
                message: Fixtures.message + [0],
                key: key.publicKey,
                algorithm: algorithm
            )
        )
        // The PEM forms survive a round trip.
        let reparsed = try PrivateKey(pem: key.pkcs8PEM)
        #expect(reparsed.publicKey == key.publicKey)
        #expect(try PublicKey(pem: key.publicKey.pem) == key.publicKey)
        #expect(try reparsed.publicKey.isValidSignature(signature, for: Fixtures.message, algorithm: algorithm))
    }

    @Test func emptyMessageSignsAndVerifies() throws {
        for (key, algorithm) in [
            (Fixtures.rsa2048, SignatureAlgorithm.rsaPSSSHA256), (Fixtures.p256, .ecdsaP256SHA256),
            (Fixtures.ed25519, .ed25519),
        ] {
            let signature = try key.sign([], algorithm: algorithm)
            #expect(try key.publicKey.isValidSignature(signature, for: [], algorithm: algorithm))
            #expect(try !key.publicKey.isValidSignature(signature, for: [0], algorithm: algorithm))
        }
    }

    @Test func pssSignaturesAreRandomizedButBothVerify() throws {
        let first = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPSSSHA256)
        let second = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPSSSHA256)
        #expect(first != second)
        #expect(
            try Fixtures.rsa2048.publicKey.isValidSignature(second, for: Fixtures.message, algorithm: .rsaPSSSHA256)
        )
    }

    @Test func generatingATooSmallRSAKeyIsRefused() {
        let error = #expect(throws: CryptoError.self) { try PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 1024) }
        #expect(error?.code == .keyTooSmall)
    }
}
