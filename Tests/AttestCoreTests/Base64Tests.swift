import Testing

@testable import AttestCore

struct Base64Tests {
    @Test(
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
        let unpadded = String(encoded.filter { $0 != "=" })
        #expect(try Base64.decode(unpadded) == Array(plain.utf8))
        #expect(Base64.encodeURLSafe(Array(plain.utf8)) == unpadded)
        #expect(try Base64.decodeURLSafe(unpadded) == Array(plain.utf8))
        // Every alphabet and padding combination (these vectors use neither `+/` nor `-_`).
        #expect(Base64.encode(Array(plain.utf8), urlSafe: false, padding: true) == encoded)
        #expect(Base64.encode(Array(plain.utf8), urlSafe: false, padding: false) == unpadded)
        #expect(Base64.encode(Array(plain.utf8), urlSafe: true, padding: true) == encoded)
        #expect(Base64.encode(Array(plain.utf8), urlSafe: true, padding: false) == unpadded)
    }

    @Test func roundTripsEveryLengthAndByte() throws {
        var generator = SplitMix64(seed: 3)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(try Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(try Base64.decodeURLSafe(Base64.encodeURLSafe(bytes)) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        let standard = Base64.encode(all)
        #expect(standard.contains("+") && standard.contains("/"))
        let urlSafe = Base64.encodeURLSafe(all)
        #expect(urlSafe.contains("-") && urlSafe.contains("_") && !urlSafe.contains("="))
    }

    @Test func ignoresWhitespaceAnywhere() throws {
        #expect(try Base64.decode(" Zm9v\nYmFy\r\n\tZg = = \n") == Array("foobarf".utf8))
        #expect(try Base64.decode(bytes: Array("Zm9v\n".utf8)) == Array("foo".utf8))
        #expect(try Base64.decode(Substring("Zm9v")) == Array("foo".utf8))
    }

    @Test func refusesWhitespaceWhenAsked() {
        #expect {
            try Base64.decode("Zm9v YmFy", ignoringWhitespace: false)
        } throws: { error in
            let error = error as? Base64Error
            return error?.code == .invalidCharacter && error?.offset == 4 && error?.reason.contains("space") == true
        }
    }

    @Test(
        arguments: [
            ("Zm9v!", Base64Error.Code.invalidCharacter, 4, "'!'"),
            ("Zm9v-_", .invalidCharacter, 4, "'-'"),
            ("Zm9vé", .invalidCharacter, 4, "non-ASCII"),
            ("Zm9v\u{0}", .invalidCharacter, 4, "0x00"),
            ("=Zm9v", .invalidPadding, 0, "where a group starts"),
            ("Zm9v=", .invalidPadding, 4, "where a group starts"),
            ("Z===", .invalidPadding, 1, "needs more data"),
            ("Zg===", .invalidPadding, 4, "too many '='"),
            ("Zg=", .invalidPadding, 2, "1 '=' after 2 characters"),
            ("Zg==Zm9v", .invalidPadding, 4, "data after '=' padding"),
            ("Zm9vY", .invalidLength, 4, "single character"),
            ("Zh==", .nonZeroTrailingBits, 1, "non-zero trailing bits"),
            ("Zm9=", .nonZeroTrailingBits, 2, "non-zero trailing bits"),
        ]
    )
    func refusesMalformedText(text: String, code: Base64Error.Code, offset: Int, fragment: String) {
        #expect {
            try Base64.decode(text)
        } throws: { error in
            guard let error = error as? Base64Error else { return false }
            let matches = error.code == code && error.offset == offset && error.reason.contains(fragment)
            if !matches { Issue.record("got [\(error.code)] \(error.reason)") }
            return matches
        }
    }

    @Test func urlSafeRefusesTheStandardAlphabet() {
        #expect(throws: Base64Error.self) { try Base64.decodeURLSafe("ab+/") }
        #expect(throws: Base64Error.self) { try Base64.decode("ab-_") }
    }

    @Test func garbageNeverCrashes() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let bytes = (0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if let decoded = try? Base64.decode(bytes: bytes) {
                #expect(decoded.count <= bytes.count)
            }
        }
    }
}
