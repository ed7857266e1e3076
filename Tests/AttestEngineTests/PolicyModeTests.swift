import AttestCore
import AttestCrypto
import AttestEngine
import Testing

/// How many attestors a policy needs, several policies per namespace, and namespaces without one.
struct PolicyModeTests {
    /// Three attestors with one key each: RSA-PSS, ECDSA P-256 and Ed25519.
    private static let attestors: [(name: String, key: PrivateKey, algorithm: SignatureAlgorithm)] = [
        ("alpha", TestKeys.rsaA, .rsaPSSSHA256),
        ("beta", TestKeys.ecP256, .ecdsaP256SHA256),
        ("gamma", TestKeys.ed25519, .ed25519),
    ]

    private static func harness(policies: [String], settings: [String] = []) throws -> EngineHarness {
        var documents = attestors.map { YAMLDocuments.attestor($0.name, key: $0.key, algorithm: $0.algorithm.name) }
        documents += policies
        if !settings.isEmpty { documents.append(YAMLDocuments.settings(settings)) }
        return try EngineHarness(yaml: documents.joined(separator: "---\n"))
    }

    private static func sign(_ harness: EngineHarness, by names: Set<String>) throws {
        for attestor in attestors where names.contains(attestor.name) {
            try harness.sign(Images.signed, with: attestor.key, algorithm: attestor.algorithm)
        }
    }

    struct ModeCase: CustomTestStringConvertible, Sendable {
        var spec: [String]
        var signers: Set<String>
        var admitted: Bool
        var missing: [String]
        var testDescription: String { "\(spec) signed by \(signers.sorted()) → \(admitted ? "admit" : "deny")" }
    }

    @Test(arguments: [
        ModeCase(spec: [], signers: ["alpha", "beta", "gamma"], admitted: true, missing: []),
        ModeCase(spec: [], signers: ["alpha", "beta"], admitted: false, missing: ["gamma"]),
        ModeCase(spec: [], signers: [], admitted: false, missing: ["alpha", "beta", "gamma"]),
        ModeCase(spec: ["mode: all"], signers: ["beta", "gamma"], admitted: false, missing: ["alpha"]),
        ModeCase(spec: ["mode: any"], signers: [], admitted: false, missing: ["alpha", "beta", "gamma"]),
        ModeCase(spec: ["mode: any"], signers: ["beta"], admitted: true, missing: []),
        ModeCase(spec: ["mode: any"], signers: ["gamma"], admitted: true, missing: []),
        ModeCase(spec: ["threshold: 2"], signers: ["alpha"], admitted: false, missing: ["beta", "gamma"]),
        ModeCase(spec: ["threshold: 2"], signers: ["alpha", "gamma"], admitted: true, missing: []),
        ModeCase(spec: ["threshold: 2"], signers: ["alpha", "beta", "gamma"], admitted: true, missing: []),
        ModeCase(
            spec: ["mode: threshold", "threshold: 3"],
            signers: ["alpha", "beta"],
            admitted: false,
            missing: ["gamma"]
        ),
        ModeCase(spec: ["threshold: 1"], signers: ["beta"], admitted: true, missing: []),
    ])
    func modeDecidesHowManyAttestorsAreNeeded(_ test: ModeCase) throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("p", attestors: ["alpha", "beta", "gamma"], extraSpec: test.spec)
        ])
        try Self.sign(harness, by: test.signers)
        let verdict = harness.verdict(Images.signed)
        #expect(verdict.admitted == test.admitted)
        #expect(verdict.satisfiedAttestors == test.signers.sorted())
        #expect(verdict.missingAttestors == test.missing)
        if !test.admitted {
            #expect(verdict.reason == .notAttested)
            #expect(verdict.message == "image \(Images.signed) is not attested")
            #expect(verdict.details.first?.hasPrefix("policy default/p needs") == true)
        }
    }

    @Test func settingsMatchModeAppliesToPoliciesWithoutMode() throws {
        let harness = try Self.harness(
            policies: [YAMLDocuments.policy("p", attestors: ["alpha", "beta"])],
            settings: ["matchMode: any"]
        )
        try Self.sign(harness, by: ["beta"])
        #expect(harness.verdict(Images.signed).admitted)
    }

    @Test func onePolicySatisfiedAdmits() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("needs-alpha-and-beta", attestors: ["alpha", "beta"]),
            YAMLDocuments.policy("needs-gamma", attestors: ["gamma"]),
        ])
        try Self.sign(harness, by: ["gamma"])
        let verdict = harness.verdict(Images.signed)
        #expect(verdict.admitted)
        #expect(verdict.message.contains("policy default/needs-gamma satisfied"))
    }

    @Test func noPolicySatisfiedReportsTheClosestPolicy() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("needs-all-three", attestors: ["alpha", "beta", "gamma"]),
            YAMLDocuments.policy("needs-alpha-and-beta", attestors: ["alpha", "beta"]),
        ])
        try Self.sign(harness, by: ["alpha"])
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.missingAttestors == ["beta"])
        #expect(verdict.details.first?.contains("default/needs-alpha-and-beta") == true)
    }

    @Test func missingAttestorsAreSortedWhateverThePolicyOrder() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("p", attestors: ["gamma", "alpha", "beta"])
        ])
        try Self.sign(harness, by: ["beta"])
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.satisfiedAttestors == ["beta"])
        #expect(verdict.missingAttestors == ["alpha", "gamma"])
    }

    @Test func closestPolicyIsTheOneNeedingFewestMoreAttestors() throws {
        // needs-both lacks 2 attestors; any-of-three lacks 3 names but needs only 1 more signature.
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("needs-both", attestors: ["alpha", "beta"]),
            YAMLDocuments.policy("any-of-three", attestors: ["alpha", "beta", "gamma"], extraSpec: ["mode: any"]),
        ])
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.details.first?.hasPrefix("policy default/any-of-three needs any of 3") == true)
        #expect(verdict.missingAttestors == ["alpha", "beta", "gamma"])
    }

    @Test func policiesOfAnotherNamespaceDoNotApply() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("p", namespace: "production", attestors: ["alpha"])
        ])
        let verdict = harness.verdict(Images.signed, namespace: "production")
        #expect(!verdict.admitted)
        let elsewhere = harness.verdict(Images.signed, namespace: "default")
        #expect(elsewhere.admitted)
        #expect(elsewhere.reason == .noPolicy)
    }

    @Test func policyWithoutAttestorsDeniesNamingThePolicy() throws {
        let harness = try Self.harness(policies: [YAMLDocuments.policy("lockdown", attestors: [])])
        try Self.sign(harness, by: ["alpha", "beta", "gamma"])
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.reason == .emptyPolicy)
        #expect(verdict.message == "image \(Images.signed) is not attested")
        #expect(verdict.details.contains { $0.contains("policy default/lockdown lists no attestors") })
    }

    @Test func emptyPolicyNextToASatisfiedPolicyAdmits() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("lockdown", attestors: []),
            YAMLDocuments.policy("p", attestors: ["alpha"]),
        ])
        try Self.sign(harness, by: ["alpha"])
        #expect(harness.verdict(Images.signed).admitted)
    }

    @Test func emptyPolicyIsNotReportedAsClosestNextToAnUnsatisfiedOne() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy("a-lockdown", attestors: []),
            YAMLDocuments.policy("p", attestors: ["alpha"]),
        ])
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.reason == .notAttested)
        #expect(verdict.missingAttestors == ["alpha"])
        #expect(verdict.details.first?.hasPrefix("policy default/p needs") == true)
    }

    @Test func namespaceWithoutPolicyIsAdmittedByDefault() throws {
        let harness = try Self.harness(policies: [YAMLDocuments.policy("p", attestors: ["alpha"])])
        let verdict = harness.verdict("alpine:3.11", namespace: "kube-public")
        #expect(verdict.admitted)
        #expect(verdict.reason == .noPolicy)
        #expect(verdict.message.contains("kube-public"))
    }

    @Test func namespaceWithoutPolicyIsDeniedUnderDefaultPolicyDeny() throws {
        let harness = try Self.harness(
            policies: [YAMLDocuments.policy("p", attestors: ["alpha"])],
            settings: ["defaultPolicy: deny"]
        )
        try Self.sign(harness, by: ["alpha"])
        let verdict = harness.verdict(Images.signed, namespace: "kube-public")
        #expect(!verdict.admitted)
        #expect(verdict.reason == .defaultDeny)
        #expect(verdict.message == "image \(Images.signed) is not attested")
        #expect(harness.verdict(Images.signed, namespace: "default").admitted)
    }

    @Test func gapAllowlistPatternAdmitsWithoutAttestation() throws {
        let harness = try Self.harness(policies: [
            YAMLDocuments.policy(
                "p",
                attestors: ["alpha"],
                extraSpec: ["admissionAllowlistPatterns:", "  - namePattern: gcr.io/distroless/*"]
            )
        ])
        let verdict = harness.verdict("gcr.io/distroless/static:nonroot")
        #expect(verdict.admitted)
        #expect(verdict.reason == .allowlisted)
        // `*` never crosses `/`.
        #expect(!harness.verdict("gcr.io/distroless/base/evil:1").admitted)
        #expect(!harness.verdict("gcr.io/distroless-evil/x:1").admitted)
    }

    @Test func globalAllowlistPatternAdmitsInEveryNamespace() throws {
        let harness = try Self.harness(
            policies: [
                YAMLDocuments.policy("p", attestors: ["alpha"]),
                YAMLDocuments.policy("q", namespace: "production", attestors: ["beta"]),
            ],
            settings: ["allowlistPatterns: [\"registry.example.com/base/*\"]"]
        )
        for namespace in ["default", "production"] {
            #expect(harness.verdict("registry.example.com/base/alpine:3", namespace: namespace).admitted)
        }
    }

    @Test func admissionAllowlistRuleScopedToAnotherNamespaceDoesNotAdmit() throws {
        var documents = [YAMLDocuments.policy("p", attestors: ["alpha"])]
        documents.append(
            YAMLDocuments.admissionAllowlist(
                "system",
                patterns: [
                    ("registry-*.aliyuncs.com/acs/*", "kube-system"), ("docker.io/library/busybox@sha256:*", nil),
                ]
            )
        )
        documents.append(YAMLDocuments.policy("p", namespace: "kube-system", attestors: ["alpha"]))
        let harness = try Self.harness(policies: documents)
        let system = "registry-vpc.aliyuncs.com/acs/pause:3.9"
        #expect(harness.verdict(system, namespace: "kube-system").admitted)
        #expect(harness.verdict(system, namespace: "kube-system").reason == .allowlisted)
        let denied = harness.verdict(system, namespace: "default")
        #expect(!denied.admitted)
        #expect(denied.reason == .notAttestable)
        let busybox = "docker.io/library/busybox@\(Images.digestB)"
        #expect(harness.verdict(busybox, namespace: "default").admitted)
        #expect(harness.verdict(busybox, namespace: "kube-system").admitted)
    }
}
