import AttestCore
import Testing

@testable import AttestCrypto

/// Signatures that must be answered `false`, and key/algorithm pairs that must be refused with an error.
struct VerificationNegativeTests {
    let message = Fixtures.message

    @Test func wrongKeyIsInvalid() throws {
        let signature = try Fixtures.rsa2048.sign(message, algorithm: .rsaPSSSHA256)
        #expect(
            try !Fixtures.otherRSA2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPSSSHA256)
        )
        let ecSignature = try Fixtures.p256.sign(message, algorithm: .ecdsaP256SHA256)
        let otherEC = try PrivateKey.generate(for: .ecdsaP256SHA256)
        #expect(try !otherEC.publicKey.isValidSignature(ecSignature, for: message, algorithm: .ecdsaP256SHA256))
    }

    @Test func tamperedMessageIsInvalid() throws {
        var tampered = message
        tampered[5] ^= 0x01
        for (key, algorithm) in [
            (Fixtures.rsa2048, SignatureAlgorithm.rsaPKCS1SHA256), (Fixtures.p256, .ecdsaP256SHA256),
            (Fixtures.ed25519, .ed25519),
        ] {
            let signature = try key.sign(message, algorithm: algorithm)
            #expect(try !key.publicKey.isValidSignature(signature, for: tampered, algorithm: algorithm))
        }
    }

    @Test func tamperedSignatureIsInvalid() throws {
        for (key, algorithm) in [
            (Fixtures.rsa2048, SignatureAlgorithm.rsaPSSSHA256), (Fixtures.p256, .ecdsaP256SHA256),
            (Fixtures.ed25519, .ed25519),
        ] {
            var signature = try key.sign(message, algorithm: algorithm)
            signature[signature.count / 2] ^= 0x40
            #expect(try !key.publicKey.isValidSignature(signature, for: message, algorithm: algorithm))
        }
    }

    @Test func pssSignatureIsNotAPKCS1Signature() throws {
        let signature = try Fixtures.rsa2048.sign(message, algorithm: .rsaPSSSHA256)
        #expect(try Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPSSSHA256))
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPKCS1SHA256))
        #expect(
            try !BareOpenSSLVerifier(key: Fixtures.rsa2048.publicKey, algorithm: .rsaPKCS1SHA256).verify(
                signature: signature,
                message: message
            )
        )
    }

    @Test func pkcs1SignatureIsNotAPSSSignature() throws {
        let signature = try Fixtures.rsa2048.sign(message, algorithm: .rsaPKCS1SHA256)
        #expect(try Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPKCS1SHA256))
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPSSSHA256))
        #expect(
            try !BareOpenSSLVerifier(key: Fixtures.rsa2048.publicKey, algorithm: .rsaPSSSHA256).verify(
                signature: signature,
                message: message
            )
        )
    }

    @Test func otherHashIsInvalid() throws {
        let signature = try Fixtures.rsa2048.sign(message, algorithm: .rsaPKCS1SHA256)
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPKCS1SHA512))
    }

    @Test(arguments: [0, 1, 255, 257, 512, 4096])
    func wrongLengthRSASignatureIsInvalid(_ length: Int) throws {
        let signature = [UInt8](repeating: 0x5a, count: length)
        for algorithm in [SignatureAlgorithm.rsaPSSSHA256, .rsaPKCS1SHA256] {
            #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(signature, for: message, algorithm: algorithm))
            #expect(
                try !BareOpenSSLVerifier(key: Fixtures.rsa2048.publicKey, algorithm: algorithm).verify(
                    signature: signature,
                    message: message
                )
            )
        }
    }

    @Test func allZeroSignatureIsInvalid() throws {
        let zeros256 = [UInt8](repeating: 0, count: 256)
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(zeros256, for: message, algorithm: .rsaPSSSHA256))
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(zeros256, for: message, algorithm: .rsaPKCS1SHA256))
        #expect(
            try !Fixtures.p256.publicKey.isValidSignature(
                [UInt8](repeating: 0, count: 64),
                for: message,
                algorithm: .ecdsaP256SHA256
            )
        )
        #expect(
            try !Fixtures.ed25519.publicKey.isValidSignature(
                [UInt8](repeating: 0, count: 64),
                for: message,
                algorithm: .ed25519
            )
        )
    }

    @Test func signatureAboveTheModulusIsInvalid() throws {
        // 0xFF…FF is larger than any 2048-bit modulus.
        let above = [UInt8](repeating: 0xff, count: 256)
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(above, for: message, algorithm: .rsaPSSSHA256))
        #expect(try !Fixtures.rsa2048.publicKey.isValidSignature(above, for: message, algorithm: .rsaPKCS1SHA256))
        #expect(
            !(try BareOpenSSLVerifier(key: Fixtures.rsa2048.publicKey, algorithm: .rsaPKCS1SHA256).verify(
                signature: above,
                message: message
            ))
        )
    }

    @Test func garbageECDSASignatureIsInvalid() throws {
        let key = Fixtures.p256.publicKey
        for garbage: [UInt8] in [
            [], [0x30], [0x30, 0x00], [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
            [0x30, 0x80] + [UInt8](repeating: 0xff, count: 70), [UInt8](repeating: 0x41, count: 1000),
            [UInt8](repeating: 0, count: 65),
        ] {
            #expect(try !key.isValidSignature(garbage, for: message, algorithm: .ecdsaP256SHA256))
        }
    }

    @Test func wrongLengthEd25519SignatureIsInvalid() throws {
        let signature = try Fixtures.ed25519.sign(message, algorithm: .ed25519)
        #expect(signature.count == 64)
        #expect(
            try !Fixtures.ed25519.publicKey.isValidSignature(
                Array(signature.dropLast()),
                for: message,
                algorithm: .ed25519
            )
        )
        #expect(try !Fixtures.ed25519.publicKey.isValidSignature(signature + [0], for: message, algorithm: .ed25519))
        #expect(try !Fixtures.ed25519.publicKey.isValidSignature([], for: message, algorithm: .ed25519))
    }

    @Test func ecKeyUnderRSAPSSIsAnError() throws {
        let signature = [UInt8](repeating: 1, count: 256)
        let error = #expect(throws: CryptoError.self) {
            try Fixtures.p256.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPSSSHA256)
        }
        #expect(error?.code == .algorithmMismatch)
        #expect(error?.reason.contains("rsa-pss-sha256") == true)
        #expect(throws: CryptoError.self) {
            try BareOpenSSLVerifier(key: Fixtures.p256.publicKey, algorithm: .rsaPSSSHA256)
        }
        #expect(throws: CryptoError.self) { try Fixtures.p256.sign(message, algorithm: .rsaPSSSHA256) }
    }

    @Test func p384KeyUnderP256IsAnError() throws {
        let signature = try Fixtures.p384.sign(message, algorithm: .ecdsaP384SHA384)
        let error = #expect(throws: CryptoError.self) {
            try Fixtures.p384.publicKey.isValidSignature(signature, for: message, algorithm: .ecdsaP256SHA256)
        }
        #expect(error?.code == .algorithmMismatch)
        #expect(error?.reason.contains("P-256") == true)
    }

    @Test func rsaKeyUnderEd25519AndECDSAIsAnError() throws {
        #expect(throws: CryptoError.self) { try Fixtures.rsa2048.publicKey.ensureCompatible(with: .ed25519) }
        #expect(throws: CryptoError.self) { try Fixtures.rsa2048.publicKey.ensureCompatible(with: .ecdsaP256SHA256) }
        #expect(throws: CryptoError.self) { try Fixtures.ed25519.publicKey.ensureCompatible(with: .rsaPKCS1SHA256) }
    }

    @Test func failuresLeaveNoOpenSSLErrorsBehind() throws {
        _ = try Fixtures.rsa2048.publicKey.isValidSignature(
            [UInt8](repeating: 0xff, count: 256),
            for: message,
            algorithm: .rsaPKCS1SHA256
        )
        _ = try? PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        #expect(OpenSSLErrorQueue.drain() == nil)
    }
}
