import Foundation
import Testing

/// Signatures made by the `openssl` command-line tool, verified by `attestctl verify`.
@Suite(.enabled(if: CLI.which("openssl") != nil, "needs the openssl command"))
struct OpenSSLInteropTests {
    private static func openssl(_ arguments: String...) throws {
        let result = try CLI.run(CLI.which("openssl")!, arguments)
        guard result.status == 0 else { throw OpenSSLFailed(result: result) }
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        var result: CommandResult
        var description: String { "openssl failed: \(result)" }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var algorithm: String
        var keyOptions: [String]
        var signOptions: [String]
        var digest: String = "-sha256"
        var testDescription: String { "\(algorithm) \(signOptions.joined(separator: " "))" }
    }

    @Test(arguments: [
        Case(
            algorithm: "rsa-pss-sha256",
            keyOptions: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
        ),
        Case(
            algorithm: "rsa-pss-sha256",
            keyOptions: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"]
        ),
        Case(
            algorithm: "rsa-pss-sha512",
            keyOptions: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
            signOptions: ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"],
            digest: "-sha512"
        ),
        Case(
            algorithm: "rsa-pkcs1-sha256",
            keyOptions: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            signOptions: []
        ),
        Case(
            algorithm: "ecdsa-p256-sha256",
            keyOptions: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            signOptions: []
        ),
        Case(
            algorithm: "ecdsa-p384-sha384",
            keyOptions: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            signOptions: [],
            digest: "-sha384"
        ),
    ])
    func opensslSignatureVerifies(_ test: Case) throws {
        let directory = try TemporaryDirectory()
        let key = directory.path("openssl.key")
        let pub = directory.path("openssl.pub")
        try Self.openssl(["genpkey"] + test.keyOptions + ["-out", key])
        try Self.openssl("pkey", "-in", key, "-pubout", "-out", pub)
        // attestctl writes the payload (and signs it with its own key, discarded here) from openssl's key.
        let (payload, _) = try Fixtures.sign(directory, key: key, algorithm: test.algorithm)
        let signatureBinary = directory.path("openssl.sig.bin")
        try Self.openssl(["dgst", test.digest, "-sign", key] + test.signOptions + ["-out", signatureBinary, payload])
        let signature = try directory.write(
            Data(try directory.read("openssl.sig.bin")).base64EncodedString(),
            to: "openssl.sig"
        )
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            test.algorithm,
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("valid: "))
    }

    @Test func opensslPSSSignatureIsInvalidUnderPKCS1() throws {
        let directory = try TemporaryDirectory()
        let key = directory.path("openssl.key")
        let pub = directory.path("openssl.pub")
        try Self.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
        try Self.openssl("pkey", "-in", key, "-pubout", "-out", pub)
        let (payload, _) = try Fixtures.sign(directory, key: key)
        try Self.openssl(
            "dgst",
            "-sha256",
            "-sign",
            key,
            "-sigopt",
            "rsa_padding_mode:pss",
            "-out",
            directory.path("sig.bin"),
            payload
        )
        let signature = try directory.write(Data(try directory.read("sig.bin")).base64EncodedString(), to: "sig")
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            "rsa-pkcs1-sha256",
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 1, "\(result)")
    }

    @Test func traditionalPEMPrivateKeyFromOpenSSLSigns() throws {
        let directory = try TemporaryDirectory()
        let key = directory.path("traditional.key")
        try Self.openssl(
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            directory.path("k")
        )
        try Self.openssl("pkey", "-in", directory.path("k"), "-traditional", "-out", key)
        try Self.openssl("pkey", "-in", key, "-pubout", "-out", directory.path("k.pub"))
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        let result = try CLI.attestctl(
            "verify",
            "--key",
            directory.path("k.pub"),
            "--alg",
            "rsa-pss-sha256",
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 0, "\(result)")
    }
}

extension OpenSSLInteropTests {
    private static func openssl(_ arguments: [String]) throws {
        let result = try CLI.run(CLI.which("openssl")!, arguments)
        guard result.status == 0 else { throw OpenSSLFailed(result: result) }
    }
}
