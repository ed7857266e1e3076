import AttestCore
import Foundation

extension AttestationImporter {
    /// Parses JSON Lines: one `{"image", "payload", "signature", "keyId"}` object per line, blank lines skipped.
    ///
    /// Unknown members are ignored, so files written by newer tools still import.
    func parseJSONLines(_ bytes: ArraySlice<UInt8>, file: String) -> ParsedImport {
        var attestations: [StoredAttestation] = []
        var rejections: [ImportRejection] = []
        var rejected = 0
        var lineNumber = 0
        var start = bytes.startIndex
        while start < bytes.endIndex {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            var line = bytes[start..<(newline ?? bytes.endIndex)]
            start = newline.map { $0 + 1 } ?? bytes.endIndex
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy(Self.isWhitespace) { continue }
            do {
                attestations.append(try jsonLinesRecord(line, file: file, line: lineNumber))
            } catch {
                rejected += 1
                guard rejections.count < maximumReportedRejections else { continue }
                rejections.append(ImportRejection(file: file, line: lineNumber, record: nil, reason: error.reason))
            }
        }
        return ParsedImport(attestations: attestations, rejected: rejected, rejections: rejections, format: .jsonLines)
    }

    private func jsonLinesRecord(
        _ line: ArraySlice<UInt8>,
        file: String,
        line lineNumber: Int
    ) throws(RecordProblem) -> StoredAttestation {
        if line.count > maximumLineLength {
            throw RecordProblem("the line is \(line.count) bytes, over the limit of \(maximumLineLength)")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
        } catch {
            throw RecordProblem("not a JSON object: \(Self.describeJSONError(error))")
        }
        guard let object = value as? [String: Any] else {
            throw RecordProblem("expected a JSON object, found \(Self.typeName(of: value))")
        }
        let image = try Self.requiredString(object["image"], field: "image")
        let (repository, digest) = try Self.image(image, field: "image")
        let payload = try decodeBase64(object["payload"], field: "payload", limit: maximumPayloadSize)
        let signature = try decodeBase64(object["signature"], field: "signature", limit: maximumSignatureSize)
        let keyID = try Self.optionalString(object["keyId"], field: "keyId")
        return StoredAttestation(
            repository: repository,
            digest: digest,
            payload: payload,
            signature: signature,
            keyID: keyID,
            source: "import:\(file):\(lineNumber)"
        )
    }

    /// Foundation's explanation of a JSON parse failure, without the generic "data is not in the correct format".
    static func describeJSONError(_ error: any Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return nsError.localizedDescription
    }
}
