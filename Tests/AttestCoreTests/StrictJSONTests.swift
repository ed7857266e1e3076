import Testing

@testable import AttestCore

struct StrictJSONTests {
    static let payload = Array(
        #"{"critical":{"identity":{"docker-reference":"docker.io/library/alpine"},"image":{"docker-manifest-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"type":"atomic container signature"},"optional":{"creator":"attestd","timestamp":1700000000,"list":[true,false,null,-1.5e3]}}"#
            .utf8
    )

    func parse(_ text: String, maxSize: Int = StrictJSON.defaultMaxSize, maxDepth: Int = 64) throws -> JSONValue {
        try StrictJSON(maxSize: maxSize, maxDepth: maxDepth).parse(Array(text.utf8))
    }

    func expectError(
        _ bytes: [UInt8],
        _ code: JSONError.Code,
        offset: Int? = nil,
        _ fragment: String = "",
        maxDepth: Int = StrictJSON.defaultMaxDepth
    ) {
        #expect {
            try StrictJSON(maxDepth: maxDepth).parse(bytes)
        } throws: { error in
            guard let error = error as? JSONError else { return false }
            let matches =
                error.code == code && (offset == nil || error.offset == offset) && error.reason.contains(fragment)
                && error.reason.hasSuffix("at offset \(error.offset)")
            if !matches { Issue.record("got [\(error.code)] \(error.reason)") }
            return matches
        }
    }

    // MARK: Happy path

    @Test func parsesASimpleSigningPayload() throws {
        let value = try StrictJSON().parse(Self.payload)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["critical", "optional"])
        #expect(value["critical"]?["identity"]?["docker-reference"] == "docker.io/library/alpine")
        #expect(value["critical"]?["type"]?.stringValue == "atomic container signature")
        #expect(value["optional"]?["timestamp"] == .number("1700000000"))
        #expect(value["optional"]?["timestamp"]?.intValue == 1_700_000_000)
        #expect(value["optional"]?["list"] == [true, false, nil, .number("-1.5e3")])
        #expect(value["missing"] == nil)
    }

    @Test(
        arguments: [
            (#""plain""#, "plain"),
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
            (#""\u00e9\u00E9""#, "éé"),
            (#""\ud83d\ude00""#, "😀"),
            (#""\u0000""#, "\u{0}"),
            ("\"é😀中\"", "é😀中"),
            (#""a\u0062c""#, "abc"),
        ]
    )
    func decodesStrings(json: String, expected: String) throws {
        #expect(try parse(json) == .string(expected))
    }

    @Test(arguments: ["0", "-0", "1", "-12", "1.5", "1.5e-3", "10E+2", "0.0e0", "123456789012345678901234567890"])
    func keepsNumberLiterals(literal: String) throws {
        #expect(try parse(" \(literal) ") == .number(literal))
    }

    @Test func acceptsScalarsAndEmptyContainersAtTopLevel() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" [ ] ") == .array([]))
        #expect(try parse("{ }") == .object(JSONObject()))
        #expect(try parse("\t\r\n[1 , {\"a\" : [ ]}]\n") == [1, ["a": []]])
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(deep)
        #expect(throws: JSONError.self) { try parse("[" + deep + "]") }
    }

    @Test func parsesNonContiguousInput() throws {
        let lazy = Self.payload.lazy.map { $0 }
        #expect(try StrictJSON().parse(lazy) == StrictJSON().parse(Self.payload))
    }

    @Test func keysCompareByExactBytes() throws {
        // KELVIN SIGN is canonically equivalent to "K" in Swift, but is a different JSON key.
        let value = try parse(#"{"K":1,"\u212A":2}"#)
        #expect(value.objectValue?.count == 2)
        #expect(value["K"] == 1)
        #expect(value["\u{212A}"] == 2)
    }

    @Test func largeObjectsUseTheIndex() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let value = try parse("{\(members)}")
        #expect(value["k0"] == 0)
        #expect(value["k99"] == 99)
        #expect(value["k100"] == nil)
        expectError(Array("{\(members),\"k57\":0}".utf8), .duplicateKey, "duplicate key \"k57\"")
    }

    // MARK: Duplicates

    @Test(
        arguments: [
            (#"{"critical":1,"critical":2}"#, 14, "critical"),
            (#"{"a":{"b":1,"c":2,"b":3}}"#, 18, "b"),
            (#"{"a":{"b":{"c":[],"c":{}}}}"#, 18, "c"),
            (#"[{"x":1},{"y":1,"y":1}]"#, 16, "y"),
            (#"{"a":1,"\u0061":2}"#, 7, "a"),
            (#"{"critical":{"type":"a","type":"a"}}"#, 24, "type"),
        ]
    )
    func refusesDuplicateKeysAtEveryDepth(json: String, offset: Int, key: String) {
        expectError(Array(json.utf8), .duplicateKey, offset: offset, "duplicate key \"\(key)\" at offset \(offset)")
    }

    @Test func sameKeyInSiblingObjectsIsFine() throws {
        _ = try parse(#"{"a":{"k":1},"b":{"k":1},"k":[{"k":1},{"k":2}]}"#)
    }

    // MARK: Hostile input

    @Test func refusesDeepNestingWithoutCrashing() {
        let arrays = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        expectError(arrays, .tooDeep, offset: 64, "nesting deeper than 64 levels")
        let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        expectError(objects, .tooDeep, "nesting deeper")
        // The configurable limit never goes past the ceiling that keeps releasing a value safe.
        let closed = arrays + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        expectError(
            closed,
            .tooDeep,
            offset: StrictJSON.depthCeiling,
            "nesting deeper than 1000 levels",
            maxDepth: .max
        )
        let atCeiling =
            [UInt8](repeating: UInt8(ascii: "["), count: StrictJSON.depthCeiling)
            + [UInt8](repeating: UInt8(ascii: "]"), count: StrictJSON.depthCeiling)
        #expect(throws: Never.self) { try StrictJSON(maxDepth: .max).parse(atCeiling) }
    }

    @Test func refusesEveryTruncation() {
        for length in 0..<Self.payload.count {
            do {
                _ = try StrictJSON().parse(Self.payload[0..<length])
                Issue.record("prefix of \(length) bytes parsed")
            } catch {
                #expect(error.code == .unexpectedEnd, "prefix of \(length) bytes: \(error.reason)")
            }
        }
    }

    @Test func refusesOversizedInput() {
        #expect {
            try StrictJSON(maxSize: 100).parse([UInt8](repeating: UInt8(ascii: " "), count: 101))
        } throws: { ($0 as? JSONError)?.code == .tooLarge }
        let huge = Array(("\"" + String(repeating: "x", count: 2 << 20) + "\"").utf8)
        expectError(huge, .tooLarge, "exceeds the 1048576-byte limit")
    }

    @Test(
        arguments: [
            ([0x22, 0xC0, 0x80, 0x22], 1, "cannot start"),  // overlong NUL
            ([0x22, 0xE0, 0x80, 0x80, 0x22], 2, "invalid UTF-8 sequence"),  // overlong
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2, "invalid UTF-8 sequence"),  // UTF-16 surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2, "invalid UTF-8 sequence"),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "cannot start"),
            ([0x22, 0xFF, 0x22], 1, "cannot start"),
            ([0x22, 0x80, 0x22], 1, "cannot start"),  // lone continuation byte
            ([0x22, 0x61, 0xE2, 0x82, 0x22], 4, "invalid UTF-8 sequence"),  // truncated sequence
            ([0x22, 0xE2, 0x82], 1, "ends inside a UTF-8 sequence"),
        ] as [([UInt8], Int, String)]
    )
    func refusesInvalidUTF8(bytes: [UInt8], offset: Int, fragment: String) {
        expectError(bytes, .invalidUTF8, offset: offset, fragment)
    }

    @Test(
        arguments: [
            ("\"a\u{1}b\"", JSONError.Code.controlCharacter, 2, "control character 0x01"),
            ("\"a\nb\"", .controlCharacter, 2, "0x0A"),
            (#""\x""#, .invalidEscape, 1, "'x'"),
            (#""\u12G4""#, .invalidEscape, 5, "'G'"),
            (#""\'""#, .invalidEscape, 1, "'''"),
            (#""\ud800""#, .invalidSurrogate, 1, "without a following"),
            (#""\ud800x""#, .invalidSurrogate, 1, "without a following"),
            (#""\ud800\u0041""#, .invalidSurrogate, 7, "not a low surrogate"),
            (#""\udc00""#, .invalidSurrogate, 1, "low surrogate without"),
            ("01", .invalidNumber, 0, "leading zero"),
            ("-01", .invalidNumber, 0, "leading zero"),
            ("1.", .unexpectedEnd, 2, "inside a number"),
            ("[1.]", .invalidNumber, 3, "after '.'"),
            ("[1e]", .invalidNumber, 3, "after the exponent mark"),
            ("[-]", .invalidNumber, 2, "where a digit"),
            ("[-a]", .invalidNumber, 2, "where a digit"),
            (".5", .unexpectedByte, 0, "'.'"),
            ("+1", .unexpectedByte, 0, "'+'"),
            ("tru", .unexpectedEnd, 3, "literal 'true'"),
            ("trUe", .invalidLiteral, 0, "literal 'true'"),
            ("nul1", .invalidLiteral, 0, "literal 'null'"),
            ("True", .unexpectedByte, 0, "'T'"),
            ("{} {}", .trailingData, 3, "after the top-level value"),
            ("{}x", .trailingData, 2, "'x'"),
            ("{}\u{0}", .trailingData, 2, "0x00"),
            ("\u{FEFF}{}", .unexpectedByte, 0, "0xEF"),
            ("", .unexpectedEnd, 0, "empty document"),
            ("   ", .unexpectedEnd, 3, "where a value"),
            ("{\"a\" 1}", .unexpectedByte, 5, "expected ':'"),
            ("{\"a\":1 \"b\":2}", .unexpectedByte, 7, "expected ',' or '}'"),
            ("[1 2]", .unexpectedByte, 3, "expected ',' or ']'"),
            ("{\"a\":1,}", .unexpectedByte, 7, "object key was expected"),
            ("[1,]", .unexpectedByte, 3, "where a value"),
            ("{1:2}", .unexpectedByte, 1, "object key was expected"),
            ("{'a':1}", .unexpectedByte, 1, "'''"),
            ("[\"abc", .unexpectedEnd, 1, "inside the string"),
            ("[\"é", .unexpectedEnd, 1, "inside the string"),
            ("\"\\", .unexpectedEnd, 1, "inside an escape"),
            ("\"\\u12", .unexpectedEnd, 1, "inside a \\u escape"),
            ("NaN", .unexpectedByte, 0, "'N'"),
            ("[Infinity]", .unexpectedByte, 1, "'I'"),
        ]
    )
    func refusesMalformedDocuments(json: String, code: JSONError.Code, offset: Int, fragment: String) {
        expectError(Array(json.utf8), code, offset: offset, fragment)
    }

    @Test func randomGarbageNeverCrashes() throws {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xFF]
        for round in 0..<3000 {
            let length = Int(generator.next() % 64)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0
                    ? UInt8(truncatingIfNeeded: generator.next())
                    : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            if let value = try? StrictJSON().parse(bytes) {
                // Whatever parses must survive a serialisation round trip.
                #expect(try StrictJSON().parse(value.serialized()) == value)
            }
        }
    }

    @Test func mutatedPayloadsNeverCrash() {
        var generator = SplitMix64(seed: 9)
        for _ in 0..<3000 {
            var bytes = Self.payload
            for _ in 0..<(1 + generator.next() % 3) {
                let at = Int(generator.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: generator.next())
            }
            _ = try? StrictJSON().parse(bytes)
        }
    }
}
