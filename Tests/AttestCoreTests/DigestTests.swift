import Testing

@testable import AttestCore

struct DigestTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)

    @Test func parsesLowerCaseSHA256() throws {
        let digest = try Digest(parsing: "sha256:" + Self.hex)
        #expect(digest.hex == Self.hex)
        #expect(digest.description == "sha256:" + Self.hex)
        #expect(digest == (try Digest(parsing: Substring("sha256:" + Self.hex))))
    }

    @Test func buildsFromRawBytes() throws {
        let digest = try #require(Digest(sha256: (0..<32).map { UInt8($0 * 8) }))
        #expect(digest.hex.hasPrefix("0008101820"))
        #expect(digest.hex.count == 64)
        #expect(Digest(sha256: [UInt8](repeating: 0, count: 31)) == nil)
    }

    @Test(
        arguments: [
            ("sha256:" + String(repeating: "A", count: 64), ImageReferenceError.Code.invalidDigest, "upper-case"),
            ("sha256:" + String(repeating: "a", count: 63), .invalidDigest, "63 hex digits"),
            ("sha256:" + String(repeating: "a", count: 65), .invalidDigest, "65 hex digits"),
            ("sha256:", .invalidDigest, "0 hex digits"),
            ("sha256:" + String(repeating: "g", count: 64), .invalidDigest, "'g'"),
            ("sha256:" + String(repeating: "a", count: 63) + "é", .invalidDigest, "non-ASCII"),
            ("sha512:" + String(repeating: "a", count: 128), .unsupportedDigestAlgorithm, "\"sha512\""),
            ("SHA256:" + String(repeating: "a", count: 64), .unsupportedDigestAlgorithm, "only sha256"),
            (String(repeating: "a", count: 64), .invalidDigest, "no algorithm prefix"),
            ("", .invalidDigest, "no algorithm prefix"),
        ]
    )
    func refusesMalformedDigests(text: String, code: ImageReferenceError.Code, fragment: String) {
        #expect {
            try Digest(parsing: text)
        } throws: { error in
            guard let error = error as? ImageReferenceError else { return false }
            return error.code == code && error.reason.contains(fragment)
        }
    }
}
