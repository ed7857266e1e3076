import AttestCore
import Foundation
import Testing

@testable import AttestCrypto

/// Key parsers meeting valid, refused, truncated, oversized and hostile input.
struct KeyParsingTests {
    static let rsaPEM = Fixtures.rsa2048.publicKey.pem

    @Test func spkiPEMAndDERParseToTheSameKey() throws {
        let fromPEM = try PublicKey(pem: Self.rsaPEM)
        let fromDER = try PublicKey(der: Fixtures.rsa2048.publicKey.spkiDER)
        #expect(fromPEM == fromDER)
        #expect(fromPEM.family == .rsa && fromPEM.bits == 2048 && fromPEM.curve == nil)
        #expect(try PublicKey.parse(Array(Self.rsaPEM.utf8)) == fromPEM)
        #expect(try PublicKey.parse(fromDER.spkiDER) == fromPEM)
        #expect(Set([fromPEM, fromDER]).count == 1)
    }

    @Test func crlfAndSurroundingWhitespaceAreAccepted() throws {
        let crlf = "\n  \r\n" + Self.rsaPEM.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\n \t\n"
        #expect(try PublicKey(pem: crlf) == Fixtures.rsa2048.publicKey)
    }

    @Test func curvesAndFamiliesAreReported() throws {
        #expect(Fixtures.p256.publicKey.family == .ec && Fixtures.p256.publicKey.curve == .p256)
        #expect(Fixtures.p384.publicKey.curve == .p384)
        #expect(Fixtures.ed25519.publicKey.family == .ed25519 && Fixtures.ed25519.publicKey.curve == nil)
    }

    @Test func rsa1024KeyIsRefused() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.openssl(
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "k.pem"],
            in: directory
        )
        try TestSupport.openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "k.pub"], in: directory)
        let error = #expect(throws: CryptoError.self) {
            try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("k.pub")))
        }
        #expect(error?.code == .keyTooSmall)
        #expect(error?.reason.contains("1024") == true)
        let privateError = #expect(throws: CryptoError.self) {
            try PrivateKey(pem: TestSupport.readText(directory.appendingPathComponent("k.pem")))
        }
        #expect(privateError?.code == .keyTooSmall)
    }

    @Test func unsupportedCurveIsRefused() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.openssl(
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k.pem"],
            in: directory
        )
        try TestSupport.openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "k.pub"], in: directory)
        let error = #expect(throws: CryptoError.self) {
            try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("k.pub")))
        }
        #expect(error?.code == .unsupportedKeyType)
        #expect(error?.reason.contains("secp256k1") == true)
    }

    @Test func unknownKeyTypeIsRefused() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.openssl(["genpkey", "-algorithm", "X25519", "-out", "k.pem"], in: directory)
        try TestSupport.openssl(["pkey", "-in", "k.pem", "-pubout", "-out", "k.pub"], in: directory)
        let error = #expect(throws: CryptoError.self) {
            try PublicKey(pem: TestSupport.readText(directory.appendingPathComponent("k.pub")))
        }
        #expect(error?.code == .unsupportedKeyType)
    }

    @Test func trailingTextAfterPEMIsRefused() {
        let error = #expect(throws: CryptoError.self) { try PublicKey(pem: Self.rsaPEM + "with some extra stuff\n") }
        #expect(error?.code == .trailingData)
        #expect(error?.reason.contains("line") == true)
    }

    @Test func secondPEMBlockIsRefused() {
        let error = #expect(throws: CryptoError.self) { try PublicKey(pem: Self.rsaPEM + Fixtures.p256.publicKey.pem) }
        #expect(error?.code == .trailingData)
    }

    @Test func textBeforePEMIsRefused() {
        let error = #expect(throws: CryptoError.self) { try PublicKey(pem: "hello\n" + Self.rsaPEM) }
        #expect(error?.code == .malformedKey)
    }

    @Test func truncatedPEMIsRefused() {
        let lines = Self.rsaPEM.split(separator: "\n")
        let withoutEnd = lines.dropLast().joined(separator: "\n")
        let noEnd = #expect(throws: CryptoError.self) { try PublicKey(pem: withoutEnd) }
        #expect(noEnd?.code == .malformedKey)
        #expect(noEnd?.reason.contains("truncated") == true)
        // Cut in the middle of the body, END line kept: the DER is short.
        let cut = ([lines[0], lines[1], lines[2]] + [lines.last!]).joined(separator: "\n")
        #expect(throws: CryptoError.self) { try PublicKey(pem: cut) }
        // Every prefix of the PEM is refused without a crash.
        let bytes = Array(Self.rsaPEM.utf8)
        for length in stride(from: 0, to: bytes.count - 2, by: 7) {
            #expect(throws: CryptoError.self) {
                try PublicKey(pem: String(decoding: bytes.prefix(length), as: UTF8.self))
            }
        }
    }

    @Test func mismatchedLabelsAndBadBase64AreRefused() {
        let body = Self.rsaPEM.split(separator: "\n").dropFirst().dropLast().joined(separator: "\n")
        let cases = [
            "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END RSA PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\n\(body)!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\n=\(body)\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
            "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n",
            "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\(body)\n-----END PUBLIC KEY-----\n",
            "-----BEGIN -----\n\(body)\n-----END -----\n",
        ]
        for text in cases {
            let error = #expect(throws: CryptoError.self) { try PublicKey(pem: text) }
            #expect(error?.code == .malformedKey, "\(error?.reason ?? "")")
        }
    }

    @Test func pkcs1LabelWithSPKIBodyIsRefused() {
        let body = Self.rsaPEM.split(separator: "\n").dropFirst().dropLast().joined(separator: "\n")
        #expect(throws: CryptoError.self) {
            try PublicKey(pem: "-----BEGIN RSA PUBLIC KEY-----\n\(body)\n-----END RSA PUBLIC KEY-----\n")
        }
    }

    @Test func derWithTrailingBytesIsRefused() {
        let error = #expect(throws: CryptoError.self) { try PublicKey(der: Fixtures.rsa2048.publicKey.spkiDER + [0]) }
        #expect(error?.code == .trailingData)
        #expect(error?.reason.contains("offset \(Fixtures.rsa2048.publicKey.spkiDER.count)") == true)
        #expect(throws: CryptoError.self) { try PublicKey.parse(Fixtures.p256.publicKey.spkiDER + [0x30, 0x00]) }
    }

    @Test func pemWithTrailingBytesInsideTheDERIsRefused() {
        let block = PEMBlock(label: "PUBLIC KEY", der: Fixtures.p256.publicKey.spkiDER + [0x05, 0x00]).text
        let error = #expect(throws: CryptoError.self) { try PublicKey(pem: block) }
        #expect(error?.code == .trailingData)
    }

    @Test func truncatedDERIsRefused() {
        let der = Fixtures.rsa2048.publicKey.spkiDER
        for length in stride(from: 0, to: der.count, by: 5) {
            #expect(throws: CryptoError.self) { try PublicKey(der: Array(der.prefix(length))) }
        }
    }

    @Test func emptyInputIsRefusedByEveryParser() {
        #expect(throws: CryptoError.self) { try PublicKey(pem: "") }
        #expect(throws: CryptoError.self) { try PublicKey(pem: " \n\t\n") }
        #expect(throws: CryptoError.self) { try PublicKey(der: []) }
        #expect(throws: CryptoError.self) { try PublicKey.parse([]) }
        #expect(throws: CryptoError.self) { try PublicKey.parse(Array("   \n".utf8)) }
        #expect(throws: CryptoError.self) { try PrivateKey(pem: "") }
    }

    @Test func hugeInputIsRefusedByEveryParser() {
        let huge = [UInt8](repeating: 0x41, count: PublicKey.maximumEncodedSize + 1)
        let hugeText =
            "-----BEGIN PUBLIC KEY-----\n" + String(repeating: "QUFB\n", count: 20_000) + "-----END PUBLIC KEY-----\n"
        for error in [
            #expect(throws: CryptoError.self) { try PublicKey(pem: hugeText) },
            #expect(throws: CryptoError.self) { try PublicKey(der: [0x30] + huge) },
            #expect(throws: CryptoError.self) { try PublicKey.parse(huge) },
            #expect(throws: CryptoError.self) {
                try PrivateKey(pem: hugeText.replacingOccurrences(of: "PUBLIC", with: "PRIVATE"))
            },
        ] {
            #expect(error?.code == .inputTooLarge)
        }
    }

    @Test func binaryGarbageIsRefusedByEveryParser() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 2, 16, 300, 5000] {
            var garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: CryptoError.self) { try PublicKey.parse(garbage) }
            garbage[0] = 0x30
            #expect(throws: CryptoError.self) { try PublicKey(der: garbage) }
            #expect(throws: CryptoError.self) { try PublicKey.parse(garbage) }
            let text = String(decoding: garbage, as: UTF8.self)
            #expect(throws: CryptoError.self) { try PublicKey(pem: text) }
            #expect(throws: CryptoError.self) { try PrivateKey(pem: text) }
        }
        // A DER length claiming far more than is present.
        #expect(throws: CryptoError.self) { try PublicKey(der: [0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30]) }
        #expect(throws: CryptoError.self) { try PublicKey.parse([0xff, 0xfe, 0x00]) }
    }

    @Test func privateKeyParserRefusesPublicKeysEncryptedKeysAndTrailingData() throws {
        let wrongLabel = #expect(throws: CryptoError.self) { try PrivateKey(pem: Self.rsaPEM) }
        #expect(wrongLabel?.code == .malformedKey)
        let encrypted = #expect(throws: CryptoError.self) {
            try PrivateKey(pem: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n")
        }
        #expect(encrypted?.code == .encryptedKey)
        let legacyEncrypted = #expect(throws: CryptoError.self) {
            try PrivateKey(
                pem:
                    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n"
            )
        }
        #expect(legacyEncrypted?.code == .encryptedKey)
        let trailing = #expect(throws: CryptoError.self) { try PrivateKey(pem: Fixtures.p256.pkcs8PEM + "x\n") }
        #expect(trailing?.code == .trailingData)
        // The PEM body of a public key under a private label does not parse as PKCS#8.
        #expect(throws: CryptoError.self) {
            try PrivateKey(pem: Self.rsaPEM.replacingOccurrences(of: "PUBLIC", with: "PRIVATE"))
        }
    }

    @Test func errorsNameTheirCodeAndReason() {
        let error = CryptoError(.malformedKey, "public key: line 3 is wrong")
        #expect(error.description == "CryptoError.malformedKey: public key: line 3 is wrong")
        #expect(error.file.hasSuffix("KeyParsingTests.swift"))
    }
}
