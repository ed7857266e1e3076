import AttestCore
import Foundation
import Testing

@testable import AttestCrypto

/// Signatures and keys made by the `openssl` command-line tool, verified by attestd.
struct OpenSSLCLITests {
    struct Case: Sendable, CustomTestStringConvertible {
        let algorithm: SignatureAlgorithm
        let keyGen: [String]
        let signOptions: [String]
        let label: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            algorithm: .rsaPSSSHA256,
            keyGen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"],
            label: "PSS SHA-256, digest-length salt"
        ),
        Case(
            algorithm: .rsaPSSSHA256,
            keyGen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"],
            label: "PSS SHA-256, maximum salt"
        ),
        Case(
            algorithm: .rsaPSSSHA512,
            keyGen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
            signOptions: ["-sha512", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"],
            label: "PSS SHA-512, maximum salt, RSA-3072"
        ),
        Case(
            algorithm: .rsaPKCS1SHA256,
            keyGen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sha256"],
            label: "PKCS1 SHA-256"
        ),
        Case(
            algorithm: .rsaPKCS1SHA384,
            keyGen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sha384"],
            label: "PKCS1 SHA-384"
        ),
        Case(
            algorithm: .ecdsaP256SHA256,
            keyGen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            signOptions: ["-sha256"],
            label: "ECDSA P-256"
        ),
        Case(
            algorithm: .ecdsaP384SHA384,
            keyGen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            signOptions: ["-sha384"],
            label: "ECDSA P-384"
        ),
        Case(
            algorithm: .ecdsaP521SHA512,
            keyGen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
            signOptions: ["-sha512"],
            label: "ECDSA P-521"
        ),
    ]

    @Test(arguments: cases)
    func cliSignatureVerifies(_ test: Case) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Fixtures.message).write(to: directory.appendingPathComponent("payload"))
        try TestSupport.openssl(["genpkey"] + test.keyGen + ["-out", "key.pem"], in: directory)
        try TestSupport.openssl(["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], in: directory)
        try TestSupport.openssl(
            ["dgst"] + test.signOptions + ["-sign", "key.pem", "-out", "sig.bin", "payload"],
            in: directory
        )
        let key = try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("pub.pem")))
        let signature = try TestSupport.read(directory.appendingPathComponent("sig.bin"))
        #expect(try key.isValidSignature(signature, for: Fixtures.message, algorithm: test.algorithm))
        #expect(try !key.isValidSignature(signature, for: Fixtures.message + [1], algorithm: test.algorithm))
        // The CLI's private key (PKCS#8) parses too and yields the same public key.
        let privateKey = try PrivateKey(pem: TestSupport.readText(directory.appendingPathComponent("key.pem")))
        #expect(privateKey.publicKey == key)
    }

    @Test func ed25519CLISignatureVerifies() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Fixtures.message).write(to: directory.appendingPathComponent("payload"))
        try TestSupport.openssl(["genpkey", "-algorithm", "ED25519", "-out", "key.pem"], in: directory)
        try TestSupport.openssl(["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], in: directory)
        try TestSupport.openssl(
            ["pkeyutl", "-sign", "-rawin", "-inkey", "key.pem", "-in", "payload", "-out", "sig.bin"],
            in: directory
        )
        let key = try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("pub.pem")))
        let signature = try TestSupport.read(directory.appendingPathComponent("sig.bin"))
        #expect(try key.isValidSignature(signature, for: Fixtures.message, algorithm: .ed25519))
    }

    @Test func traditionalPEMPrivateKeysAndPKCS1PublicKeysParse() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.openssl(
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem"],
            in: directory
        )
        try TestSupport.openssl(
            ["pkey", "-in", "rsa.pem", "-traditional", "-out", "rsa-traditional.pem"],
            in: directory
        )
        try TestSupport.openssl(["rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-out", "rsa-pkcs1.pub"], in: directory)
        try TestSupport.openssl(["pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub"], in: directory)
        try TestSupport.openssl(
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"],
            in: directory
        )

        let traditional = try TestSupport.readText(directory.appendingPathComponent("rsa-traditional.pem"))
        #expect(traditional.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let rsa = try PrivateKey(pem: traditional)
        let pkcs1Text = try TestSupport.readText(directory.appendingPathComponent("rsa-pkcs1.pub"))
        #expect(pkcs1Text.hasPrefix("-----BEGIN RSA PUBLIC KEY-----"))
        let pkcs1 = try PublicKey(pem: pkcs1Text)
        let spki = try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("rsa.pub")))
        #expect(pkcs1 == spki)
        #expect(rsa.publicKey == spki)

        let ecText = try TestSupport.readText(directory.appendingPathComponent("ec.pem"))
        #expect(ecText.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let ec = try PrivateKey(pem: ecText)
        #expect(ec.publicKey.curve == .p256)
        let signature = try ec.sign(Fixtures.message, algorithm: .ecdsaP256SHA256)
        #expect(try ec.publicKey.isValidSignature(signature, for: Fixtures.message, algorithm: .ecdsaP256SHA256))
    }

    @Test func attestdSignaturesVerifyWithTheCLI() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Fixtures.message).write(to: directory.appendingPathComponent("payload"))
        try Fixtures.rsa2048.publicKey.pem.write(
            to: directory.appendingPathComponent("pub.pem"),
            atomically: true,
            encoding: .utf8
        )
        let signature = try Fixtures.rsa2048.sign(Fixtures.message, algorithm: .rsaPSSSHA256)
        try Data(signature).write(to: directory.appendingPathComponent("sig.bin"))
        let output = try TestSupport.openssl(
            [
                "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
                "-verify", "pub.pem", "-signature", "sig.bin", "payload",
            ],
            in: directory
        )
        #expect(String(decoding: output, as: UTF8.self).contains("Verified OK"))
    }

    @Test func fingerprintMatchesTheCLI() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, key) in [
            ("rsa", Fixtures.rsa2048.publicKey), ("ec", Fixtures.p384.publicKey), ("ed", Fixtures.ed25519.publicKey),
        ] {
            try key.pem.write(to: directory.appendingPathComponent("\(name).pub"), atomically: true, encoding: .utf8)
            let der = try TestSupport.openssl(
                ["pkey", "-pubin", "-in", "\(name).pub", "-outform", "DER"],
                in: directory
            )
            #expect(der == key.spkiDER)
            let digest = try TestSupport.openssl(["dgst", "-sha256", "-r"], in: directory, input: der)
            let hex = String(decoding: digest.prefix(64), as: UTF8.self)
            #expect(hex == key.fingerprintHex)
        }
    }
}
