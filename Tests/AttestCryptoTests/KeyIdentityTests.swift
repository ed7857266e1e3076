import AttestCore
import Testing

@testable import AttestCrypto

/// Fingerprints, kritis key ids and the SHA-256 helper.
struct KeyIdentityTests {
    /// The 2048-bit key of the kritis vectors, with its fingerprint computed by
    /// `openssl pkey -pubin -outform DER | sha256sum`.
    @Test func kritisVectorKeyFingerprintIsStable() throws {
        let vector = try #require(KritisVector.all.first)
        let key = try PublicKey(pem: vector.publicKeyPem)
        #expect(key.fingerprint.count == 32)
        #expect(key.fingerprintHex == SHA256.hexHash(key.spkiDER))
        #expect(key.kritisKeyID.hasPrefix("ni:///sha-256;"))
        let id = key.kritisKeyID.dropFirst("ni:///sha-256;".count)
        #expect(id.count == 43)
        #expect(!id.contains("=") && !id.contains("+") && !id.contains("/"))
        #expect(try PublicKey(pem: key.pem).kritisKeyID == key.kritisKeyID)
    }

    @Test func knownFingerprint() throws {
        // SHA-256 known answers.
        #expect(SHA256.hexHash([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexHash(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func keyIDEncodesTheFingerprintAsBase64URL() {
        let fingerprint: [UInt8] = [0xfb, 0xff, 0xfe] + [UInt8](repeating: 0, count: 29)
        #expect(PEMBase64.encode(fingerprint, urlSafe: true, padding: false).hasPrefix("-__-"))
        #expect(PEMBase64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(PEMBase64.encode(Array("fooba".utf8), padding: false) == "Zm9vYmE")
    }

    @Test func base64DecoderIsStrict() {
        #expect((try? PEMBase64.decode(Array("Zm9vYg==".utf8)).get()) == Array("foob".utf8))
        #expect((try? PEMBase64.decode(Array("Zm9vYmE=".utf8)).get()) == Array("fooba".utf8))
        for bad in ["Zm9vY", "Zm9=Yg==", "Zm9vYg=a", "====", "Zm9v\u{e9}g==", "Z-9v"] {
            #expect((try? PEMBase64.decode(Array(bad.utf8)).get()) == nil, "\(bad)")
        }
    }

    @Test func differentKeysHaveDifferentFingerprints() {
        #expect(Fixtures.rsa2048.publicKey.fingerprint != Fixtures.otherRSA2048.publicKey.fingerprint)
        #expect(Fixtures.rsa2048.publicKey != Fixtures.otherRSA2048.publicKey)
    }
}
