import AttestCore
import Dispatch
import Synchronization
import Testing

@testable import AttestCrypto

/// The fast verification path: kept contexts, raw r‖s ECDSA, buffers, threads.
struct VerifierContextTests {
    @Test(arguments: [SignatureAlgorithm.ecdsaP256SHA256, .ecdsaP384SHA384, .ecdsaP521SHA512])
    func rawRSECDSASignatureIsAccepted(_ algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(for: algorithm)
        let field = try #require(key.publicKey.curve.map { ["P-256": 32, "P-384": 48, "P-521": 66][$0.rawValue]! })
        for _ in 0..<4 {
            let der = try key.sign(Fixtures.message, algorithm: algorithm)
            let raw = try Self.rawFromDER(der, field: field)
            #expect(raw.count == 2 * field)
            #expect(try key.publicKey.isValidSignature(raw, for: Fixtures.message, algorithm: algorithm))
            #expect(try !key.publicKey.isValidSignature(raw, for: Fixtures.message + [1], algorithm: algorithm))
            var flipped = raw
            flipped[field - 1] ^= 1
            #expect(try !key.publicKey.isValidSignature(flipped, for: Fixtures.message, algorithm: algorithm))
            // One byte short or long is neither DER nor raw.
            #expect(
                try !key.publicKey.isValidSignature(Array(raw.dropLast()), for: Fixtures.message, algorithm: algorithm)
            )
        }
    }

    /// Splits a DER ECDSA-Sig-Value into fixed-width r‖s.
    static func rawFromDER(_ der: [UInt8], field: Int) throws -> [UInt8] {
        var index = 2
        if der[1] & 0x80 != 0 { index = 2 + Int(der[1] & 0x7f) }
        var out = [UInt8]()
        for _ in 0..<2 {
            try #require(der[index] == 0x02)
            let length = Int(der[index + 1])
            var value = Array(der[(index + 2)..<(index + 2 + length)])
            while value.count > field, value.first == 0 { value.removeFirst() }
            out += [UInt8](repeating: 0, count: field - value.count) + value
            index += 2 + length
        }
        return out
    }

    @Test func contextsAreKeptPerKeyAndAlgorithmAndBounded() throws {
        let context = VerifierContext(capacity: 2)
        let keys = [Fixtures.rsa2048, Fixtures.otherRSA2048, Fixtures.p256]
        let algorithms: [SignatureAlgorithm] = [.rsaPKCS1SHA256, .rsaPSSSHA256, .ecdsaP256SHA256]
        for round in 0..<3 {
            for (key, algorithm) in zip(keys, algorithms) {
                let signature = try key.sign(Fixtures.message, algorithm: algorithm)
                #expect(
                    try context.verify(
                        signature: signature,
                        message: Fixtures.message,
                        key: key.publicKey,
                        algorithm: algorithm
                    ),
                    "round \(round)"
                )
                #expect(context.cachedContextCount <= 2)
            }
        }
        // The same key under two algorithms gets two contexts with their own padding.
        let pss = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPSSSHA256)
        let pkcs1 = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPKCS1SHA256)
        let pair = VerifierContext()
        #expect(
            try pair.verify(
                signature: pss,
                message: Fixtures.message,
                key: Fixtures.rsa2048.publicKey,
                algorithm: .rsaPSSSHA256
            )
        )
        #expect(
            try pair.verify(
                signature: pkcs1,
                message: Fixtures.message,
                key: Fixtures.rsa2048.publicKey,
                algorithm: .rsaPKCS1SHA256
            )
        )
        #expect(
            try !pair.verify(
                signature: pkcs1,
                message: Fixtures.message,
                key: Fixtures.rsa2048.publicKey,
                algorithm: .rsaPSSSHA256
            )
        )
        #expect(pair.cachedContextCount == 2)
    }

    @Test func aReparsedKeyAtAReusedAddressIsNotConfused() throws {
        // Keys come and go (configuration reloads); each must be verified against itself only.
        let context = VerifierContext(capacity: 4)
        let signature = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPKCS1SHA256)
        for index in 0..<20 {
            let pem = index.isMultiple(of: 2) ? Fixtures.rsa2048.publicKey.pem : Fixtures.otherRSA2048.publicKey.pem
            let key = try PublicKey(pem: pem)
            let valid = try context.verify(
                signature: signature,
                message: Fixtures.message,
                key: key,
                algorithm: .rsaPKCS1SHA256
            )
            #expect(valid == index.isMultiple(of: 2))
        }
    }

    @Test func oneContextServesEveryAlgorithmInAnyOrder() throws {
        // Ed25519's one-shot EVP_DigestVerify must not disturb the hashing state used by the other algorithms.
        let context = VerifierContext()
        let cases: [(PrivateKey, SignatureAlgorithm)] = [
            (Fixtures.ed25519, .ed25519), (Fixtures.rsa2048, .rsaPSSSHA256), (Fixtures.ed25519, .ed25519),
            (Fixtures.p256, .ecdsaP256SHA256), (Fixtures.rsa2048, .rsaPKCS1SHA512), (Fixtures.p384, .ecdsaP384SHA384),
            (Fixtures.ed25519, .ed25519),
        ]
        for (key, algorithm) in cases + cases {
            let signature = try key.sign(Fixtures.message, algorithm: algorithm)
            #expect(
                try context.verify(
                    signature: signature,
                    message: Fixtures.message,
                    key: key.publicKey,
                    algorithm: algorithm
                ),
                "\(algorithm)"
            )
            #expect(
                try !context.verify(signature: signature, message: [], key: key.publicKey, algorithm: algorithm),
                "\(algorithm)"
            )
        }
    }

    @Test func rawBufferOverloadMatchesArrays() throws {
        let signature = try Fixtures.p256.sign(Fixtures.message, algorithm: .ecdsaP256SHA256)
        let context = VerifierContext()
        let valid = try signature.withUnsafeBytes { signature in
            try Fixtures.message.withUnsafeBytes { message in
                try context.verify(
                    signature: signature,
                    message: message,
                    key: Fixtures.p256.publicKey,
                    algorithm: .ecdsaP256SHA256
                )
            }
        }
        #expect(valid)
    }

    @Test func threadLocalContextsVerifyConcurrently() throws {
        let signature = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPSSSHA256)
        let edSignature = try Fixtures.ed25519.sign(Fixtures.message, algorithm: .ed25519)
        let key = Fixtures.rsa2048.publicKey
        let edKey = Fixtures.ed25519.publicKey
        let message = Fixtures.message
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let ok =
                (try? key.isValidSignature(signature, for: message, algorithm: .rsaPSSSHA256)) == true
                && (try? edKey.isValidSignature(edSignature, for: message, algorithm: .ed25519)) == true
                && (try? key.isValidSignature(signature, for: message + [UInt8(index)], algorithm: .rsaPSSSHA256))
                    == false
            if !ok { failures.increment() }
        }
        #expect(failures.value == 0)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
