import AttestCore
import AttestCrypto
internal import Yams

/// Collects the documents of one configuration file, validating each, and resolves cross-references
/// (policy → attestor, defaults from `AttestdConfig`) once every document is read.
struct ConfigurationBuilder {
    /// An attestor whose accepted types may still come from the settings document.
    struct AttestorDraft {
        var name: String
        var keys: [AttestorKey]
        var acceptedTypes: Set<String>?
        var noteReference: String?
        var document: Int
    }

    /// A policy whose default mode may still come from the settings document.
    struct PolicyDraft {
        var policy: Policy
        var explicitMode: PolicyMode?
        var context: DocumentContext
        var attestorFields: [(path: String, value: String, node: Node)]
    }

    static let kritisGroup = "kritis.grafeas.io/"
    static let attestdAPIVersion = "attestd.io/v1alpha1"
    static let knownKinds = "AttestationAuthority, GenericAttestationPolicy, AdmissionAllowlist, AttestdConfig, List"

    let file: String
    var objectCount = 0
    var settings: AttestdSettings?
    var settingsDocument = 0
    var attestors: [String: AttestorDraft] = [:]
    var attestorOrder: [String] = []
    var policies: [String: PolicyDraft] = [:]
    var policyOrder: [String] = []
    var allowlistRules: [AdmissionAllowlistRule] = []
    var allowlistDocuments: [String: Int] = [:]

    init(file: String) {
        self.file = file
    }

    // MARK: - Documents

    /// Adds one YAML document: a Kubernetes object or a `kind: List` of them. Empty documents are skipped.
    mutating func add(root: Node, document: Int) throws {
        if YAMLMapping.isNull(root) { return }
        let context = DocumentContext(file: file, document: document)
        let object = try YAMLMapping(root, path: "", context: context)
        if try object.string("kind") == "List" {
            try object.rejectUnknownFields(allowed: ["apiVersion", "kind", "metadata", "items"])
            for (index, item) in (try object.sequence("items") ?? []).enumerated() {
                var itemContext = context
                itemContext.item = index + 1
                let itemObject = try YAMLMapping(item.node, path: "", context: itemContext)
                if try itemObject.string("kind") == "List" {
                    throw itemContext.error(
                        .invalidValue,
                        field: "kind",
                        node: item.node,
                        "a List inside a List is not accepted"
                    )
                }
                try addObject(itemObject)
            }
        } else {
            try addObject(object)
        }
    }

    private mutating func addObject(_ object: YAMLMapping) throws {
        var context = object.context
        guard let kind = try object.string("kind") else {
            throw context.error(
                .missingField,
                field: "kind",
                node: object.node,
                "required field is missing; expected one of \(Self.knownKinds)"
            )
        }
        context.kind = kind
        let apiVersion = try YAMLMapping(object.node, path: "", context: context).string("apiVersion", required: true)!
        let metadata = try YAMLMapping(object.node, path: "", context: context).mapping("metadata")
        context.name =
            try metadata.map { try YAMLMapping($0.node, path: "metadata", context: context).string("name") } ?? nil
        let object = try YAMLMapping(object.node, path: "", context: context)
        objectCount += 1
        switch kind {
        case "AttestationAuthority", "GenericAttestationPolicy", "AdmissionAllowlist":
            guard apiVersion.hasPrefix(Self.kritisGroup) else {
                throw context.error(
                    .unsupportedAPIVersion,
                    field: "apiVersion",
                    node: object.value("apiVersion"),
                    "\(kind) belongs to \(Self.kritisGroup)v1beta1, not \(apiVersion)"
                )
            }
            try object.rejectUnknownFields(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
            guard context.name != nil else {
                throw context.error(
                    .missingField,
                    field: "metadata.name",
                    node: object.node,
                    "required field is missing"
                )
            }
            guard let spec = try object.mapping("spec") else {
                throw context.error(.missingField, field: "spec", node: object.node, "required field is missing")
            }
            switch kind {
            case "AttestationAuthority": try addAttestationAuthority(spec)
            case "GenericAttestationPolicy":
                let namespace = try metadata.flatMap { try $0.string("namespace") } ?? "default"
                try addPolicy(spec, namespace: namespace)
            default: try addAdmissionAllowlist(spec)
            }
        case "AttestdConfig":
            guard apiVersion == Self.attestdAPIVersion else {
                throw context.error(
                    .unsupportedAPIVersion,
                    field: "apiVersion",
                    node: object.value("apiVersion"),
                    "AttestdConfig belongs to \(Self.attestdAPIVersion), not \(apiVersion)"
                )
            }
            try object.rejectUnknownFields(allowed: ["apiVersion", "kind", "metadata", "spec"])
            guard settings == nil else {
                throw context.error(
                    .duplicateSettings,
                    field: nil,
                    node: object.node,
                    "a second AttestdConfig; the first is document \(settingsDocument), and there may be only one"
                )
            }
            settings = try Self.parseSettings(try object.mapping("spec"))
            settingsDocument = context.document
        default:
            throw context.error(
                .unknownKind,
                field: "kind",
                node: object.value("kind"),
                "unknown kind \"\(kind)\"; attestd reads \(Self.knownKinds)"
            )
        }
    }

    // MARK: - AttestationAuthority

    private mutating func addAttestationAuthority(_ spec: YAMLMapping) throws {
        let context = spec.context
        let name = context.name!
        try spec.rejectUnknownFields(allowed: [
            "noteReference", "publicKeyData", "publicKeyId", "privateKeySecretName", "signatureAlgorithm",
            "publicKeys", "acceptedTypes",
        ])
        if let first = attestors[name] {
            throw context.error(
                .duplicateName,
                field: "metadata.name",
                node: spec.node,
                "AttestationAuthority \"\(name)\" is already defined in document \(first.document)"
            )
        }
        let noteReference = try spec.string("noteReference")
        var keys: [AttestorKey]
        switch (spec.value("publicKeyData"), spec.value("publicKeys")) {
        case (.some, .some):
            throw context.error(
                .invalidValue,
                field: "spec.publicKeys",
                node: spec.value("publicKeys"),
                "publicKeyData (kritis v0.2.2 / Alibaba) and publicKeys (kritis HEAD) are two layouts; use one"
            )
        case (.none, .none):
            throw context.error(
                .missingField,
                field: "spec.publicKeyData",
                node: spec.node,
                "an attestor needs a key: set publicKeyData or publicKeys"
            )
        case (.some, .none):
            keys = [try Self.legacyKey(spec)]
        case (.none, .some):
            for field in ["publicKeyId", "privateKeySecretName", "signatureAlgorithm"] where spec.value(field) != nil {
                throw context.error(
                    .invalidValue,
                    field: spec.field(field),
                    node: spec.value(field),
                    "belongs to the publicKeyData layout; with publicKeys set pkixPublicKey.signatureAlgorithm and keyId per key"
                )
            }
            keys = try Self.headKeys(spec)
        }
        var acceptedTypes: Set<String>?
        if let types = try spec.strings("acceptedTypes") {
            guard !types.isEmpty else {
                throw context.error(
                    .invalidValue,
                    field: "spec.acceptedTypes",
                    node: spec.value("acceptedTypes"),
                    "must list at least one payload type"
                )
            }
            acceptedTypes = Set(types.map(\.value))
        }
        attestors[name] = AttestorDraft(
            name: name,
            keys: keys,
            acceptedTypes: acceptedTypes,
            noteReference: noteReference,
            document: context.document
        )
        attestorOrder.append(name)
    }

    /// The v0.2.2/Alibaba layout: `publicKeyData` is base64 of a PEM (or DER) public key.
    private static func legacyKey(_ spec: YAMLMapping) throws -> AttestorKey {
        let context = spec.context
        let field = spec.field("publicKeyData")
        let node = spec.value("publicKeyData")
        let text = try spec.string("publicKeyData", required: true)!
        let decoded: [UInt8]
        do {
            decoded = try Base64Text.decode(text)
        } catch {
            throw context.error(
                .invalidBase64,
                field: field,
                node: node,
                "not valid base64 at offset \(error.offset): \(error.problem)"
            )
        }
        let key = try parseKey(field: field, node: node, context: context) { try PublicKey.parse(decoded) }
        let algorithms: [SignatureAlgorithm]
        if let names = try algorithmNames(spec, key: "signatureAlgorithm") {
            algorithms = try names.map { try algorithm($0.value, field: $0.path, node: $0.node, context: context) }
            for (algorithm, name) in zip(algorithms, names) {
                try ensure(key, fits: algorithm, field: name.path, node: name.node, context: context)
            }
        } else {
            algorithms = try defaultAlgorithms(for: key, field: field, node: node, context: context)
        }
        let id = try spec.string("publicKeyId") ?? key.kritisKeyID
        return AttestorKey(id: id, publicKey: key, algorithms: algorithms)
    }

    /// `signatureAlgorithm` may be one name or a list of names (tried in order).
    private static func algorithmNames(_ spec: YAMLMapping, key: String) throws -> [(
        path: String, value: String, node: Node
    )]? {
        guard let node = spec.value(key) else { return nil }
        if case .sequence = node {
            let names = try spec.strings(key)!
            guard !names.isEmpty else {
                throw spec.context.error(
                    .invalidValue,
                    field: spec.field(key),
                    node: node,
                    "must name at least one algorithm"
                )
            }
            return names
        }
        return [(spec.field(key), try spec.string(key)!, node)]
    }

    /// The kritis HEAD layout: `publicKeys[]` of `keyType: PKIX` keys.
    private static func headKeys(_ spec: YAMLMapping) throws -> [AttestorKey] {
        let context = spec.context
        let items = try spec.sequence("publicKeys")!
        guard !items.isEmpty else {
            throw context.error(
                .invalidValue,
                field: "spec.publicKeys",
                node: spec.value("publicKeys"),
                "lists no keys; an attestor needs at least one"
            )
        }
        var keys: [AttestorKey] = []
        var ids: [String: String] = [:]
        var fingerprints: [[UInt8]: String] = [:]
        for item in items {
            let entry = try YAMLMapping(item.node, path: item.path, context: context)
            try entry.rejectUnknownFields(allowed: [
                "keyType", "keyId", "pkixPublicKey", "asciiArmoredPgpPublicKey", "comment",
            ])
            let keyType = try entry.string("keyType")
            if keyType?.uppercased() == "PGP" || (keyType == nil && entry.value("asciiArmoredPgpPublicKey") != nil) {
                throw context.error(
                    .unsupportedKeyType,
                    field: entry.field(keyType == nil ? "asciiArmoredPgpPublicKey" : "keyType"),
                    node: entry.value("keyType") ?? entry.value("asciiArmoredPgpPublicKey"),
                    "PGP attestations are not supported yet; use a PKIX key (keyType: PKIX with pkixPublicKey)"
                )
            }
            if let keyType, keyType.uppercased() != "PKIX" {
                throw context.error(
                    .invalidValue,
                    field: entry.field("keyType"),
                    node: entry.value("keyType"),
                    "unknown key type \"\(keyType)\"; expected PKIX"
                )
            }
            if entry.value("asciiArmoredPgpPublicKey") != nil {
                throw context.error(
                    .invalidValue,
                    field: entry.field("asciiArmoredPgpPublicKey"),
                    node: entry.value("asciiArmoredPgpPublicKey"),
                    "a PKIX key carries no PGP key"
                )
            }
            guard let pkix = try entry.mapping("pkixPublicKey") else {
                throw context.error(
                    .missingField,
                    field: entry.field("pkixPublicKey"),
                    node: item.node,
                    "required field is missing"
                )
            }
            try pkix.rejectUnknownFields(allowed: ["publicKeyPem", "signatureAlgorithm"])
            let pem = try pkix.string("publicKeyPem", required: true)!
            let pemField = pkix.field("publicKeyPem")
            let key = try parseKey(field: pemField, node: pkix.value("publicKeyPem"), context: context) {
                try PublicKey(pem: pem)
            }
            let algorithms: [SignatureAlgorithm]
            if let names = try algorithmNames(pkix, key: "signatureAlgorithm") {
                algorithms = try names.map { try algorithm($0.value, field: $0.path, node: $0.node, context: context) }
                for (algorithm, name) in zip(algorithms, names) {
                    try ensure(key, fits: algorithm, field: name.path, node: name.node, context: context)
                }
            } else {
                algorithms = try defaultAlgorithms(
                    for: key,
                    field: pemField,
                    node: pkix.value("publicKeyPem"),
                    context: context
                )
            }
            let id = try entry.string("keyId") ?? key.kritisKeyID
            if let other = ids[id] {
                throw context.error(
                    .duplicateName,
                    field: entry.field("keyId"),
                    node: entry.value("keyId") ?? item.node,
                    "key id \"\(id)\" is already used by \(other)"
                )
            }
            if let other = fingerprints[key.fingerprint] {
                throw context.error(
                    .invalidValue,
                    field: pemField,
                    node: pkix.value("publicKeyPem"),
                    "the same key is already listed as \(other)"
                )
            }
            ids[id] = item.path
            fingerprints[key.fingerprint] = item.path
            keys.append(AttestorKey(id: id, publicKey: key, algorithms: algorithms))
        }
        return keys
    }

    private static func parseKey(
        field: String,
        node: Node?,
        context: DocumentContext,
        _ parse: () throws -> PublicKey
    ) throws -> PublicKey {
        do {
            return try parse()
        } catch let error as CryptoError {
            let code: ConfigurationError.Code = error.code == .unsupportedKeyType ? .unsupportedKeyType : .invalidKey
            throw context.error(code, field: field, node: node, error.reason)
        }
    }

    private static func algorithm(_ name: String, field: String, node: Node, context: DocumentContext) throws
        -> SignatureAlgorithm
    {
        guard let algorithm = SignatureAlgorithm(name: name) else {
            throw context.error(
                .invalidAlgorithm,
                field: field,
                node: node,
                "unknown signature algorithm \"\(name)\"; expected one of \(SignatureAlgorithm.allCases.map(\.name).joined(separator: ", ")) or a kritis/KMS alias"
            )
        }
        return algorithm
    }

    private static func ensure(
        _ key: PublicKey,
        fits algorithm: SignatureAlgorithm,
        field: String,
        node: Node,
        context: DocumentContext
    ) throws {
        do {
            try key.ensureCompatible(with: algorithm)
        } catch let error as CryptoError {
            throw context.error(.invalidKey, field: field, node: node, error.reason)
        }
    }

    /// Keys that carry no algorithm (Alibaba's): RSA tries PSS then PKCS#1 v1.5 over SHA-256; EC and Ed25519
    /// keys get the one algorithm their curve allows.
    private static func defaultAlgorithms(for key: PublicKey, field: String, node: Node?, context: DocumentContext)
        throws -> [SignatureAlgorithm]
    {
        let candidates: [SignatureAlgorithm] =
            key.family == .rsa
            ? [.rsaPSSSHA256, .rsaPKCS1SHA256] : SignatureAlgorithm.allCases.filter { $0.keyFamily == key.family }
        let fitting = candidates.filter { (try? key.ensureCompatible(with: $0)) != nil }
        guard !fitting.isEmpty else {
            throw context.error(
                .invalidKey,
                field: field,
                node: node,
                "no signature algorithm fits this \(key.family.rawValue) key; set signatureAlgorithm"
            )
        }
        return fitting
    }

    // MARK: - GenericAttestationPolicy

    private mutating func addPolicy(_ spec: YAMLMapping, namespace: String) throws {
        var context = spec.context
        let name = context.name!
        context.name = "\(namespace)/\(name)"
        let spec = try YAMLMapping(spec.node, path: "spec", context: context)
        try spec.rejectUnknownFields(allowed: [
            "attestationAuthorityNames", "admissionAllowlistPatterns", "mode", "threshold",
        ])
        let key = "\(namespace)/\(name)"
        if let first = policies[key] {
            throw context.error(
                .duplicateName,
                field: "metadata.name",
                node: spec.node,
                "GenericAttestationPolicy \"\(name)\" in namespace \"\(namespace)\" is already defined in document \(first.context.document)"
            )
        }
        let names = try spec.strings("attestationAuthorityNames") ?? []
        var patterns: [AllowlistPattern] = []
        for item in try spec.sequence("admissionAllowlistPatterns") ?? [] {
            let entry = try YAMLMapping(item.node, path: item.path, context: context)
            try entry.rejectUnknownFields(allowed: ["namePattern"])
            let text = try entry.string("namePattern", required: true)!
            patterns.append(AllowlistPattern(text, syntax: .genericAttestationPolicy)!)
        }
        let distinctCount = Set(names.map(\.value)).count
        var mode: PolicyMode?
        let modeText = try spec.string("mode")
        if let threshold = try spec.int("threshold") {
            guard modeText == nil || modeText == "threshold" else {
                throw context.error(
                    .invalidValue,
                    field: "spec.threshold",
                    node: threshold.node,
                    "threshold applies to mode: threshold, not mode: \(modeText!)"
                )
            }
            guard threshold.value >= 1, threshold.value <= distinctCount else {
                throw context.error(
                    .invalidThreshold,
                    field: "spec.threshold",
                    node: threshold.node,
                    "\(threshold.value) is outside 1...\(distinctCount), the number of attestors the policy lists"
                )
            }
            mode = .threshold(threshold.value)
        } else if let modeText {
            switch modeText {
            case "all": mode = .all
            case "any": mode = .any
            case "threshold":
                throw context.error(
                    .missingField,
                    field: "spec.threshold",
                    node: spec.node,
                    "mode: threshold needs threshold: N"
                )
            default:
                throw context.error(
                    .invalidValue,
                    field: "spec.mode",
                    node: spec.value("mode"),
                    "unknown mode \"\(modeText)\"; expected all, any or threshold"
                )
            }
        }
        policies[key] = PolicyDraft(
            policy: Policy(
                namespace: namespace,
                name: name,
                attestorNames: names.map(\.value),
                allowlistPatterns: patterns,
                mode: mode ?? .all
            ),
            explicitMode: mode,
            context: context,
            attestorFields: names
        )
        policyOrder.append(key)
    }

    // MARK: - AdmissionAllowlist

    private mutating func addAdmissionAllowlist(_ spec: YAMLMapping) throws {
        let context = spec.context
        let name = context.name!
        try spec.rejectUnknownFields(allowed: ["patterns"])
        if let first = allowlistDocuments[name] {
            throw context.error(
                .duplicateName,
                field: "metadata.name",
                node: spec.node,
                "AdmissionAllowlist \"\(name)\" is already defined in document \(first)"
            )
        }
        for item in try spec.sequence("patterns") ?? [] {
            let entry = try YAMLMapping(item.node, path: item.path, context: context)
            try entry.rejectUnknownFields(allowed: ["namePattern", "namespace"])
            let text = try entry.string("namePattern", required: true)!
            allowlistRules.append(
                AdmissionAllowlistRule(
                    namePattern: AllowlistPattern(text, syntax: .admissionAllowlist)!,
                    namespace: try entry.string("namespace"),
                    source: name
                )
            )
        }
        allowlistDocuments[name] = context.document
    }

    // MARK: - Finishing

    /// Resolves defaults and cross-references and returns the configuration.
    func finish() throws -> Configuration {
        guard objectCount > 0 else {
            throw ConfigurationError(
                .emptyFile,
                "holds no configuration object (an empty file or only empty documents)",
                file: file
            )
        }
        let settings = self.settings ?? AttestdSettings()
        var resolvedAttestors: [String: Attestor] = [:]
        for name in attestorOrder {
            let draft = attestors[name]!
            resolvedAttestors[name] = Attestor(
                name: name,
                keys: draft.keys,
                acceptedTypes: draft.acceptedTypes ?? settings.acceptedPayloadTypes,
                noteReference: draft.noteReference
            )
        }
        var resolvedPolicies: [Policy] = []
        for key in policyOrder {
            let draft = policies[key]!
            for field in draft.attestorFields where resolvedAttestors[field.value] == nil {
                let known =
                    attestorOrder.isEmpty ? "none is defined" : "defined: \(attestorOrder.joined(separator: ", "))"
                throw draft.context.error(
                    .missingAttestor,
                    field: field.path,
                    node: field.node,
                    "no AttestationAuthority named \"\(field.value)\" (\(known))"
                )
            }
            var policy = draft.policy
            policy.mode = draft.explicitMode ?? settings.defaultMatchMode
            resolvedPolicies.append(policy)
        }
        return Configuration(
            settings: settings,
            attestors: resolvedAttestors,
            policies: resolvedPolicies,
            admissionAllowlist: allowlistRules,
            sourceFile: file
        )
    }
}
