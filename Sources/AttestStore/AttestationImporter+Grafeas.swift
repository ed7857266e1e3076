import AttestCore
import Foundation

extension AttestationImporter {
    /// Parses Grafeas ATTESTATION occurrences: one occurrence, an array of them, or `{"occurrences": [...]}`.
    ///
    /// Accepts the v1beta1 shape (`attestation.attestation.genericSignedAttestation{contentType,
    /// serializedPayload, signatures[]}` with `resource.uri`) and the v1 shape (`attestation{serializedPayload,
    /// signatures[]}` with `resourceUri`). Each signature of an occurrence becomes one stored attestation.
    func parseGrafeas(_ bytes: ArraySlice<UInt8>, file: String) throws(ImportError) -> ParsedImport {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            let (line, reason) = Self.explainMalformedJSON(bytes, error: error)
            throw ImportError(.malformedJSON, file: file, line: line, "not a JSON document: \(reason)")
        }

        let records: [Any]
        let recordDepth: Int
        let single: Bool
        if let array = document as? [Any] {
            (records, recordDepth, single) = (array, 1, false)
        } else if let object = document as? [String: Any], let occurrences = object["occurrences"] {
            guard let array = occurrences as? [Any] else {
                throw ImportError(
                    .unrecognisedFormat,
                    file: file,
                    "occurrences must be an array, not \(Self.typeName(of: occurrences))"
                )
            }
            (records, recordDepth, single) = (array, 2, false)
        } else if let object = document as? [String: Any] {
            guard
                object["kind"] != nil || object["attestation"] != nil || object["resource"] != nil
                    || object["resourceUri"] != nil
            else {
                let keys = object.keys.sorted().prefix(10).joined(separator: ", ")
                throw ImportError(
                    .unrecognisedFormat,
                    file: file,
                    "the JSON object is neither a Grafeas occurrence nor a ListOccurrences response "
                        + "(no kind, attestation, resource or occurrences member; members: \(keys))"
                )
            }
            (records, recordDepth, single) = ([object], 0, true)
        } else {
            throw ImportError(
                .unrecognisedFormat,
                file: file,
                "expected an occurrence, an array of occurrences or a ListOccurrences response, "
                    + "found \(Self.typeName(of: document))"
            )
        }

        let lines = Self.recordLines(in: bytes, depth: recordDepth, expected: records.count)
        var attestations: [StoredAttestation] = []
        var rejections: [ImportRejection] = []
        var rejected = 0
        for (index, record) in records.enumerated() {
            let line = lines?[index]
            let source = line.map { "import:\(file):\($0)" } ?? "import:\(file)#\(index)"
            do {
                attestations += try occurrence(record, source: source)
            } catch {
                rejected += 1
                guard rejections.count < maximumReportedRejections else { continue }
                rejections.append(
                    ImportRejection(file: file, line: line, record: single ? nil : index, reason: error.reason)
                )
            }
        }
        return ParsedImport(attestations: attestations, rejected: rejected, rejections: rejections, format: .grafeas)
    }

    private func occurrence(_ record: Any, source: String) throws(RecordProblem) -> [StoredAttestation] {
        guard let occurrence = record as? [String: Any] else {
            throw RecordProblem("an occurrence must be a JSON object, not \(Self.typeName(of: record))")
        }
        if let kind = occurrence["kind"] {
            guard let kind = kind as? String else {
                throw RecordProblem("kind must be a string, not \(Self.typeName(of: kind))")
            }
            guard kind == "ATTESTATION" else {
                throw RecordProblem("kind is \(Self.quote(kind)), not ATTESTATION; only attestations are imported")
            }
        }

        let uri = try resourceURI(occurrence)
        var imageText = uri
        if imageText.hasPrefix("https://") {
            imageText.removeFirst("https://".count)
        } else if imageText.contains("://") {
            throw RecordProblem("resource uri \(Self.quote(uri)) must be https://IMAGE or IMAGE")
        }
        let (repository, digest) = try Self.image(imageText, field: "resource uri")

        guard let details = occurrence["attestation"] else { throw RecordProblem("attestation is missing") }
        guard let details = details as? [String: Any] else {
            throw RecordProblem("attestation must be an object, not \(Self.typeName(of: details))")
        }
        let signed: [String: Any]
        let prefix: String
        if let inner = details["attestation"] {
            // v1beta1: Details { attestation: Attestation { oneof signature { pgp…, generic… } } }
            guard let inner = inner as? [String: Any] else {
                throw RecordProblem("attestation.attestation must be an object, not \(Self.typeName(of: inner))")
            }
            if let generic = inner["genericSignedAttestation"] {
                guard let generic = generic as? [String: Any] else {
                    throw RecordProblem(
                        "attestation.attestation.genericSignedAttestation must be an object, not "
                            + Self.typeName(of: generic)
                    )
                }
                (signed, prefix) = (generic, "attestation.attestation.genericSignedAttestation.")
            } else if inner["pgpSignedAttestation"] != nil {
                throw RecordProblem("pgpSignedAttestation is not supported; PGP attestations cannot be imported yet")
            } else {
                throw RecordProblem("attestation.attestation has no genericSignedAttestation")
            }
        } else if details["serializedPayload"] != nil || details["signatures"] != nil {
            // v1: AttestationOccurrence { serialized_payload, signatures[], jwts[] }
            (signed, prefix) = (details, "attestation.")
        } else if details["pgpSignedAttestation"] != nil {
            throw RecordProblem("pgpSignedAttestation is not supported; PGP attestations cannot be imported yet")
        } else if details["jwts"] != nil {
            throw RecordProblem("attestation.jwts is not supported; only signed simple-signing payloads are imported")
        } else {
            throw RecordProblem(
                "attestation has neither attestation.genericSignedAttestation (v1beta1) nor serializedPayload (v1)"
            )
        }

        if let contentType = signed["contentType"] {
            guard let contentType = contentType as? String else {
                throw RecordProblem("\(prefix)contentType must be a string, not \(Self.typeName(of: contentType))")
            }
            guard ["SIMPLE_SIGNING_JSON", "CONTENT_TYPE_UNSPECIFIED"].contains(contentType) else {
                throw RecordProblem(
                    "\(prefix)contentType \(Self.quote(contentType)) is not supported; expected SIMPLE_SIGNING_JSON"
                )
            }
        }
        let payload = try decodeBase64(
            signed["serializedPayload"],
            field: prefix + "serializedPayload",
            limit: maximumPayloadSize
        )
        guard let signatures = signed["signatures"] else { throw RecordProblem("\(prefix)signatures is missing") }
        guard let signatures = signatures as? [Any] else {
            throw RecordProblem("\(prefix)signatures must be an array, not \(Self.typeName(of: signatures))")
        }
        if signatures.isEmpty { throw RecordProblem("\(prefix)signatures is empty") }

        var result: [StoredAttestation] = []
        for (index, entry) in signatures.enumerated() {
            let field = "\(prefix)signatures[\(index)]"
            guard let entry = entry as? [String: Any] else {
                throw RecordProblem("\(field) must be an object, not \(Self.typeName(of: entry))")
            }
            let signature = try decodeBase64(
                entry["signature"],
                field: field + ".signature",
                limit: maximumSignatureSize
            )
            let keyID = try Self.optionalString(entry["publicKeyId"], field: field + ".publicKeyId")
            result.append(
                StoredAttestation(
                    repository: repository,
                    digest: digest,
                    payload: payload,
                    signature: signature,
                    keyID: keyID,
                    source: source
                )
            )
        }
        return result
    }

    /// `resource.uri` (v1beta1) or `resourceUri` (v1).
    private func resourceURI(_ occurrence: [String: Any]) throws(RecordProblem) -> String {
        if let resource = occurrence["resource"] {
            guard let resource = resource as? [String: Any] else {
                throw RecordProblem("resource must be an object, not \(Self.typeName(of: resource))")
            }
            return try Self.requiredString(resource["uri"], field: "resource.uri")
        }
        if occurrence["resourceUri"] != nil {
            return try Self.requiredString(occurrence["resourceUri"], field: "resourceUri")
        }
        throw RecordProblem("resource.uri is missing")
    }

    // MARK: - Positions

    /// The 1-based line on which each record (an element of the array at nesting `depth` of the document, or the
    /// document itself for depth 0) starts, or `nil` when the structure does not match the expected count (then
    /// only record indexes are reported).
    static func recordLines(in bytes: ArraySlice<UInt8>, depth target: Int, expected: Int) -> [Int]? {
        var lines: [Int] = []
        lines.reserveCapacity(expected)
        var line = 1
        var containers: [UInt8] = []  // the opening bracket of every enclosing container
        var inString = false
        var escaped = false
        var expectingElement = target == 0
        for byte in bytes {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            if isWhitespace(byte) { continue }
            let atRecordLevel =
                containers.count == target && (target == 0 || containers.last == UInt8(ascii: "["))
            if atRecordLevel && expectingElement && byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                containers.append(byte)
                if containers.count == target && byte == UInt8(ascii: "[") { expectingElement = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
            case UInt8(ascii: ","):
                if atRecordLevel { expectingElement = true }
            default:
                break
            }
        }
        return lines.count == expected ? lines : nil
    }

    /// Turns a `JSONSerialization` failure into a line number and an explanation, noticing truncation.
    static func explainMalformedJSON(_ bytes: ArraySlice<UInt8>, error: any Error) -> (line: Int?, reason: String) {
        let detail = describeJSONError(error)
        var depth = 0
        var inString = false
        var escaped = false
        var line = 1
        for byte in bytes {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        if inString || depth > 0 {
            let open = inString ? "a string and \(depth) bracket(s)" : "\(depth) bracket(s)"
            return (line, "the document ends early (truncated?), leaving \(open) open at the end of line \(line)")
        }
        // Foundation says "around character N": turn the offset into a line.
        if let range = detail.range(of: "character "),
            let offset = Int(detail[range.upperBound...].prefix(while: \.isNumber))
        {
            let upTo = bytes.prefix(offset)
            let errorLine = upTo.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return (errorLine, detail)
        }
        return (nil, detail)
    }
}
