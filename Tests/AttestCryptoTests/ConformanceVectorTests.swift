import AttestCore
import Testing

@testable import AttestCrypto

/// grafeas/kritis detached-signature known answers (`../shared/conformance/kritis-detached-signatures.json`).
struct ConformanceVectorTests {
    @Test func vectorsArePresent() throws {
        let vectors = try KritisVector.load()
        #expect(vectors.count == 12)
        #expect(vectors.contains { $0.expect == "invalid" })
    }

    @Test(arguments: KritisVector.all)
    func vectorIsDecidedAsExpected(_ vector: KritisVector) throws {
        let algorithm = try #require(SignatureAlgorithm(name: vector.alg))
        #expect(SignatureAlgorithm(name: vector.kritisAlgorithm) == algorithm)
        let signature = try TestSupport.base64(vector.signatureBase64)
        let message = Array(vector.payload.utf8)
        switch vector.expect {
        case "valid":
            let key = try PublicKey(pem: vector.publicKeyPem)
            #expect(
                try VerifierContext().verify(signature: signature, message: message, key: key, algorithm: algorithm)
            )
            #expect(try key.isValidSignature(signature, for: message, algorithm: algorithm))
            #expect(
                try BareOpenSSLVerifier(key: key, algorithm: algorithm).verify(signature: signature, message: message)
            )
            #expect(
                try !VerifierContext().verify(
                    signature: signature,
                    message: message + [0x0a],
                    key: key,
                    algorithm: algorithm
                )
            )
        case "invalid":
            // The only invalid vector is a key with trailing data: the key itself must be refused.
            let error = try #require(throws: CryptoError.self) { try PublicKey(pem: vector.publicKeyPem) }
            #expect(error.code == .trailingData)
        default:
            Issue.record("unknown expectation \(vector.expect)")
        }
    }

    @Test func pssVectorsNeedSaltRecovery() throws {
        // Go's rsa.SignPSS uses the maximum salt: a verifier assuming digest-length salt would fail these, so
        // this proves salt recovery is on and that PSS signatures never pass as PKCS1.
        for vector in KritisVector.all where vector.alg.hasPrefix("rsa-pss") {
            let key = try PublicKey(pem: vector.publicKeyPem)
            let signature = try TestSupport.base64(vector.signatureBase64)
            let pkcs1: SignatureAlgorithm = vector.alg.hasSuffix("512") ? .rsaPKCS1SHA512 : .rsaPKCS1SHA256
            #expect(try !key.isValidSignature(signature, for: Array(vector.payload.utf8), algorithm: pkcs1))
        }
    }
}
