import Foundation
import Testing

/// `keygen`, `sign` and `verify` end to end, with the exit-status contract 0 valid / 1 invalid / 2 unusable.
struct KeygenSignVerifyTests {
    @Test(arguments: ["rsa-pss-sha256", "rsa-pkcs1-sha512", "ecdsa-p256-sha256", "ecdsa-p384-sha384", "ed25519"])
    func keygenWritesAPrivateKeyReadableOnlyByTheOwnerAndAPublicKey(_ algorithm: String) throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer", algorithm: algorithm)
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let keyText = String(decoding: try directory.read("signer.key"), as: UTF8.self)
        let pubText = String(decoding: try directory.read("signer.pub"), as: UTF8.self)
        #expect(keyText.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pubText.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(FileManager.default.fileExists(atPath: pub))
    }

    @Test(arguments: ["signer.key", "signer.pub"])
    func keygenNeverReplacesAnExistingKeyWithoutForce(_ existing: String) throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer", algorithm: "ed25519")
        let before = (try directory.read("signer.key"), try directory.read("signer.pub"))
        // Only one of the pair present is refused too: the other half may still be in use.
        try FileManager.default.removeItem(atPath: existing == "signer.key" ? pub : key)
        let refused = try CLI.attestctl("keygen", "--alg", "ed25519", "--out", directory.path("signer"))
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains(directory.path(existing) + " already exists; pass --force to replace it"))
        #expect(try directory.read(existing) == (existing == "signer.key" ? before.0 : before.1))
        #expect(!FileManager.default.fileExists(atPath: existing == "signer.key" ? pub : key))

        let forced = try CLI.attestctl("keygen", "--alg", "ed25519", "--out", directory.path("signer"), "--force")
        #expect(forced.status == 0, "\(forced)")
        #expect(try directory.read("signer.key") != before.0)
        #expect(FileManager.default.fileExists(atPath: pub))
    }

    @Test func keygenTreatsADanglingSymlinkAsExisting() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("signer.key"),
            withDestinationPath: directory.path("nowhere")
        )
        let refused = try CLI.attestctl("keygen", "--alg", "ed25519", "--out", directory.path("signer"))
        #expect(refused.status == 2, "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("signer.pub")))
    }

    @Test(arguments: ["rsa-pss-sha256", "rsa-pkcs1-sha256", "ecdsa-p256-sha256", "ed25519"])
    func signThenVerifyIsValid(_ algorithm: String) throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer", algorithm: algorithm)
        let (payload, signature) = try Fixtures.sign(directory, key: key, algorithm: algorithm)
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            algorithm,
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("valid: "))
        let json = try JSONSerialization.jsonObject(with: Data(try directory.read("payload.json"))) as? [String: Any]
        let critical = json?["critical"] as? [String: Any]
        #expect((critical?["image"] as? [String: Any])?["docker-manifest-digest"] as? String == Fixtures.digestA)
        #expect((critical?["identity"] as? [String: Any])?["docker-reference"] as? String == Fixtures.repository)
    }

    @Test func signatureWithoutPaddingAndWithWhitespaceIsValid() throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        var text = String(decoding: try directory.read("payload.sig"), as: UTF8.self)
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("=") { text.removeLast() }
        let wrapped = stride(from: 0, to: text.count, by: 64).map { offset -> String in
            let start = text.index(text.startIndex, offsetBy: offset)
            return String(text[start..<(text.index(start, offsetBy: 64, limitedBy: text.endIndex) ?? text.endIndex)])
        }.joined(separator: "\r\n ")
        try directory.write(wrapped, to: "payload.sig")
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
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

    @Test func verifyWithAnotherKeyIsInvalid() throws {
        let directory = try TemporaryDirectory()
        let (key, _) = try Fixtures.keygen(directory, name: "signer")
        let (_, otherPub) = try Fixtures.keygen(directory, name: "other")
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        let result = try CLI.attestctl(
            "verify",
            "--key",
            otherPub,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("invalid (bad-signature)"))
    }

    @Test func verifyOfATamperedPayloadIsInvalid() throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        try directory.write(try directory.read("payload.json") + Array(" ".utf8), to: "payload.json")
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("bad-signature"))
    }

    @Test(arguments: [
        ("registry.example.com/team/other@" + Fixtures.digestA, "identity-mismatch"),
        (Fixtures.repository + "@" + Fixtures.digestB, "digest-mismatch"),
        ("alpine@" + Fixtures.digestA, "identity-mismatch"),
    ])
    func verifyForAnotherImageIsInvalidWithTheReason(_ image: String, _ reason: String) throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("invalid (\(reason))"), "\(result)")
    }

    @Test func payloadTypeOutsideTheAcceptedTypesIsInvalid() throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer", algorithm: "ed25519")
        let (payload, signature) = try Fixtures.sign(
            directory,
            key: key,
            algorithm: "ed25519",
            extra: ["--type", "my build system signature"]
        )
        let arguments = [
            "verify", "--key", pub, "--alg", "ed25519", "--image", Fixtures.image, "--payload", payload,
            "--signature", signature,
        ]
        let rejected = try CLI.attestctl(arguments)
        #expect(rejected.status == 1, "\(rejected)")
        #expect(rejected.stdout.contains("invalid (wrong-type)"), "\(rejected)")
        let accepted = try CLI.attestctl(arguments + ["--type", "my build system signature"])
        #expect(accepted.status == 0, "\(accepted)")
    }

    @Test func emptySignatureFileIsUnusableInput() throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, _) = try Fixtures.sign(directory, key: key)
        let empty = try directory.write("", to: "empty.sig")
        let result = try CLI.attestctl(
            "verify",
            "--key",
            pub,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            empty
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("is empty"), "\(result)")
    }

    @Test func verifyUnderTheOtherRSAPaddingIsInvalid() throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, signature) = try Fixtures.sign(directory, key: key, algorithm: "rsa-pss-sha256")
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

    /// Each case replaces one argument of a valid `verify` with an unusable one.
    enum Unusable: String, CaseIterable, Sendable {
        case missingPayload, missingKey, missingSignature, badKeyFile, privateKeyAsPublic, unknownAlgorithm
        case keyAlgorithmMismatch, malformedReference, upperCaseDigest, nonBase64Signature
    }

    @Test(arguments: Unusable.allCases)
    func unusableInputExitsTwoWithAReason(_ fault: Unusable) throws {
        let directory = try TemporaryDirectory()
        let (key, pub) = try Fixtures.keygen(directory, name: "signer")
        let (payload, signature) = try Fixtures.sign(directory, key: key)
        var arguments = [
            "--key": pub, "--alg": "rsa-pss-sha256", "--image": Fixtures.image, "--payload": payload,
            "--signature": signature,
        ]
        let expected: String
        switch fault {
        case .missingPayload:
            arguments["--payload"] = directory.path("absent.json")
            expected = "absent.json"
        case .missingKey:
            arguments["--key"] = directory.path("absent.pub")
            expected = "absent.pub"
        case .missingSignature:
            arguments["--signature"] = directory.path("absent.sig")
            expected = "absent.sig"
        case .badKeyFile:
            arguments["--key"] = try directory.write("-----BEGIN PUBLIC KEY-----\nAAAA\n", to: "bad.pub")
            expected = "public key"
        case .privateKeyAsPublic:
            arguments["--key"] = key
            expected = "public key"
        case .unknownAlgorithm:
            arguments["--alg"] = "rsa-pss-md5"
            expected = "unknown signature algorithm"
        case .keyAlgorithmMismatch:
            arguments["--alg"] = "ecdsa-p256-sha256"
            expected = "ecdsa"
        case .malformedReference:
            arguments["--image"] = "registry.example.com//app@" + Fixtures.digestA
            expected = "malformed image reference"
        case .upperCaseDigest:
            arguments["--image"] = Fixtures.repository + "@" + Fixtures.digestA.uppercased()
            expected = "malformed image reference"
        case .nonBase64Signature:
            arguments["--signature"] = try directory.write("this is not base64!\n", to: "bad.sig")
            expected = "not base64"
        }
        let result = try CLI.attestctl(
            ["verify"] + arguments.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.localizedCaseInsensitiveContains(expected), "\(result)")
        #expect(!result.stdout.contains("valid"))
    }

    @Test func keygenWithAnUnknownAlgorithmExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let result = try CLI.attestctl("keygen", "--alg", "dsa-sha1", "--out", directory.path("k"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("unknown signature algorithm"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("k.key")))
    }

    @Test func keygenWithASmallRSAKeyExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let result = try CLI.attestctl(
            "keygen",
            "--alg",
            "rsa-pss-sha256",
            "--bits",
            "1024",
            "--out",
            directory.path("k")
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("1024"))
    }

    @Test func signingATagImageExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let (key, _) = try Fixtures.keygen(directory, name: "signer")
        let result = try CLI.attestctl(
            "sign",
            "--key",
            key,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            "alpine:3.11",
            "--output-payload",
            directory.path("p.json"),
            "--output-signature",
            directory.path("p.sig")
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("tag"))
    }

    @Test func signingWithAPublicKeyExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let (_, pub) = try Fixtures.keygen(directory, name: "signer")
        let result = try CLI.attestctl(
            "sign",
            "--key",
            pub,
            "--alg",
            "rsa-pss-sha256",
            "--image",
            Fixtures.image,
            "--output-payload",
            directory.path("p.json"),
            "--output-signature",
            directory.path("p.sig")
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("private key"))
    }
}
