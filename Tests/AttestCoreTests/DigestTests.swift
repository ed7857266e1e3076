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

    /// A refused digest with its code and the exact message, captured from the parser when this table was
    /// written: any change here is a change of behaviour.
    struct Refused: Sendable, CustomTestStringConvertible {
        var text: String
        var code: ImageReferenceError.Code
        var message: String

        init(_ text: String, _ code: ImageReferenceError.Code, _ message: String) {
            self.text = text
            self.code = code
            self.message = message
        }

        var testDescription: String { TextQuoting.quoted(text, limit: 80) }
    }

    static let digest = "sha256:" + hex

    static let refused: [Refused] = [
        Refused(
            "sha256:" + String(repeating: "A", count: 64),
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "A", count: 64)
                + "\" has upper-case hex at position 1 of the hex part; digests are written in lower case"
        ),
        Refused(
            "sha256:" + String(hex.dropLast()) + "F",
            .invalidDigest,
            "digest \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF\" has upper-case hex at position 64 of the hex part; digests are written in lower case"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 63),
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 63) + "\" has 63 hex digits; sha256 needs exactly 64"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 65),
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 65) + "\" has 65 hex digits; sha256 needs exactly 64"
        ),
        Refused("sha256:", .invalidDigest, "digest \"sha256:\" has 0 hex digits; sha256 needs exactly 64"),
        Refused(
            "sha256:" + String(repeating: "g", count: 64),
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "g", count: 64)
                + "\" has 'g' at position 1 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 63) + "é",
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 63)
                + "é\" has a non-ASCII byte at position 64 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 63) + "\n",
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 63)
                + "\\n\" has 0x0A at position 64 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 63) + " ",
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 63)
                + " \" has space at position 64 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256:" + hex + ":",
            .invalidDigest,
            "digest \"" + digest + ":\" has ':' at position 65 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256::" + hex,
            .invalidDigest,
            "digest \"sha256::" + hex + "\" has ':' at position 1 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha512:" + String(repeating: "a", count: 128),
            .unsupportedDigestAlgorithm,
            "digest \"sha512:" + String(repeating: "a", count: 89)
                + "…\" uses algorithm \"sha512\"; only sha256 is supported"
        ),
        Refused(
            "SHA256:" + hex,
            .unsupportedDigestAlgorithm,
            "digest \"SHA256:" + hex + "\" uses algorithm \"SHA256\"; only sha256 is supported"
        ),
        Refused(
            " sha256:" + hex,
            .unsupportedDigestAlgorithm,
            "digest \" " + digest + "\" uses algorithm \" sha256\"; only sha256 is supported"
        ),
        Refused(
            "sha256 :" + hex,
            .unsupportedDigestAlgorithm,
            "digest \"sha256 :" + hex + "\" uses algorithm \"sha256 \"; only sha256 is supported"
        ),
        Refused(
            ":" + hex,
            .unsupportedDigestAlgorithm,
            "digest \":" + hex + "\" uses algorithm \"\"; only sha256 is supported"
        ),
        Refused(
            hex,
            .invalidDigest,
            "digest \"" + hex + "\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused("", .invalidDigest, "digest \"\" has no algorithm prefix; expected sha256:<64 lower-case hex>"),
        Refused(
            "sha256",
            .invalidDigest,
            "digest \"sha256\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused(
            "sha256:\u{0}",
            .invalidDigest,
            "digest \"sha256:\\u{0}\" has 0x00 at position 1 of the hex part; expected lower-case hex"
        ),
        Refused(
            "sha256:" + String(repeating: "a", count: 4000),
            .invalidDigest,
            "digest \"sha256:" + String(repeating: "a", count: 89) + "…\" has 4000 hex digits; sha256 needs exactly 64"
        ),
        Refused(
            "x\"y:" + hex,
            .unsupportedDigestAlgorithm,
            "digest \"x\\\"y:" + hex + "\" uses algorithm \"x\\\"y\"; only sha256 is supported"
        ),
        Refused(
            String(repeating: "s", count: 200) + ":" + hex,
            .unsupportedDigestAlgorithm,
            "digest \"" + String(repeating: "s", count: 96) + "…\" uses algorithm \""
                + String(repeating: "s", count: 96) + "…\"; only sha256 is supported"
        ),
    ]

    @Test(arguments: refused)
    func refusesMalformedDigestsWithExactMessages(expected: Refused) {
        for attempt in [{ try Digest(parsing: expected.text) }, { try Digest(parsing: Substring(expected.text)) }] {
            #expect {
                try attempt()
            } throws: { error in
                guard let error = error as? ImageReferenceError else { return false }
                #expect(error.code == expected.code)
                #expect(error.reason == expected.message)
                return error.code == expected.code && error.reason == expected.message
            }
        }
    }

    @Test func parsesFromSubstringsOfLargerText() throws {
        let text = "image@sha256:" + Self.hex + "#"
        let start = try #require(text.firstIndex(of: "@"))
        let slice = text[text.index(after: start)..<text.index(before: text.endIndex)]
        let digest = try Digest(parsing: slice)
        #expect(digest.hex == Self.hex)
        #expect(digest.description == Self.digest)
        #expect(digest == (try Digest(parsing: Self.digest)))
        #expect(digest.hashValue == (try Digest(parsing: Self.digest)).hashValue)
    }
}
