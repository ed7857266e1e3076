import AttestPolicy
import Foundation
import Testing

/// One test per class of configuration error; each checks the code and that the message names the file,
/// the document, the object and the field.
struct ConfigurationErrorTests {
    /// Parses and returns the error, which must exist.
    private func failure(_ yaml: String, file: String = "config.yaml") throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, file: file) }
    }

    private static let authority = TestKeys.legacyAuthority(name: "ack-attestor", key: TestKeys.ecP256)

    @Test("Bad base64 in publicKeyData names the offset")
    func badBase64() throws {
        let yaml = TestKeys.file(
            Self.authority.replacingOccurrences(of: "name: ack-attestor", with: "name: first"),
            "apiVersion: v1\nkind: List\nitems: []",
            """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: ack-attestor
            spec:
              noteReference: namespaces/ack-attestor
              publicKeyData: LS0tLS1CRUdJ!!!
            """
        )
        let error = try failure(yaml)
        #expect(error.code == .invalidBase64)
        #expect(error.document == 3)
        #expect(
            error.description
                == "config.yaml: document 3 (AttestationAuthority \"ack-attestor\"): spec.publicKeyData: not valid base64 at offset 12: '!' is not a base64 character (line 20)"
        )
    }

    @Test("A PEM that is not a key carries the crypto reason")
    func badPEM() throws {
        let garbage = Data("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8).base64EncodedString()
        let yaml = Self.authority.replacingOccurrences(of: TestKeys.publicKeyData(TestKeys.ecP256), with: garbage)
        let error = try failure(yaml)
        #expect(error.code == .invalidKey)
        #expect(
            error.description.hasPrefix(
                "config.yaml: document 1 (AttestationAuthority \"ack-attestor\"): spec.publicKeyData: "
            )
        )
        #expect(error.reason.contains("public key"))
    }

    @Test("An RSA key under 2048 bits is refused at load")
    func smallRSAKey() throws {
        let pem = """
            -----BEGIN PUBLIC KEY-----
            MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyFiXYMOObztx+B3/QvbmHp2CK
            jo+k4yIkWI+6cBFMZ+0cv7f60/Hgw9nO3j5hr87UkDgP7A0SONRSWbK8dgKw3evx
            bwByfTgIyDXLJzoKY1fcChzpJK03woFBfuvTYBpkicaECJu0Q2/PNfBAPVC/dJXP
            Z0bNOuNLMl/aGMeKcwIDAQAB
            -----END PUBLIC KEY-----
            """
        let yaml = TestKeys.legacyAuthority(name: "small", key: TestKeys.rsa)
            .replacingOccurrences(of: TestKeys.publicKeyData(TestKeys.rsa), with: Data(pem.utf8).base64EncodedString())
        let error = try failure(yaml)
        #expect(error.code == .invalidKey)
        #expect(error.field == "spec.publicKeyData")
        #expect(error.reason.contains("2048"))
    }

    @Test("A key that does not fit its algorithm is refused with the crypto reason")
    func algorithmMismatch() throws {
        let yaml = TestKeys.headAuthority(name: "ci", keys: [("k", TestKeys.ecP256, "rsa-pss-sha256")])
        let error = try failure(yaml)
        #expect(error.code == .invalidKey)
        #expect(error.field == "spec.publicKeys[1].pkixPublicKey.signatureAlgorithm")
        #expect(error.description.contains("(AttestationAuthority \"ci\")"))
    }

    @Test("An unknown algorithm name lists the canonical ones")
    func unknownAlgorithm() throws {
        let yaml = TestKeys.legacyAuthority(name: "a", key: TestKeys.rsa, extraSpec: "  signatureAlgorithm: rsa-md5")
        let error = try failure(yaml)
        #expect(error.code == .invalidAlgorithm)
        #expect(error.field == "spec.signatureAlgorithm")
        #expect(error.reason.contains("rsa-pss-sha256"))
    }

    @Test("PGP keys are refused: not supported yet", arguments: ["keyType: PGP", "keyType: pgp"])
    func pgpRefused(keyType: String) throws {
        let yaml = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: gpg-attestor
            spec:
              noteReference: projects/p/notes/n
              publicKeys:
              - \(keyType)
                keyId: 0123456789ABCDEF
                asciiArmoredPgpPublicKey: |
                  -----BEGIN PGP PUBLIC KEY BLOCK-----
                  mQENBF...
                  -----END PGP PUBLIC KEY BLOCK-----
            """
        let error = try failure(yaml)
        #expect(error.code == .unsupportedKeyType)
        #expect(
            error.description.hasPrefix(
                "config.yaml: document 1 (AttestationAuthority \"gpg-attestor\"): spec.publicKeys[1].keyType: PGP attestations are not supported yet"
            )
        )
    }

    @Test("Unknown kinds are refused and the known ones listed")
    func unknownKind() throws {
        let yaml = TestKeys.file(
            Self.authority,
            "apiVersion: kritis.grafeas.io/v1beta1\nkind: ImageSecurityPolicy\nmetadata:\n  name: isp\nspec: {}"
        )
        let error = try failure(yaml)
        #expect(error.code == .unknownKind)
        #expect(
            error.description.hasPrefix("config.yaml: document 2 (ImageSecurityPolicy \"isp\"): kind: unknown kind")
        )
        #expect(error.reason.contains("GenericAttestationPolicy"))
    }

    @Test("A kritis kind under a foreign apiVersion is refused")
    func wrongAPIVersion() throws {
        let yaml = Self.authority.replacingOccurrences(of: "kritis.grafeas.io/v1beta1", with: "example.com/v1")
        let error = try failure(yaml)
        #expect(error.code == .unsupportedAPIVersion)
        #expect(error.field == "apiVersion")
    }

    @Test(
        "Unknown fields are refused under spec, in nested entries and in AttestdConfig",
        arguments: [
            (
                TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256, extraSpec: "  publicKeyFormat: pem"),
                "spec.publicKeyFormat", "AttestationAuthority \"a\""
            ),
            (
                TestKeys.policy(name: "p", attestors: [], extraSpec: "  admissionWhitelistPatterns: []"),
                "spec.admissionWhitelistPatterns", "GenericAttestationPolicy \"default/p\""
            ),
            (
                TestKeys.policy(
                    name: "p",
                    attestors: [],
                    extraSpec: "  admissionAllowlistPatterns:\n  - namePatern: x"
                ), "spec.admissionAllowlistPatterns[1].namePatern", "GenericAttestationPolicy \"default/p\""
            ),
            (
                "apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nspec:\n  cache:\n    ttl: 10m", "spec.cache.ttl",
                "AttestdConfig"
            ),
            ("apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nsettings: {}", "settings", "AttestdConfig"),
        ]
    )
    func unknownField(yaml: String, field: String, object: String) throws {
        let error = try failure(yaml)
        #expect(error.code == .unknownField)
        #expect(error.field == field)
        #expect(error.description.hasPrefix("config.yaml: document 1 (\(object)): \(field): unknown field"))
    }

    @Test("A policy naming an attestor nobody defines is refused at the policy's field")
    func missingAttestor() throws {
        let yaml = TestKeys.file(
            Self.authority,
            TestKeys.policy(name: "p", namespace: "prod", attestors: ["ack-attestor", "ci"])
        )
        let error = try failure(yaml)
        #expect(error.code == .missingAttestor)
        #expect(
            error.description
                == "config.yaml: document 2 (GenericAttestationPolicy \"prod/p\"): spec.attestationAuthorityNames[2]: no AttestationAuthority named \"ci\" (defined: ack-attestor) (line 16)"
        )
    }

    @Test(
        "Duplicate names are refused: same attestor, same namespace+name policy, same allowlist",
        arguments: [
            (TestKeys.file(authority, authority), "AttestationAuthority \"ack-attestor\""),
            (
                TestKeys.file(TestKeys.policy(name: "p", attestors: []), TestKeys.policy(name: "p", attestors: [])),
                "GenericAttestationPolicy \"default/p\""
            ),
            (
                TestKeys.file(
                    "apiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nmetadata: {name: w}\nspec: {patterns: []}",
                    "apiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nmetadata: {name: w}\nspec: {patterns: []}"
                ), "AdmissionAllowlist \"w\""
            ),
        ]
    )
    func duplicateNames(yaml: String, object: String) throws {
        let error = try failure(yaml)
        #expect(error.code == .duplicateName)
        #expect(error.description.hasPrefix("config.yaml: document 2 (\(object)): metadata.name: "))
        #expect(error.reason.contains("already defined in document 1"))
    }

    @Test("The same policy name in two namespaces is fine")
    func samePolicyNameTwoNamespaces() throws {
        let yaml = TestKeys.file(
            TestKeys.policy(name: "p", namespace: "a", attestors: []),
            TestKeys.policy(name: "p", namespace: "b", attestors: [])
        )
        let configuration = try Configuration.parse(yaml: yaml, file: "c.yaml")
        #expect(configuration.allPolicies.map(\.qualifiedName) == ["a/p", "b/p"])
    }

    @Test(
        "Wrong YAML types are refused with what was found",
        arguments: [
            (
                TestKeys.policy(name: "p", attestors: []).replacingOccurrences(
                    of: "attestationAuthorityNames: []",
                    with: "attestationAuthorityNames: ack"
                ), "spec.attestationAuthorityNames", "expected a list"
            ),
            (
                TestKeys.policy(name: "p", attestors: ["123"]), "spec.attestationAuthorityNames[1]",
                "expected a string, found an integer (123)"
            ),
            (
                TestKeys.policy(name: "p", attestors: [], extraSpec: "  threshold: two"), "spec.threshold",
                "expected an integer"
            ),
            (
                "apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nspec:\n  workers: [1]", "spec.workers",
                "expected an integer, found a list"
            ),
            ("apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nspec: [a]", "spec", "expected a mapping"),
        ]
    )
    func wrongTypes(yaml: String, field: String, reason: String) throws {
        let error = try failure(yaml)
        #expect(error.code == .wrongType)
        #expect(error.field == field)
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.description.hasPrefix("config.yaml: document 1 ("))
    }

    @Test("A document that is not a mapping, or lacks kind, is refused")
    func notAnObject() throws {
        let list = try failure("- a\n- b")
        #expect(list.code == .wrongType)
        #expect(list.description.hasPrefix("config.yaml: document 1: expected a mapping, found a list"))
        let noKind = try failure("apiVersion: v1\nmetadata: {name: x}")
        #expect(noKind.code == .missingField)
        #expect(noKind.field == "kind")
    }

    @Test(
        "Invalid durations and sizes are refused",
        arguments: [
            ("cache:\n    positiveTTL: 10 minutes", "spec.cache.positiveTTL", ConfigurationError.Code.invalidDuration),
            ("cache:\n    negativeTTL: -5s", "spec.cache.negativeTTL", .invalidDuration),
            ("cache:\n    negativeTTL: 1m1m", "spec.cache.negativeTTL", .invalidDuration),
            ("cache:\n    positiveTTL: 400d", "spec.cache.positiveTTL", .invalidDuration),
            ("limits:\n    idleTimeout: 0s", "spec.limits.idleTimeout", .invalidDuration),
            ("limits:\n    maxPayloadSize: 256KB!", "spec.limits.maxPayloadSize", .invalidSize),
            ("limits:\n    maxFrameSize: 2GiB", "spec.limits.maxFrameSize", .invalidSize),
            ("limits:\n    maxFrameSize: 99999999999999999999999KiB", "spec.limits.maxFrameSize", .invalidSize),
            ("socket:\n    mode: \"0990\"", "spec.socket.mode", .invalidValue),
            ("socket:\n    path: relative.sock", "spec.socket.path", .invalidValue),
            ("defaultPolicy: allow", "spec.defaultPolicy", .invalidValue),
            ("matchMode: most", "spec.matchMode", .invalidValue),
            ("workers: -1", "spec.workers", .invalidValue),
            ("store:\n    cacheMaxEntries: -1", "spec.store.cacheMaxEntries", .invalidValue),
            ("store:\n    cacheMaxBytes: 2GiB", "spec.store.cacheMaxBytes", .invalidSize),
            ("store:\n    cacheMaxBytes: lots", "spec.store.cacheMaxBytes", .invalidSize),
        ]
    )
    func invalidSettings(spec: String, field: String, code: ConfigurationError.Code) throws {
        let yaml = TestKeys.file(
            Self.authority,
            "apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nmetadata:\n  name: attestd\nspec:\n  \(spec)"
        )
        let error = try failure(yaml)
        #expect(error.code == code)
        #expect(error.field == field)
        #expect(error.description.hasPrefix("config.yaml: document 2 (AttestdConfig \"attestd\"): \(field): "))
        #expect(error.line != nil)
    }

    @Test(
        "Threshold below 1 or above the number of attestors is refused",
        arguments: ["  threshold: 0", "  threshold: 3", "  threshold: -1", "  mode: threshold"]
    )
    func badThreshold(extra: String) throws {
        let yaml = TestKeys.file(
            Self.authority,
            TestKeys.legacyAuthority(name: "b", key: TestKeys.ecP384),
            TestKeys.policy(name: "p", attestors: ["ack-attestor", "b"], extraSpec: extra)
        )
        let error = try failure(yaml)
        #expect(error.code == (extra.contains("mode") ? .missingField : .invalidThreshold))
        #expect(
            error.description.hasPrefix(
                "config.yaml: document 3 (GenericAttestationPolicy \"default/p\"): spec.threshold: "
            )
        )
    }

    @Test("mode: any with a threshold contradicts itself")
    func modeAndThreshold() throws {
        let yaml = TestKeys.file(
            Self.authority,
            TestKeys.policy(name: "p", attestors: ["ack-attestor"], extraSpec: "  mode: any\n  threshold: 1")
        )
        #expect(try failure(yaml).code == .invalidValue)
    }

    @Test("A second AttestdConfig is refused")
    func secondSettings() throws {
        let settings = "apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nspec: {workers: 1}"
        let error = try failure(TestKeys.file(settings, Self.authority, settings))
        #expect(error.code == .duplicateSettings)
        #expect(
            error.description.hasPrefix(
                "config.yaml: document 3 (AttestdConfig): a second AttestdConfig; the first is document 1"
            )
        )
    }

    @Test("Both key layouts at once, or neither, are refused")
    func keyLayouts() throws {
        let both = TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256, extraSpec: "  publicKeys: []")
        #expect(try failure(both).code == .invalidValue)
        let neither =
            "apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: a}\nspec: {noteReference: x}"
        let error = try failure(neither)
        #expect(error.code == .missingField)
        #expect(error.field == "spec.publicKeyData")
        let noKeys =
            "apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: a}\nspec: {publicKeys: []}"
        #expect(try failure(noKeys).code == .invalidValue)
    }

    @Test("The same key twice, or one key id twice, on one attestor is refused")
    func duplicateKeys() throws {
        let sameKey = TestKeys.headAuthority(
            name: "a",
            keys: [("k1", TestKeys.ecP256, "ecdsa-p256-sha256"), ("k2", TestKeys.ecP256, "ecdsa-p256-sha256")]
        )
        #expect(try failure(sameKey).field == "spec.publicKeys[2].pkixPublicKey.publicKeyPem")
        let sameID = TestKeys.headAuthority(
            name: "a",
            keys: [("k", TestKeys.ecP256, "ecdsa-p256-sha256"), ("k", TestKeys.ecP384, "ecdsa-p384-sha384")]
        )
        let error = try failure(sameID)
        #expect(error.code == .duplicateName)
        #expect(error.field == "spec.publicKeys[2].keyId")
    }

    @Test("Missing metadata.name is refused")
    func missingName() throws {
        let error = try failure("apiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nspec: {patterns: []}")
        #expect(error.code == .missingField)
        #expect(
            error.description.hasPrefix(
                "config.yaml: document 1 (AdmissionAllowlist): metadata.name: required field is missing"
            )
        )
    }

    @Test("Errors inside a List name the item")
    func listItemError() throws {
        let yaml =
            "apiVersion: v1\nkind: List\nitems:\n- \(Self.authority.split(separator: "\n").joined(separator: "\n  "))\n- apiVersion: kritis.grafeas.io/v1beta1\n  kind: Whatever\n  metadata: {name: w}"
        let error = try failure(yaml)
        #expect(error.code == .unknownKind)
        #expect(error.description.hasPrefix("config.yaml: document 1, item 2 (Whatever \"w\"): kind: "))
    }

    @Test(
        "An empty file, or only empty documents and comments, is refused",
        arguments: ["", "\n\n", "# nothing\n", "---\n---\n", "--- ~\n"]
    )
    func emptyFile(yaml: String) throws {
        let error = try failure(yaml)
        #expect(error.code == .emptyFile)
        #expect(error.description.hasPrefix("config.yaml: holds no configuration object"))
    }

    @Test("YAML syntax errors carry the document and line")
    func syntaxError() throws {
        let yaml = TestKeys.file(Self.authority, "apiVersion: v1\nkind: List\nitems: [a, b\nfoo: bar")
        let error = try failure(yaml)
        #expect(error.code == .yamlSyntax)
        #expect(error.document == 2)
        #expect(error.line != nil)
        #expect(error.description.hasPrefix("config.yaml: document 2: YAML: "))
    }

    @Test("Duplicate keys in one mapping are a YAML error with the key named")
    func duplicateMappingKeys() throws {
        let error = try failure("apiVersion: v1\nkind: List\nkind: List\nitems: []")
        #expect(error.code == .yamlSyntax)
        #expect(error.reason.contains("'kind'"))
    }
}
