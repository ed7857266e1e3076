import AttestPolicy
import Foundation
import Testing

/// Hostile input: every case must end in a clean ``ConfigurationError``, never a crash, hang or blow-up.
struct HostileYAMLTests {
    private func failure(_ yaml: String) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, file: "hostile.yaml") }
    }

    @Test("A billion-laughs alias bomb is refused before Yams composes it")
    func aliasBombInValues() throws {
        var yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        let error = try failure(yaml)
        #expect(error.code == .tooManyAliases)
        #expect(error.line == 3)
    }

    @Test("An alias bomb used as mapping keys (exponential hashing in Yams) is refused")
    func aliasBombInKeys() throws {
        var yaml = "x: &a [1, 2]\n"
        for level in 1...40 {
            yaml +=
                "y\(level): &a\(level) [*\(level == 1 ? "a" : "a\(level - 1)"), *\(level == 1 ? "a" : "a\(level - 1)")]\n"
        }
        yaml += "? *a40\n: boom\n"
        #expect(try failure(yaml).code == .tooManyAliases)
    }

    @Test("A few aliases within the limit compose and fail on the schema, not on size")
    func fewAliases() throws {
        let yaml = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AdmissionAllowlist
            metadata: {name: &n w}
            spec:
              patterns:
              - {namePattern: *n}
              - &p {namePattern: "x/*"}
              - *p
            """
        let configuration = try Configuration.parse(yaml: yaml, file: "ok.yaml")
        #expect(configuration.admissionAllowlist.map(\.namePattern.pattern) == ["w", "x/*", "x/*"])
        #expect(try failure("a: *undefined\n").code == .yamlSyntax)
    }

    @Test("Deep nesting is refused by libyaml's nesting limit or the schema, without a stack overflow")
    func deepNesting() throws {
        let depth = 5_000
        let flow = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try failure("apiVersion: v1\nkind: List\nitems: \(flow)").code == .yamlSyntax)
        let mappings = String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(try failure("status: \(mappings)").code == .yamlSyntax)
        let shallow = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let error = try failure("apiVersion: v1\nkind: List\nitems: \(shallow)")
        #expect(error.code == .wrongType)
        #expect(error.item == 1)
    }

    @Test("A file over 16 MiB is refused without parsing")
    func hugeText() throws {
        let yaml = "# " + String(repeating: "x", count: Configuration.maximumFileSize)
        let error = try failure(yaml)
        #expect(error.code == .fileTooLarge)
        #expect(error.description.hasPrefix("hostile.yaml: "))
    }

    @Test("A huge file on disk is refused after reading at most the limit")
    func hugeFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "attestpolicy-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("huge.yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: Configuration.maximumFileSize + 10)))
        let error = try #require(throws: ConfigurationError.self) { try Configuration.load(path: path) }
        #expect(error.code == .fileTooLarge)
    }

    @Test("Binary garbage and invalid UTF-8 are refused with an offset")
    func binaryGarbage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "attestpolicy-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("garbage.yaml").path
        var bytes = Array("kind: List\n".utf8)
        bytes += [0xff, 0xfe, 0x00, 0x80, 0xc3]
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let error = try #require(throws: ConfigurationError.self) { try Configuration.load(path: path) }
        #expect(error.code == .notUTF8)
        #expect(error.reason == "not valid UTF-8 at byte offset 11")

        // Valid UTF-8 but control characters: libyaml refuses them.
        let control = try failure("kind: \u{1}\u{2}\u{0}List\n")
        #expect(control.code == .yamlSyntax)
        // Pseudo-random bytes decoded leniently: whatever happens, a ConfigurationError comes back.
        var generator = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let noise = (0..<512).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let text = String(decoding: noise, as: UTF8.self)
            #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: text, file: "noise.yaml") }
        }
    }

    @Test("Tabs used for indentation are a YAML error with a line")
    func tabs() throws {
        let yaml = "apiVersion: v1\nkind: List\nitems:\n\t- a\n"
        let error = try failure(yaml)
        #expect(error.code == .yamlSyntax)
        #expect(error.line == 4)
    }

    @Test("Very many documents and a very long scalar stay bounded and clean")
    func manyDocuments() throws {
        let many = Array(repeating: "apiVersion: v1\nkind: List\nitems: []", count: 20_000).joined(separator: "\n---\n")
        #expect(try failure(many).code == .emptyFile)
        let long =
            "apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: a}\nspec:\n  publicKeyData: "
            + String(repeating: "QUFB", count: 500_000)
        #expect(try failure(long).code == .invalidKey)
    }
}

/// A tiny deterministic generator for the noise test.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
