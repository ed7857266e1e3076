/// One record of an import file that was skipped, with where it was and why.
public struct ImportRejection: Sendable, Hashable, CustomStringConvertible {
    /// The file the record came from, as named to the importer.
    public var file: String
    /// The 1-based line the record starts on, when known.
    public var line: Int?
    /// The 0-based index of the record in a JSON document (Grafeas imports), when it has one.
    public var record: Int?
    /// What was wrong, naming the field.
    public var reason: String

    /// Creates a rejection.
    ///
    /// - Parameters:
    ///   - file: the file name.
    ///   - line: the 1-based line, if known.
    ///   - record: the 0-based record index in a JSON document, if any.
    ///   - reason: what was wrong.
    public init(file: String, line: Int?, record: Int?, reason: String) {
        self.file = file
        self.line = line
        self.record = record
        self.reason = reason
    }

    /// `FILE:LINE: record N: REASON`, leaving out what is unknown.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let record { text += "record \(record): " }
        return text + reason
    }
}
