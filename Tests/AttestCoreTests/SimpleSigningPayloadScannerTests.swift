import Testing

@testable import AttestCore

/// The payload fast path against the full parser: whatever the scanner accepts, the full parser accepts with
/// the same fields; what it declines still gets the full parser's answer through ``SimpleSigningPayload/parse``.
struct SimpleSigningPayloadScannerTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// Payloads as kritis, cosign, gcloud and people write them: every one is read by the scanner.
    static let commonShapes: [String] = [
        // kritis / attestctl sign: compact, canonical order, empty optional.
        #"{"critical":{"identity":{"docker-reference":"docker.io/library/alpine"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"atomic container signature"},"optional":{}}"#,
        // cosign: optional null.
        #"{"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"cosign container image signature"},"optional":null}"#,
        // cosign with annotations.
        #"{"critical":{"identity":{"docker-reference":"ghcr.io/org/app"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"cosign container image signature"},"optional":{"sig":"x","n":[1,2.5e3,true,false,null],"deep":{"a":{"b":"\u00e9\"\\"}}}}"#,
        // gcloud binauthz: pretty printed, no optional.
        """
        {
          "critical": {
            "identity": {
              "docker-reference": "gcr.io/project/image"
            },
            "image": {
              "docker-manifest-digest": "\(digest)"
            },
            "type": "Google cloud binauthz container signature"
          }
        }

        """,
        // Members in another order, tabs and CRs.
        "{\t\"optional\" :{ } ,\r\n\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"\(digest)\"},\"identity\":{\"docker-reference\":\"localhost:5000/app:v1\"}}}",
    ]

    /// Documents the scanner must leave to the full parser (which may accept or refuse them).
    static let declined: [String] = [
        // An escape in a string the scanner would return.
        #"{"critical":{"identity":{"docker-reference":"docker.io\/library\/alpine"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"atomic container signature"}}"#,
        // Non-ASCII.
        #"{"critical":{"identity":{"docker-reference":"docker.io/library/älpine"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"atomic container signature"}}"#,
        // Duplicated members at each level.
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"critical":{}}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"}}"#,
        #"{"critical":{"identity":{"docker-reference":"a","docker-reference":"b"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"}}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"optional":{},"optional":null}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"optional":{"k":1,"k":2}}"#,
        // Unknown members.
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t","extra":1}}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"extra":1}"#,
        // Wrong types, missing members, trailing data, a byte-order mark, optional as an array.
        #"{"critical":{"identity":{"docker-reference":1},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"}}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"type":"t"}}"#,
        #"{"optional":{}}"#,
        #"{}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"}}x"#,
        "\u{FEFF}"
            + #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"}}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"optional":[]}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},}"#,
        #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"t"},"optional":nul}"#,
    ]

    /// The full parser's answer, as a comparable value.
    static func full(_ bytes: [UInt8]) -> Result<SimpleSigningPayload, PayloadError> {
        Result { () throws(PayloadError) in
            try SimpleSigningPayload.parseTree(bytes, maxSize: SimpleSigningPayload.defaultMaxSize)
        }
    }

    /// The one property: an accepted document is accepted by the full parser with equal fields.
    static func expectAgreement(_ bytes: [UInt8], _ comment: @autoclosure () -> String) {
        guard let fast = SimpleSigningPayloadScanner.scan(bytes) else { return }
        switch full(bytes) {
        case .success(let reference):
            #expect(fast == reference, "\(comment())")
        case .failure(let error):
            Issue.record("the scanner accepted what the full parser refuses (\(error.reason)): \(comment())")
        }
    }

    @Test(arguments: commonShapes)
    func commonShapesTakeTheFastPathWithTheFullParsersFields(text: String) throws {
        let bytes = Array(text.utf8)
        let fast = try #require(SimpleSigningPayloadScanner.scan(bytes), "declined: \(text)")
        #expect(fast == (try Self.full(bytes).get()))
        #expect(try SimpleSigningPayload.parse(bytes) == fast)
    }

    @Test func theSignersOwnSerialisationTakesTheFastPath() throws {
        for optional: JSONValue? in [nil, [:], ["creator": "attestctl", "timestamp": 1_700_000_000]] {
            let image = try ImageReference(parsing: "registry.example.com:5000/a/b@\(Self.digest)")
            let payload = try SimpleSigningPayload(image: image, optional: optional)
            let fast = try #require(SimpleSigningPayloadScanner.scan(payload.serialized()))
            #expect(fast == (try Self.full(payload.serialized()).get()))
        }
    }

    @Test(arguments: declined)
    func unusualDocumentsAreLeftToTheFullParser(text: String) {
        let bytes = Array(text.utf8)
        #expect(SimpleSigningPayloadScanner.scan(bytes) == nil, "\(text)")
        // parse still answers exactly as the full parser does.
        let public_ = Result { () throws(PayloadError) in try SimpleSigningPayload.parse(bytes) }
        switch (public_, Self.full(bytes)) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a.reason == b.reason && a.code == b.code)
        default: Issue.record("parse and the full parser disagree on \(text)")
        }
    }

    @Test func everyTruncationAgreesWithTheFullParser() {
        for text in Self.commonShapes {
            let bytes = Array(text.utf8)
            for length in 0..<bytes.count {
                Self.expectAgreement(Array(bytes[..<length]), "prefix \(length) of \(text)")
            }
        }
    }

    @Test func everySingleByteMutationAgreesWithTheFullParser() {
        let replacements: [UInt8] = Array(#"{}[]:,"\ x0n-"#.utf8) + [0x00, 0x09, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        for text in Self.commonShapes {
            let bytes = Array(text.utf8)
            for index in bytes.indices {
                for byte in replacements where byte != bytes[index] {
                    var mutated = bytes
                    mutated[index] = byte
                    Self.expectAgreement(mutated, "byte \(index) → \(byte) in \(text)")
                }
                var removed = bytes
                removed.remove(at: index)
                Self.expectAgreement(removed, "byte \(index) removed from \(text)")
            }
        }
    }

    @Test func randomSplicesAgreeWithTheFullParser() {
        var random = SplitMix64(seed: 0x5EED_CAFE)
        let pieces = Self.commonShapes.map { Array($0.utf8) } + Self.declined.map { Array($0.utf8) }
        for _ in 0..<20_000 {
            let a = pieces[Int(random.next() % UInt64(pieces.count))]
            let b = pieces[Int(random.next() % UInt64(pieces.count))]
            let cut = Int(random.next() % UInt64(a.count + 1))
            let resume = Int(random.next() % UInt64(b.count + 1))
            let spliced = Array(a[..<cut] + b[resume...])
            Self.expectAgreement(spliced, String(decoding: spliced, as: UTF8.self))
        }
    }

    @Test func nestingInOptionalIsLimitedExactlyAsTheFullParserLimitsIt() {
        let head =
            #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(Self.digest)"},"type":"t"},"optional":"#
        // The root is level 1, so optional may open 63 more levels and no more.
        for levels in [62, 63, 64, 65] {
            let value =
                String(repeating: #"{"a":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
            let bytes = Array((head + value + "}").utf8)
            let fast = SimpleSigningPayloadScanner.scan(bytes)
            let reference = try? Self.full(bytes).get()
            #expect(fast == reference, "optional nested \(levels) deep")
            #expect((reference != nil) == (levels <= 63), "optional nested \(levels) deep")
        }
    }

    @Test func hostileOptionalValuesAreBoundedAndAgree() {
        let head =
            #"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"\#(Self.digest)"},"type":"t"},"optional":"#
        let hostile = [
            String(repeating: "{", count: 100_000),
            "{" + String(repeating: #""\"#, count: 50_000),
            #"{"a":"}"}"#,
            #"{"a":"\"}"}"#,
            #"{"a":"\\"}"#,
            #"{"a":[}]}"#,
            #"{"a":"unterminated"#,
        ]
        for value in hostile {
            Self.expectAgreement(Array((head + value + "}").utf8), String(value.prefix(40)))
        }
    }
}
