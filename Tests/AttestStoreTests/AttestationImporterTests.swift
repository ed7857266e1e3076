import AttestCore
import Foundation
import Testing

@testable import AttestStore

private let digestA = "sha256:" + String(repeating: "a", count: 64)
private let digestB = "sha256:" + String(repeating: "b", count: 64)
private let payloadText = #"{"critical":{"identity":{"docker-reference":"gcr.io/p/app"}}}"#

private func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
private func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

/// One JSON Lines record.
private func line(
    image: String = "gcr.io/p/app@" + digestA,
    payload: String? = b64(payloadText),
    signature: String? = b64([1, 2, 3]),
    keyId: String? = "\"key-1\""
) -> String {
    var members = ["\"image\": \"\(image)\""]
    if let payload { members.append("\"payload\": \"\(payload)\"") }
    if let signature { members.append("\"signature\": \"\(signature)\"") }
    if let keyId { members.append("\"keyId\": \(keyId)") }
    return "{" + members.joined(separator: ", ") + "}"
}

/// A pretty-printed v1beta1 ATTESTATION occurrence.
private func occurrence(
    uri: String = "https://gcr.io/p/app@" + digestA,
    kind: String = "ATTESTATION",
    signatures: String = #"[{"signature": "AQID", "publicKeyId": "key-1"}]"#,
    payload: String = b64(payloadText)
) -> String {
    """
    {
      "name": "projects/p/occurrences/1",
      "resource": {"uri": "\(uri)"},
      "noteName": "projects/p/notes/attestor",
      "kind": "\(kind)",
      "attestation": {
        "attestation": {
          "genericSignedAttestation": {
            "contentType": "SIMPLE_SIGNING_JSON",
            "serializedPayload": "\(payload)",
            "signatures": \(signatures)
          }
        }
      }
    }
    """
}

private func parse(_ text: String, format: ImportFormat = .automatic) throws -> ParsedImport {
    try AttestationImporter().parse(contents: Array(text.utf8), file: "in.json", format: format)
}

struct JSONLinesImportTests {
    @Test func goodRecordsBecomeAttestationsWithNormalisedIdentity() throws {
        let text = [
            line(),
            "",
            "   ",
            line(image: "alpine@" + digestB, signature: b64([9]), keyId: nil) + "\r",
            line(image: "docker.io/library/alpine:3.11@" + digestB, signature: b64([8]), keyId: "null"),
        ].joined(separator: "\n")

        let parsed = try parse(text)

        #expect(parsed.format == .jsonLines)
        #expect(parsed.rejections == [])
        #expect(
            parsed.attestations == [
                StoredAttestation(
                    repository: "gcr.io/p/app",
                    digest: digestA,
                    payload: Array(payloadText.utf8),
                    signature: [1, 2, 3],
                    keyID: "key-1",
                    source: "import:in.json:1"
                ),
                StoredAttestation(
                    repository: "docker.io/library/alpine",
                    digest: digestB,
                    payload: Array(payloadText.utf8),
                    signature: [9],
                    keyID: nil,
                    source: "import:in.json:4"
                ),
                StoredAttestation(
                    repository: "docker.io/library/alpine",
                    digest: digestB,
                    payload: Array(payloadText.utf8),
                    signature: [8],
                    keyID: nil,
                    source: "import:in.json:5"
                ),
            ]
        )
    }

    @Test func urlSafeBase64IsAccepted() throws {
        let signature: [UInt8] = [0xFB, 0xFF, 0xBF]  // "+/+/" in the standard alphabet, "-_-_" URL-safe
        let parsed = try parse(line(signature: "-_-_"))
        #expect(parsed.attestations.map(\.signature) == [signature])
    }

    @Test func badRecordsAreRejectedByLineAndTheRestImported() throws {
        let text = [
            line(),  // 1
            line(payload: "not*base64!"),  // 2
            line(image: "gcr.io/p/app:v1"),  // 3
            line(signature: nil),  // 4
            line(keyId: "42"),  // 5
            "{\"image\": ",  // 6
            "[1, 2]",  // 7
            line(image: "gcr.io/p/app@sha256:ABC"),  // 8
            line(payload: b64(String(repeating: "x", count: 256 * 1024 + 1))),  // 9
            "{\"image\": 7, \"payload\": \"AA==\", \"signature\": \"AA==\"}",  // 10
            "\u{1}\u{2}\u{3}binary",  // 11
            line(payload: ""),  // 12
            line(image: "gcr.io/p/other@" + digestB),  // 13
        ].joined(separator: "\n")

        let parsed = try parse(text)

        #expect(parsed.attestations.map(\.source) == ["import:in.json:1", "import:in.json:13"])
        let messages = parsed.rejections.map(\.description)
        let expected: [(Int, String)] = [
            (2, "payload is not valid base64"),
            (3, "image \"gcr.io/p/app:v1\" has no digest"),
            (4, "signature is missing"),
            (5, "keyId must be a string, not a number"),
            (6, "not a JSON object"),
            (7, "expected a JSON object, found an array"),
            (8, "is not an image reference"),
            (9, "payload decodes to 262145 bytes, over the limit of 262144"),
            (10, "image must be a string, not a number"),
            (11, "not a JSON object"),
            (12, "payload is empty"),
        ]
        #expect(messages.count == expected.count)
        for (message, (lineNumber, reason)) in zip(messages, expected) {
            #expect(message.hasPrefix("in.json:\(lineNumber): "), "\(message)")
            #expect(message.contains(reason), "\(message)")
        }
    }

    @Test func anOverlongLineIsRejectedUnparsed() throws {
        var importer = AttestationImporter()
        importer.maximumLineLength = 300
        let parsed = try importer.parse(
            contents: Array((line() + "\n" + line(payload: String(repeating: "A", count: 400))).utf8),
            file: "big.jsonl",
            format: .jsonLines
        )
        #expect(parsed.attestations.count == 1)
        #expect(parsed.rejections.map(\.description).first?.hasPrefix("big.jsonl:2: the line is") == true)
    }
}

struct GrafeasImportTests {
    @Test func aSingleV1beta1OccurrenceWithTwoSignatures() throws {
        let text = occurrence(
            signatures: #"[{"signature": "AQID", "publicKeyId": "key-1"}, {"signature": "BAUG"}]"#
        )
        let parsed = try parse(text)

        #expect(parsed.format == .grafeas)
        #expect(parsed.rejections == [])
        #expect(parsed.attestations.map(\.signature) == [[1, 2, 3], [4, 5, 6]])
        #expect(parsed.attestations.map(\.keyID) == ["key-1", nil])
        #expect(parsed.attestations.allSatisfy { $0.repository == "gcr.io/p/app" && $0.digest == digestA })
        #expect(parsed.attestations.allSatisfy { $0.payload == Array(payloadText.utf8) })
        #expect(parsed.attestations.allSatisfy { $0.source == "import:in.json:1" })
    }

    @Test func anArrayReportsEachBadRecordWithIndexAndLine() throws {
        let pgp = """
            {"resource": {"uri": "https://gcr.io/p/app@\(digestA)"}, "kind": "ATTESTATION",
             "attestation": {"attestation": {"pgpSignedAttestation": {"signature": "x"}}}}
            """
        let records = [
            occurrence(),  // 0, line 2
            occurrence(uri: "https://gcr.io/p/app:latest"),  // 1
            pgp,  // 2
            occurrence(kind: "VULNERABILITY"),  // 3
            occurrence(signatures: #"[{"signature": "%%%"}]"#),  // 4
            occurrence(signatures: "[]"),  // 5
            occurrence(signatures: #"{"signature": "AQID"}"#),  // 6
            occurrence(uri: "ftp://gcr.io/p/app@" + digestA),  // 7
            #""just a string""#,  // 8
            occurrence(uri: "gcr.io/p/other@" + digestB, signatures: #"[{"signature": "-_-_"}]"#),  // 9
        ]
        let text = "[\n" + records.joined(separator: ",\n") + "\n]\n"

        let parsed = try parse(text)

        #expect(parsed.attestations.map(\.repository) == ["gcr.io/p/app", "gcr.io/p/other"])
        #expect(parsed.attestations.last?.signature == [0xFB, 0xFF, 0xBF])
        let expected: [(Int, String)] = [
            (1, "resource uri \"gcr.io/p/app:latest\" has no digest"),
            (2, "pgpSignedAttestation is not supported"),
            (3, "kind is \"VULNERABILITY\", not ATTESTATION"),
            (4, "genericSignedAttestation.signatures[0].signature is not valid base64"),
            (5, "genericSignedAttestation.signatures is empty"),
            (6, "genericSignedAttestation.signatures must be an array, not an object"),
            (7, "must be https://IMAGE or IMAGE"),
            (8, "an occurrence must be a JSON object, not a string"),
        ]
        #expect(parsed.rejections.count == expected.count)
        // Every pretty-printed occurrence spans 15 lines; the array opens on line 1.
        var lines: [Int] = []
        var next = 2
        for record in records {
            lines.append(next)
            next += record.split(separator: "\n", omittingEmptySubsequences: false).count
        }
        for (rejection, (index, reason)) in zip(parsed.rejections, expected) {
            #expect(rejection.record == index)
            #expect(rejection.line == lines[index], "\(rejection)")
            #expect(rejection.description.hasPrefix("in.json:\(lines[index]): record \(index): "), "\(rejection)")
            #expect(rejection.reason.contains(reason), "\(rejection)")
        }
        #expect(parsed.attestations.first?.source == "import:in.json:2")
    }

    @Test func aListOccurrencesResponse() throws {
        let text = """
            {"occurrences": [\(occurrence()), \(occurrence(uri: "gcr.io/p/app@" + digestB))], "nextPageToken": ""}
            """
        let parsed = try parse(text)
        #expect(parsed.rejections == [])
        #expect(parsed.attestations.map(\.digest) == [digestA, digestB])
    }

    @Test func theV1AttestationOccurrenceShape() throws {
        let text = """
            {"name": "projects/p/occurrences/2", "resourceUri": "https://gcr.io/p/app@\(digestA)",
             "kind": "ATTESTATION",
             "attestation": {"serializedPayload": "\(b64(payloadText))",
                             "signatures": [{"signature": "AQID", "publicKeyId": "kms://key"}]}}
            """
        let parsed = try parse(text)
        #expect(parsed.rejections == [])
        #expect(parsed.attestations.map(\.keyID) == ["kms://key"])
        #expect(parsed.attestations.map(\.repository) == ["gcr.io/p/app"])
    }

    @Test func aSingleBadOccurrenceIsRejectedWithoutRecordIndex() throws {
        let parsed = try parse(occurrence(payload: "@@@"))
        #expect(parsed.attestations.isEmpty)
        #expect(parsed.rejections.map(\.description).first?.hasPrefix("in.json:1: attestation.attestation.") == true)
    }

    @Test func unrecognisedDocumentsAreFileErrors() throws {
        for (text, expected) in [
            (#"{"foo": 1}"#, "neither a Grafeas occurrence"),
            (#"{"occurrences": {"a": 1}}"#, "occurrences must be an array, not an object"),
            ("42", "found a number"),
        ] {
            let error = try #require(throws: ImportError.self) { try parse(text, format: .grafeas) }
            #expect(error.code == .unrecognisedFormat)
            #expect(error.reason.contains(expected), "\(error)")
        }
    }
}

struct ImportFileErrorTests {
    @Test func truncatedJSONNamesTheEndOfTheFile() throws {
        let full = "[\n" + occurrence() + "\n]"
        let truncated = String(full.prefix(full.count / 2))
        let error = try #require(throws: ImportError.self) { try parse(truncated) }
        #expect(error.code == .malformedJSON)
        #expect(error.reason.contains("ends early"))
        #expect(error.line == truncated.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test func misplacedTokensNameTheLine() throws {
        let error = try #require(throws: ImportError.self) { try parse("[\n{\"kind\": \"ATTESTATION\"},\n}\n]") }
        #expect(error.code == .malformedJSON)
        #expect(error.description.hasPrefix("in.json:"))
    }

    @Test(arguments: ["", "   \n\t\n", "\u{FEFF}"])
    func emptyFilesAreRefused(text: String) throws {
        let error = try #require(throws: ImportError.self) { try parse(text) }
        #expect(error.code == .empty)
        #expect(error.description == "in.json: the file contains no records")
    }

    @Test func binaryGarbageIsRefusedWithoutCrashing() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let bytes = (0..<Int.random(in: 1...512, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            _ = try? AttestationImporter().parse(contents: bytes, file: "junk.bin")
        }
        let error = try #require(throws: ImportError.self) {
            try AttestationImporter().parse(contents: [0x00, 0xFF, 0x13, 0x37, 0x80], file: "junk.bin")
        }
        #expect(error.code == .malformedJSON)
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: ImportError.self) { try parse(text) }
        #expect(error.code == .malformedJSON)
    }

    @Test func forcingTheWrongFormatGivesPreciseErrors() throws {
        let jsonl = line() + "\n" + line(image: "gcr.io/p/app@" + digestB)
        let error = try #require(throws: ImportError.self) { try parse(jsonl, format: .grafeas) }
        #expect(error.code == .malformedJSON)

        let parsed = try parse(occurrence(), format: .jsonLines)
        #expect(parsed.attestations.isEmpty)
        #expect(parsed.rejections.first?.description.hasPrefix("in.json:1: not a JSON object") == true)
    }

    @Test func formatDetection() {
        let cases: [(String, ImportFormat)] = [
            (line() + "\n" + line(), .jsonLines),
            ("\n\n  " + line(), .jsonLines),
            (occurrence(), .grafeas),
            (occurrence().replacingOccurrences(of: "\n", with: ""), .grafeas),
            ("[" + occurrence() + "]", .grafeas),
            (#"{"occurrences": []}"#, .grafeas),
        ]
        for (text, format) in cases {
            #expect(AttestationImporter.detectFormat(of: Array(text.utf8)[...]) == format, "\(text.prefix(40))")
        }
    }
}

struct ImportIntoStoreTests {
    @Test func importCountsNewDuplicateAndRejectedRecords() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let file = try directory.write(
            "a.jsonl",
            [line(), line(image: "gcr.io/p/app:v1"), line(signature: b64([7]))].joined(separator: "\n")
        )
        let importer = AttestationImporter()

        let first = try importer.importFile(atPath: file, into: store)
        let second = try importer.importFile(atPath: file, into: store)

        #expect(first.imported == 2 && first.duplicates == 0 && first.rejected == 1)
        #expect(second.imported == 0 && second.duplicates == 2 && second.rejected == 1)
        #expect(first.rejections.map(\.description).first?.hasPrefix(file + ":2: image") == true)
        #expect(try store.attestations(repository: "gcr.io/p/app", digest: digestA).count == 2)

        var total = first
        total.add(second)
        #expect(total.description == "2 imported, 2 already present, 2 rejected")
    }

    @Test func filesOverTheSizeLimitAreRefusedBeforeParsing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let file = try directory.write("big.jsonl", String(repeating: line() + "\n", count: 10))

        let importer = AttestationImporter(maximumFileSize: 100)
        let error = try #require(throws: ImportError.self) { try importer.importFile(atPath: file, into: store) }
        #expect(error.code == .tooLarge)
        #expect(error.description == "\(file): the file is larger than the import limit of 100 bytes")
        #expect(try store.count() == 0)
    }

    @Test func aMissingFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let error = try #require(throws: ImportError.self) {
            try AttestationImporter().importFile(atPath: directory.file("nope.json"), into: store)
        }
        #expect(error.code == .unreadable)
        #expect(error.reason.contains("does not exist"))
    }
}

struct ImportBoundsTests {
    @Test func rejectionsAreCountedButOnlyTheFirstAreDescribed() throws {
        var importer = AttestationImporter()
        importer.maximumReportedRejections = 3
        let text = String(repeating: "garbage\n", count: 10) + line()
        let parsed = try importer.parse(contents: Array(text.utf8), file: "g.jsonl", format: .jsonLines)
        #expect(parsed.rejected == 10)
        #expect(parsed.rejections.map(\.line) == [1, 2, 3])
        #expect(parsed.attestations.count == 1)
    }
}
