import AttestCore
import AttestCrypto
import AttestPolicy
import Foundation
import Testing

struct ConfigurationLoadingTests {
    @Test("v0.2.2/Alibaba layout: base64 PEM, default algorithms PSS then PKCS#1 for an RSA key")
    func legacyLayout() throws {
        let yaml = TestKeys.file(
            TestKeys.legacyAuthority(name: "ack-attestor", key: TestKeys.rsa, extraSpec: "  publicKeyId: kms-key-1"),
            TestKeys.policy(name: "require-ack", attestors: ["ack-attestor"])
        )
        let configuration = try Configuration.parse(yaml: yaml, file: "config.yaml")
        let attestor = try #require(configuration.attestor(named: "ack-attestor"))
        #expect(attestor.keys.count == 1)
        #expect(attestor.keys[0].id == "kms-key-1")
        #expect(attestor.keys[0].algorithms == [.rsaPSSSHA256, .rsaPKCS1SHA256])
        #expect(attestor.keys[0].publicKey == TestKeys.rsa.publicKey)
        #expect(attestor.acceptedTypes == SimpleSigningPayload.defaultAcceptedTypes)
        #expect(attestor.noteReference == "namespaces/ack-attestor")
        let policies = configuration.policies(in: "default")
        #expect(policies.map(\.name) == ["require-ack"])
        #expect(policies[0].mode == .all)
        #expect(configuration.policies(in: "other").isEmpty)
    }

    @Test(
        "v0.2.2 layout: spec.signatureAlgorithm (one name, an alias, or a list) overrides the default",
        arguments: [
            ("  signatureAlgorithm: RSA_PKCS1_SHA_256", [SignatureAlgorithm.rsaPKCS1SHA256]),
            ("  signatureAlgorithm: rsa-sign-pss-2048-sha256", [.rsaPSSSHA256]),
            ("  signatureAlgorithm: [rsa-pkcs1-sha512, rsa-pss-sha512]", [.rsaPKCS1SHA512, .rsaPSSSHA512]),
        ]
    )
    func legacyAlgorithm(extra: String, expected: [SignatureAlgorithm]) throws {
        let yaml = TestKeys.legacyAuthority(name: "a", key: TestKeys.rsa, extraSpec: extra)
        let configuration = try Configuration.parse(yaml: yaml, file: "c.yaml")
        #expect(configuration.attestor(named: "a")?.keys[0].algorithms == expected)
    }

    @Test("v0.2.2 layout with an EC key defaults to the curve's ECDSA algorithm and the kritis key id")
    func legacyECKey() throws {
        let yaml = TestKeys.legacyAuthority(name: "ec", key: TestKeys.ecP384)
        let key = try #require(try Configuration.parse(yaml: yaml, file: "c.yaml").attestor(named: "ec")?.keys.first)
        #expect(key.algorithms == [.ecdsaP384SHA384])
        #expect(key.id == TestKeys.ecP384.publicKey.kritisKeyID)
    }

    @Test("HEAD layout: publicKeys[] with two PKIX keys on one attestor (rotation)")
    func headLayoutTwoKeys() throws {
        let yaml = TestKeys.file(
            TestKeys.headAuthority(
                name: "ci",
                keys: [
                    ("old", TestKeys.rsa, "RSA_SIGN_PKCS1_2048_SHA256"),
                    ("new", TestKeys.ecP256, "ECDSA_P256_SHA256"),
                ]
            ),
            TestKeys.policy(name: "p", namespace: "prod", attestors: ["ci"])
        )
        let attestor = try #require(try Configuration.parse(yaml: yaml, file: "c.yaml").attestor(named: "ci"))
        #expect(attestor.keys.map(\.id) == ["old", "new"])
        #expect(attestor.keys.map(\.algorithms) == [[.rsaPKCS1SHA256], [.ecdsaP256SHA256]])
        #expect(attestor.noteReference == "projects/demo/notes/ci")
    }

    @Test("keySetFingerprint: stable when keys are reordered, changed by rotation, algorithms or accepted types")
    func keySetFingerprint() throws {
        func fingerprint(_ keys: [(String, PrivateKey, String)], types: String = "") throws -> [UInt8] {
            var yaml = TestKeys.headAuthority(name: "a", keys: keys)
            if !types.isEmpty { yaml += "  acceptedTypes: [\(types)]\n" }
            return try #require(try Configuration.parse(yaml: yaml, file: "c.yaml").attestor(named: "a"))
                .keySetFingerprint
        }
        let base = try fingerprint([
            ("k1", TestKeys.rsa, "rsa-pss-sha256"), ("k2", TestKeys.ecP256, "ecdsa-p256-sha256"),
        ])
        #expect(base.count == 32)
        let reordered = try fingerprint([
            ("k2", TestKeys.ecP256, "ecdsa-p256-sha256"), ("k1", TestKeys.rsa, "rsa-pss-sha256"),
        ])
        #expect(reordered == base)
        let renamedIDs = try fingerprint([
            ("x", TestKeys.rsa, "rsa-pss-sha256"), ("y", TestKeys.ecP256, "ecdsa-p256-sha256"),
        ])
        #expect(renamedIDs == base)
        let rotated = try fingerprint([
            ("k1", TestKeys.rsaRotated, "rsa-pss-sha256"), ("k2", TestKeys.ecP256, "ecdsa-p256-sha256"),
        ])
        #expect(rotated != base)
        let otherAlgorithm = try fingerprint([
            ("k1", TestKeys.rsa, "rsa-pkcs1-sha256"), ("k2", TestKeys.ecP256, "ecdsa-p256-sha256"),
        ])
        #expect(otherAlgorithm != base)
        let oneKey = try fingerprint([("k1", TestKeys.rsa, "rsa-pss-sha256")])
        #expect(oneKey != base)
        let narrowTypes = try fingerprint(
            [("k1", TestKeys.rsa, "rsa-pss-sha256"), ("k2", TestKeys.ecP256, "ecdsa-p256-sha256")],
            types: "\"atomic container signature\""
        )
        #expect(narrowTypes != base)
    }

    @Test("A kubectl -o yaml export (metadata, status, managedFields) and a List load unchanged")
    func kubectlExport() throws {
        let yaml = """
            apiVersion: v1
            kind: List
            metadata:
              resourceVersion: ""
            items:
            - apiVersion: kritis.grafeas.io/v1beta1
              kind: AttestationAuthority
              metadata:
                annotations:
                  kubectl.kubernetes.io/last-applied-configuration: |
                    {"apiVersion":"kritis.grafeas.io/v1beta1","kind":"AttestationAuthority","metadata":{"annotations":{},"name":"ack-attestor"}}
                creationTimestamp: "2021-03-04T05:06:07Z"
                generation: 1
                managedFields:
                - apiVersion: kritis.grafeas.io/v1beta1
                  fieldsType: FieldsV1
                  fieldsV1:
                    f:spec:
                      .: {}
                      f:noteReference: {}
                  manager: kubectl-client-side-apply
                  operation: Update
                  time: "2021-03-04T05:06:07Z"
                name: ack-attestor
                resourceVersion: "12345"
                selfLink: /apis/kritis.grafeas.io/v1beta1/attestationauthorities/ack-attestor
                uid: 0b0e6f52-5d1c-4b7e-9a3c-2f1d2e3c4b5a
              spec:
                noteReference: namespaces/ack-attestor
                privateKeySecretName: ack-attestor-private-key
                publicKeyData: \(TestKeys.publicKeyData(TestKeys.rsa))
                publicKeyId: 7C2F1E4A
              status: {}
            - apiVersion: kritis.grafeas.io/v1beta1
              kind: GenericAttestationPolicy
              metadata:
                creationTimestamp: null
                name: default-policy
                namespace: default
                uid: 3c2b1a00-0000-4000-8000-000000000001
              spec:
                attestationAuthorityNames:
                - ack-attestor
                admissionAllowlistPatterns:
                - namePattern: registry-vpc.cn-hongkong.aliyuncs.com/acs/*
              status:
                conditions: []
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AdmissionAllowlist
            metadata:
              name: ack-system
            spec:
              patterns:
              - namePattern: registry-*.aliyuncs.com/acs/*
                namespace: kube-system
              - namePattern: docker.io/library/busybox
            """
        let configuration = try Configuration.parse(yaml: yaml, file: "export.yaml")
        #expect(configuration.attestors.keys.sorted() == ["ack-attestor"])
        #expect(configuration.attestor(named: "ack-attestor")?.keys.first?.id == "7C2F1E4A")
        #expect(
            configuration.policies(in: "default").first?.allowlistPatterns.map(\.pattern) == [
                "registry-vpc.cn-hongkong.aliyuncs.com/acs/*"
            ]
        )
        #expect(configuration.admissionAllowlist.count == 2)

        // Allowlists combine: GAP patterns of the namespace, then AdmissionAllowlist rules in scope.
        let gap = configuration.allowlistMatch(
            image: "registry-vpc.cn-hongkong.aliyuncs.com/acs/pause:3.2",
            namespace: "default"
        )
        #expect(gap?.origin == .policy("default/default-policy"))
        #expect(
            configuration.allowlistMatch(
                image: "registry-vpc.cn-hongkong.aliyuncs.com/acs/pause:3.2",
                namespace: "other"
            ) == nil
        )
        #expect(
            configuration.isAllowlisted(image: "registry-vpc.aliyuncs.com/acs/coredns:1.0", namespace: "kube-system")
                == (true, "registry-*.aliyuncs.com/acs/*")
        )
        #expect(
            configuration.isAllowlisted(image: "registry-vpc.aliyuncs.com/acs/coredns:1.0", namespace: "default")
                .allowed == false
        )
        #expect(configuration.isAllowlisted(image: "docker.io/library/busybox", namespace: "anywhere").allowed)
        #expect(configuration.isAllowlisted(image: "alpine:3.11", namespace: "default") == (false, nil))
    }

    @Test("AttestdConfig: every setting parses, defaults apply to attestors and policies")
    func settingsDocument() throws {
        let yaml = TestKeys.file(
            """
            apiVersion: attestd.io/v1alpha1
            kind: AttestdConfig
            spec:
              socket:
                path: /tmp/attestd.sock
                mode: "0600"
                allowedPeerUIDs: [0, 1000]
              store:
                path: /var/lib/attestd/test.sqlite
                cacheMaxEntries: 0
                cacheMaxBytes: 8MiB
              cache:
                maxEntries: 5000
                positiveTTL: 1h30m
                negativeTTL: 45
              workers: 2
              limits:
                maxFrameSize: 8MiB
                maxBatchItems: 100
                maxPayloadSize: 64KiB
                maxConnections: 10
                idleTimeout: 2m
                slowReaderTimeout: 500ms
              acceptedPayloadTypes: ["atomic container signature"]
              allowlistPatterns: ["gcr.io/distroless/*"]
              defaultPolicy: deny
              matchMode: any
            """,
            TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256),
            TestKeys.policy(name: "p", attestors: ["a"])
        )
        let configuration = try Configuration.parse(yaml: yaml, file: "c.yaml")
        let settings = configuration.settings
        #expect(settings.socketPath == "/tmp/attestd.sock")
        #expect(settings.socketMode == 0o600)
        #expect(settings.allowedPeerUIDs == [0, 1000])
        #expect(settings.storePath == "/var/lib/attestd/test.sqlite")
        #expect(settings.storeCacheMaxEntries == 0)
        #expect(settings.storeCacheMaxBytes == 8 << 20)
        #expect(settings.cacheMaxEntries == 5000)
        #expect(settings.positiveTTL == .seconds(5400))
        #expect(settings.negativeTTL == .seconds(45))
        #expect(settings.workerCount == 2)
        #expect(settings.limits.maxFrameSize == 8 << 20)
        #expect(settings.limits.maxBatchItems == 100)
        #expect(settings.limits.maxPayloadSize == 64 << 10)
        #expect(settings.limits.maxConnections == 10)
        #expect(settings.limits.idleTimeout == .seconds(120))
        #expect(settings.limits.slowReaderTimeout == .milliseconds(500))
        #expect(settings.defaultPolicy == .deny)
        #expect(settings.defaultMatchMode == .any)
        #expect(configuration.attestor(named: "a")?.acceptedTypes == ["atomic container signature"])
        #expect(configuration.policies(in: "default").first?.mode == .any)
        #expect(
            configuration.isAllowlisted(image: "gcr.io/distroless/static", namespace: "x") == (
                true, "gcr.io/distroless/*"
            )
        )
        let summary = configuration.summary
        #expect(summary.contains("1 attestor(s), 1 policy"))
        #expect(summary.contains("default/p: mode any, attestors: a"))
        #expect(summary.contains("ecdsa-p256-sha256"))
        #expect(summary.contains(TestKeys.ecP256.publicKey.fingerprintHex))
        #expect(summary.contains("namespaces without a policy: deny"))
        #expect(summary.contains("positive TTL 1h30m"))
    }

    @Test("Without AttestdConfig the defaults hold: admit, all, 0660, 256 KiB payloads")
    func defaults() throws {
        let configuration = try Configuration.parse(
            yaml: TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256),
            file: "c.yaml"
        )
        #expect(configuration.settings.defaultPolicy == .admit)
        #expect(configuration.settings.defaultMatchMode == .all)
        #expect(configuration.settings.socketMode == 0o660)
        #expect(configuration.settings.limits.maxPayloadSize == 256 * 1024)
        #expect(configuration.settings.workerCount == 0)
    }

    @Test(
        "Policy modes: mode any/all, threshold with or without mode: threshold",
        arguments: [
            ("  mode: any", PolicyMode.any),
            ("  mode: all", .all),
            ("  threshold: 2", .threshold(2)),
            ("  mode: threshold\n  threshold: 3", .threshold(3)),
        ]
    )
    func policyModes(extra: String, expected: PolicyMode) throws {
        let yaml = TestKeys.file(
            TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256),
            TestKeys.legacyAuthority(name: "b", key: TestKeys.ecP384),
            TestKeys.legacyAuthority(name: "c", key: TestKeys.rsa),
            TestKeys.policy(name: "p", attestors: ["a", "b", "c"], extraSpec: extra)
        )
        #expect(try Configuration.parse(yaml: yaml, file: "c.yaml").policies(in: "default").first?.mode == expected)
    }

    @Test("A policy without attestors loads and then denies, and a GAP without namespace governs default")
    func emptyPolicy() throws {
        let yaml = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: lockdown
            spec: {}
            """
        let configuration = try Configuration.parse(yaml: yaml, file: "c.yaml")
        let policy = try #require(configuration.policies(in: "default").first)
        #expect(policy.attestorNames.isEmpty)
        #expect(!policy.isSatisfied(by: []))
        #expect(configuration.summary.contains("default/lockdown"))
    }

    @Test("load(path:) reads a file and names it; a missing file is a clean error")
    func loadFromDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "attestpolicy-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.yaml").path
        try TestKeys.legacyAuthority(name: "a", key: TestKeys.ecP256).write(
            toFile: path,
            atomically: true,
            encoding: .utf8
        )
        let configuration = try Configuration.load(path: path)
        #expect(configuration.sourceFile == path)
        #expect(configuration.attestors.count == 1)
        let missing = directory.appendingPathComponent("nope.yaml").path
        let error = try #require(throws: ConfigurationError.self) { try Configuration.load(path: missing) }
        #expect(error.code == .unreadableFile)
        #expect(error.description.hasPrefix("\(missing): cannot open"))
    }

    @Test("examples/attestd.yaml loads and documents the real defaults")
    func examplesLoad() throws {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        let configuration = try Configuration.load(path: root.appendingPathComponent("examples/attestd.yaml").path)
        #expect(configuration.attestors.keys.sorted() == ["ack-attestor", "ci-attestor"])
        #expect(configuration.attestor(named: "ci-attestor")?.keys.count == 2)
        #expect(configuration.policies(in: "production").first?.mode == .threshold(2))
        #expect(configuration.admissionAllowlist.count == 2)
        // The example documents the defaults: apart from its allowlist, it must equal AttestdSettings().
        var expected = AttestdSettings()
        expected.allowlistPatterns = [
            try #require(
                AllowlistPattern("registry-vpc.cn-hongkong.aliyuncs.com/acs/*", syntax: .genericAttestationPolicy)
            )
        ]
        #expect(configuration.settings == expected)
    }
}
