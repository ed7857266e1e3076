import AttestCore
import Foundation

/// Reads attestations made elsewhere into the store: Grafeas ATTESTATION occurrences (JSON) and JSON Lines.
///
/// Each bad record is skipped and reported with its file, line (and record index in a JSON document) and a
/// precise reason; the other records are imported. Whole-file failures (unreadable, over the size limit, not
/// JSON) throw ``ImportError``. The importer checks shape only (base64, digest references, sizes); signatures
/// are verified at decision time.
public struct AttestationImporter: Sendable {
    /// The largest file accepted, in bytes (default 256 MiB).
    public var maximumFileSize: Int
    /// The largest decoded payload accepted per record, in bytes (default 256 KiB, the store's limit).
    public var maximumPayloadSize: Int
    /// The largest decoded signature accepted per record, in bytes (default 64 KiB, the store's limit).
    public var maximumSignatureSize: Int
    /// The longest JSON Lines line accepted, in bytes; longer lines are rejected unparsed.
    public var maximumLineLength: Int
    /// How many rejections of one file are described; the rest are only counted.
    public var maximumReportedRejections = 1000

    /// Creates an importer.
    ///
    /// - Parameters:
    ///   - maximumFileSize: the largest file accepted, in bytes.
    ///   - maximumPayloadSize: the largest decoded payload per record, in bytes; at most the store's limit.
    ///   - maximumSignatureSize: the largest decoded signature per record, in bytes; at most the store's limit.
    public init(
        maximumFileSize: Int = 256 * 1024 * 1024,
        maximumPayloadSize: Int = AttestationStore.maximumPayloadSize,
        maximumSignatureSize: Int = AttestationStore.maximumSignatureSize
    ) {
        self.maximumFileSize = maximumFileSize
        self.maximumPayloadSize = min(maximumPayloadSize, AttestationStore.maximumPayloadSize)
        self.maximumSignatureSize = min(maximumSignatureSize, AttestationStore.maximumSignatureSize)
        // Base64 grows 4/3; leave room for the image, key id and JSON punctuation.
        self.maximumLineLength = (self.maximumPayloadSize + self.maximumSignatureSize) * 4 / 3 + 64 * 1024
    }

    // MARK: - Importing

    /// Reads one file and stores its good records in one transaction.
    ///
    /// - Parameters:
    ///   - path: the file to read.
    ///   - store: where to put the attestations.
    ///   - format: the file's layout, or ``ImportFormat/automatic`` to detect it.
    /// - Returns: the counts of imported, already present and rejected records, with every rejection.
    /// - Throws: ``ImportError`` when the file as a whole cannot be used (nothing is stored), or ``StoreError``
    ///   when the store cannot be written (nothing of this file is stored).
    public func importFile(
        atPath path: String,
        into store: AttestationStore,
        format: ImportFormat = .automatic
    ) throws -> ImportSummary {
        let parsed = try parse(contents: try read(path: path), file: path, format: format)
        let put = try store.put(parsed.attestations)
        return ImportSummary(
            imported: put.inserted,
            duplicates: put.duplicates,
            rejected: parsed.rejected,
            rejections: parsed.rejections
        )
    }

    /// Reads a file whole, refusing it when it is larger than ``maximumFileSize``.
    ///
    /// - Parameter path: the file to read.
    /// - Returns: its bytes.
    /// - Throws: ``ImportError`` with ``ImportError/Code/unreadable`` or ``ImportError/Code/tooLarge``.
    public func read(path: String) throws(ImportError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "cannot be opened for reading" : "does not exist"
            throw ImportError(.unreadable, file: path, "the file \(reason)")
        }
        defer { try? handle.close() }
        do {
            // Read one byte past the limit, so an oversized file is detected without reading it all.
            let data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
            if data.count > maximumFileSize {
                throw ImportError(
                    .tooLarge,
                    file: path,
                    "the file is larger than the import limit of \(maximumFileSize) bytes"
                )
            }
            return [UInt8](data)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(.unreadable, file: path, "the file cannot be read: \(error.localizedDescription)")
        }
    }

    // MARK: - Parsing

    /// Parses the content of one import file.
    ///
    /// - Parameters:
    ///   - contents: the file's bytes.
    ///   - file: the name to report in rejections and in each attestation's `source` (`import:FILE:LINE`).
    ///   - format: the file's layout, or ``ImportFormat/automatic`` to detect it.
    /// - Returns: the attestations of the good records and a rejection for every bad one.
    /// - Throws: ``ImportError`` when the file is over the size limit, empty, or (Grafeas) not one JSON document.
    public func parse(
        contents: [UInt8],
        file: String,
        format: ImportFormat = .automatic
    ) throws(ImportError) -> ParsedImport {
        if contents.count > maximumFileSize {
            throw ImportError(
                .tooLarge,
                file: file,
                "the file is larger than the import limit of \(maximumFileSize) bytes"
            )
        }
        var bytes = contents[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard bytes.contains(where: { !Self.isWhitespace($0) }) else {
            throw ImportError(.empty, file: file, "the file contains no records")
        }
        switch format == .automatic ? Self.detectFormat(of: bytes) : format {
        case .jsonLines:
            return parseJSONLines(bytes, file: file)
        case .grafeas, .automatic:
            return try parseGrafeas(bytes, file: file)
        }
    }

    /// Guesses the layout of a file from its content.
    ///
    /// A file whose first line is a complete JSON object with an `image` or `payload` member is JSON Lines;
    /// anything else that starts like JSON (a pretty-printed occurrence, an array, a ListOccurrences response, a
    /// one-line occurrence) is read as Grafeas JSON, whose errors then explain what is wrong.
    static func detectFormat(of bytes: ArraySlice<UInt8>) -> ImportFormat {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }), bytes[first] == UInt8(ascii: "{") else {
            return .grafeas
        }
        let end = bytes[first...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        guard
            let object = try? JSONSerialization.jsonObject(with: Data(bytes[first..<end])) as? [String: Any]
        else {
            return .grafeas
        }
        return object["image"] != nil || object["payload"] != nil ? .jsonLines : .grafeas
    }

    // MARK: - Shared field checks

    /// A record-level failure; becomes an ``ImportRejection``.
    struct RecordProblem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Parses an image reference that must carry a digest, returning (identity, `sha256:HEX`).
    static func image(_ text: String, field: String) throws(RecordProblem) -> (repository: String, digest: String) {
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: text)
        } catch {
            throw RecordProblem("\(field) \(quote(text)) is not an image reference: \(error.reason)")
        }
        guard let digest = reference.digest else {
            throw RecordProblem(
                "\(field) \(quote(text)) has no digest; only REPOSITORY@sha256:HEX references can be attested"
            )
        }
        return (reference.identity, digest.description)
    }

    /// Decodes a base64 field (standard or URL-safe alphabet) and checks its decoded size.
    func decodeBase64(_ value: Any?, field: String, limit: Int) throws(RecordProblem) -> [UInt8] {
        guard let value else { throw RecordProblem("\(field) is missing") }
        guard let text = value as? String else {
            throw RecordProblem("\(field) must be a base64 string, not \(Self.typeName(of: value))")
        }
        // Refuse before decoding anything far too large (base64 is 4/3 of the bytes, plus optional white space).
        if text.utf8.count > limit * 2 + 16 {
            throw RecordProblem("\(field) is \(text.utf8.count) base64 characters, far over the \(limit)-byte limit")
        }
        let bytes: [UInt8]
        do {
            bytes = try Base64.decode(text)
        } catch {
            guard let urlSafe = try? Base64.decodeURLSafe(text) else {
                throw RecordProblem("\(field) is not valid base64: \(error)")
            }
            bytes = urlSafe
        }
        if bytes.isEmpty { throw RecordProblem("\(field) is empty") }
        if bytes.count > limit {
            throw RecordProblem("\(field) decodes to \(bytes.count) bytes, over the limit of \(limit)")
        }
        return bytes
    }

    /// Reads an optional string member (absent and `null` are `nil`).
    static func optionalString(_ value: Any?, field: String) throws(RecordProblem) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw RecordProblem("\(field) must be a string, not \(typeName(of: value))")
        }
        if text.utf8.count > AttestationStore.maximumLabelLength {
            throw RecordProblem("\(field) is longer than \(AttestationStore.maximumLabelLength) bytes")
        }
        return text.isEmpty ? nil : text
    }

    /// Reads a required string member.
    static func requiredString(_ value: Any?, field: String) throws(RecordProblem) -> String {
        guard let value else { throw RecordProblem("\(field) is missing") }
        guard let text = value as? String else {
            throw RecordProblem("\(field) must be a string, not \(typeName(of: value))")
        }
        return text
    }

    /// Names the JSON type of a `JSONSerialization` value for messages.
    static func typeName(of value: Any) -> String {
        switch value {
        case is String: return "a string"
        case is NSNull: return "null"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let number as NSNumber:
            return String(cString: number.objCType) == "c" ? "a boolean" : "a number"
        default: return "\(type(of: value))"
        }
    }

    /// Quotes text for a message, shortened and with control characters escaped.
    static func quote(_ text: String) -> String {
        var shown = String(text.prefix(200))
        if shown.count < text.count { shown += "…" }
        var quoted = "\""
        for scalar in shown.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                quoted += "\\u{\(String(scalar.value, radix: 16))}"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
