/// A configuration that cannot be used: unreadable, malformed YAML, or a document that breaks a rule.
///
/// Every error names where it happened: the file, the 1-based document index (and the item index inside a
/// `kind: List`), the object's kind and name, the field path and, when YAML gave one, the line. The
/// ``description`` reads, for example,
/// `config.yaml: document 3 (AttestationAuthority "ack-attestor"): spec.publicKeyData: not valid base64 at
/// offset 12 (line 14)`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case unreadableFile
            case fileTooLarge
            case notUTF8
            case yamlSyntax
            case tooManyAliases
            case emptyFile
            case unknownKind
            case unsupportedAPIVersion
            case unknownField
            case missingField
            case wrongType
            case invalidValue
            case duplicateName
            case missingAttestor
            case invalidBase64
            case invalidKey
            case unsupportedKeyType
            case invalidAlgorithm
            case invalidDuration
            case invalidSize
            case invalidThreshold
            case duplicateSettings
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// The file could not be opened or read.
        public static let unreadableFile = Code(.unreadableFile)
        /// The file is larger than ``Configuration/maximumFileSize``.
        public static let fileTooLarge = Code(.fileTooLarge)
        /// The file is not valid UTF-8.
        public static let notUTF8 = Code(.notUTF8)
        /// The YAML itself is malformed (the reason carries libyaml's line and column).
        public static let yamlSyntax = Code(.yamlSyntax)
        /// The file uses more YAML aliases than ``Configuration/maximumAliasCount`` (alias-bomb guard).
        public static let tooManyAliases = Code(.tooManyAliases)
        /// The file holds no document at all.
        public static let emptyFile = Code(.emptyFile)
        /// A document's `kind` is not one attestd reads.
        public static let unknownKind = Code(.unknownKind)
        /// A document's `apiVersion` does not belong with its `kind`.
        public static let unsupportedAPIVersion = Code(.unsupportedAPIVersion)
        /// A field attestd does not know (under `spec`, in the settings, or at the top level).
        public static let unknownField = Code(.unknownField)
        /// A required field is absent.
        public static let missingField = Code(.missingField)
        /// A field holds the wrong YAML type (a list where a string belongs, …).
        public static let wrongType = Code(.wrongType)
        /// A field has the right type but a value attestd cannot use.
        public static let invalidValue = Code(.invalidValue)
        /// Two objects of the same kind share a name (policies: the same namespace and name).
        public static let duplicateName = Code(.duplicateName)
        /// A policy names an attestor that no `AttestationAuthority` defines.
        public static let missingAttestor = Code(.missingAttestor)
        /// A base64 field does not decode.
        public static let invalidBase64 = Code(.invalidBase64)
        /// A public key is malformed, too small or does not fit its algorithm (the crypto reason follows).
        public static let invalidKey = Code(.invalidKey)
        /// A key type attestd does not verify yet (PGP).
        public static let unsupportedKeyType = Code(.unsupportedKeyType)
        /// A signature algorithm name is not known.
        public static let invalidAlgorithm = Code(.invalidAlgorithm)
        /// A duration such as `10m` or `30s` does not parse or is out of range.
        public static let invalidDuration = Code(.invalidDuration)
        /// A size such as `256KiB` does not parse or is out of range.
        public static let invalidSize = Code(.invalidSize)
        /// A policy threshold is below 1 or above the number of its attestors.
        public static let invalidThreshold = Code(.invalidThreshold)
        /// More than one `AttestdConfig` document.
        public static let duplicateSettings = Code(.duplicateSettings)

        public var description: String { backing.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong, without the location prefix (for example `not valid base64 at offset 12`).
    public let reason: String
    /// The configuration file, as given to the loader.
    public let file: String
    /// The 1-based document index in the file, if the error belongs to one document.
    public let document: Int?
    /// The 1-based index inside a `kind: List` document's `items`, if any.
    public let item: Int?
    /// The object's kind (`AttestationAuthority`, …), if known.
    public let kind: String?
    /// The object's `metadata.name` (policies: `namespace/name`), if known.
    public let name: String?
    /// The dotted field path (`spec.publicKeys[1].pkixPublicKey.publicKeyPem`), if the error is in a field.
    public let field: String?
    /// The 1-based line in the file, if YAML reported one.
    public let line: Int?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - reason: What was wrong, without the location prefix.
    ///   - file: The configuration file.
    ///   - document: The 1-based document index.
    ///   - item: The 1-based item index inside a `List`.
    ///   - kind: The object's kind.
    ///   - name: The object's name.
    ///   - field: The dotted field path.
    ///   - line: The 1-based line.
    public init(
        _ code: Code,
        _ reason: String,
        file: String,
        document: Int? = nil,
        item: Int? = nil,
        kind: String? = nil,
        name: String? = nil,
        field: String? = nil,
        line: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.file = file
        self.document = document
        self.item = item
        self.kind = kind
        self.name = name
        self.field = field
        self.line = line
    }

    /// The full message: `FILE: document N[, item M] (KIND "NAME"): FIELD: REASON (line L)`.
    public var description: String {
        var text = "\(file): "
        if let document {
            text += "document \(document)"
            if let item { text += ", item \(item)" }
            switch (kind, name) {
            case (let kind?, let name?): text += " (\(kind) \"\(name)\")"
            case (let kind?, nil): text += " (\(kind))"
            case (nil, let name?): text += " (\"\(name)\")"
            case (nil, nil): break
            }
            text += ": "
        }
        if let field { text += "\(field): " }
        text += reason
        if let line { text += " (line \(line))" }
        return text
    }
}
