import Testing

@testable import AttestCore

struct ImageReferenceTests {
    static let hex = String(repeating: "ab", count: 32)
    static let digest = "sha256:" + hex

    struct Expected: Sendable, CustomStringConvertible {
        var text: String
        var registry: String
        var path: String
        var tag: String?
        var hasDigest: Bool
        var description: String { text }
    }

    @Test(
        arguments: [
            Expected(text: "alpine", registry: "docker.io", path: "library/alpine", tag: nil, hasDigest: false),
            Expected(text: "alpine:3.11", registry: "docker.io", path: "library/alpine", tag: "3.11", hasDigest: false),
            Expected(
                text: "docker.io/library/alpine@\(digest)",
                registry: "docker.io",
                path: "library/alpine",
                tag: nil,
                hasDigest: true
            ),
            Expected(
                text: "index.docker.io/library/alpine:3.11@\(digest)",
                registry: "docker.io",
                path: "library/alpine",
                tag: "3.11",
                hasDigest: true
            ),
            Expected(
                text: "registry-1.docker.io/alpine",
                registry: "docker.io",
                path: "library/alpine",
                tag: nil,
                hasDigest: false
            ),
            Expected(text: "bitnami/redis:7", registry: "docker.io", path: "bitnami/redis", tag: "7", hasDigest: false),
            Expected(
                text: "localhost:5000/a/b@\(digest)",
                registry: "localhost:5000",
                path: "a/b",
                tag: nil,
                hasDigest: true
            ),
            Expected(text: "localhost/app", registry: "localhost", path: "app", tag: nil, hasDigest: false),
            Expected(
                text: "Registry.Example.COM:443/team/app:v1.2.3-rc_1",
                registry: "registry.example.com:443",
                path: "team/app",
                tag: "v1.2.3-rc_1",
                hasDigest: false
            ),
            Expected(
                text: "registry.cn-hangzhou.aliyuncs.com/ns/a.b_c__d---e@\(digest)",
                registry: "registry.cn-hangzhou.aliyuncs.com",
                path: "ns/a.b_c__d---e",
                tag: nil,
                hasDigest: true
            ),
            Expected(
                text: "[::1]:5000/app:latest",
                registry: "[::1]:5000",
                path: "app",
                tag: "latest",
                hasDigest: false
            ),
            Expected(text: "10.0.0.1:5000/x/y/z", registry: "10.0.0.1:5000", path: "x/y/z", tag: nil, hasDigest: false),
            Expected(
                text: "localhost:5000",
                registry: "docker.io",
                path: "library/localhost",
                tag: "5000",
                hasDigest: false
            ),
            Expected(
                text: "index.docker.io:443/foo",
                registry: "index.docker.io:443",
                path: "foo",
                tag: nil,
                hasDigest: false
            ),
            Expected(
                text: "a/" + String(repeating: "b", count: 200) + ":" + String(repeating: "t", count: 128),
                registry: "docker.io",
                path: "a/" + String(repeating: "b", count: 200),
                tag: String(repeating: "t", count: 128),
                hasDigest: false
            ),
        ]
    )
    func parsesValidReferences(expected: Expected) throws {
        let reference = try ImageReference(parsing: expected.text)
        #expect(reference.registry == expected.registry)
        #expect(reference.path == expected.path)
        #expect(reference.tag == expected.tag)
        #expect(reference.isAttestable == expected.hasDigest)
        #expect(reference.digest?.description == (expected.hasDigest ? Self.digest : nil))
        #expect(reference.identity == expected.registry + "/" + expected.path)
        #expect(reference.original == expected.text)
        #expect(reference.description == expected.text)
        // The canonical spelling parses back to an equal reference.
        #expect(try ImageReference(parsing: reference.canonical) == reference)
    }

    @Test func dockerHubSpellingsShareOneIdentity() throws {
        let spellings = [
            "alpine", "alpine:3.11", "library/alpine", "docker.io/alpine", "docker.io/library/alpine",
            "index.docker.io/library/alpine:edge", "registry-1.docker.io/library/alpine@\(Self.digest)",
        ]
        let references = try spellings.map { try ImageReference(parsing: $0) }
        for reference in references {
            #expect(reference.identity == "docker.io/library/alpine")
            #expect(reference.sameRepository(as: references[0]))
        }
        let other = try ImageReference(parsing: "ghcr.io/library/alpine")
        #expect(!other.sameRepository(as: references[0]))
        #expect(try ImageReference(parsing: "alpine") == ImageReference(parsing: "docker.io/library/alpine"))
        #expect(try ImageReference(parsing: "alpine:1") != ImageReference(parsing: "alpine:2"))
    }

    @Test(
        arguments: [
            ("", ImageReferenceError.Code.empty, "empty"),
            (String(repeating: "a", count: 4097), .tooLong, "4097 bytes"),
            ("a/" + String(repeating: "b", count: 300), .tooLong, "302-byte name"),
            ("alpine 3", .invalidCharacter, "a space at offset 6"),
            ("alpine\n", .invalidCharacter, "control character (0x0A) at offset 6"),
            ("alp\u{7F}ine", .invalidCharacter, "0x7F"),
            ("alpïne", .invalidCharacter, "non-ASCII character at offset 3"),
            ("a//b", .emptyComponent, "contains '//'"),
            ("a/b/", .emptyComponent, "ends with '/'"),
            ("/a/b", .emptyComponent, "starts with '/'"),
            ("example.com/", .emptyComponent, "ends with '/'"),
            (":tag", .emptyComponent, "no repository name"),
            ("@\(digest)", .emptyComponent, "no repository name"),
            ("Alpine", .uppercasePath, "upper-case 'A' in path component \"Alpine\""),
            ("example.com/Team/app", .uppercasePath, "\"Team\""),
            ("example.com/team/-app", .invalidPathComponent, "starts with '-'"),
            ("example.com/team/app-", .invalidPathComponent, "ends with a separator"),
            ("example.com/team/a..b", .invalidPathComponent, "'.' followed by '.'"),
            ("example.com/team/a___b", .invalidPathComponent, "'_' followed by '_'"),
            ("example.com/team/a._b", .invalidPathComponent, "'.' followed by '_'"),
            ("example.com/team/a+b", .invalidPathComponent, "'+'"),
            ("a/b:tag:x", .invalidPathComponent, "':'"),
            ("alpine:", .invalidTag, "empty tag"),
            ("alpine:.x", .invalidTag, "starting with '.'"),
            ("alpine:-x", .invalidTag, "starting with '-'"),
            ("alpine:a+b", .invalidTag, "'+'"),
            ("alpine:" + String(repeating: "t", count: 129), .invalidTag, "129-character"),
            ("alpine@", .invalidDigest, "names no digest"),
            ("alpine@sha256:" + String(repeating: "A", count: 64), .invalidDigest, "upper-case hex"),
            ("alpine@sha256:abc", .invalidDigest, "3 hex digits"),
            ("alpine@sha256:\(hex)@sha256:\(hex)", .invalidDigest, "'@'"),
            ("alpine@sha512:" + String(repeating: "a", count: 128), .unsupportedDigestAlgorithm, "sha512"),
            ("alpine@" + hex, .invalidDigest, "no algorithm prefix"),
            ("exa_mple.com/app", .invalidRegistry, "bad host label \"exa_mple\""),
            ("-example.com/app", .invalidRegistry, "bad host label \"-example\""),
            ("example..com/app", .invalidRegistry, "bad host label \"\""),
            ("example.com:/app", .invalidRegistry, "bad port"),
            ("example.com:99999/app", .invalidRegistry, "bad port"),
            ("example.com:0/app", .invalidRegistry, "bad port"),
            ("example.com:8a/app", .invalidRegistry, "bad port"),
            (":5000/app", .invalidRegistry, "empty host"),
            ("[::1/app", .invalidRegistry, "unclosed '['"),
            ("[zz]:5000/app", .invalidRegistry, "not an IPv6 address"),
            ("[::1]x/app", .invalidRegistry, "after the IPv6 address"),
        ]
    )
    func refusesMalformedReferences(text: String, code: ImageReferenceError.Code, fragment: String) {
        #expect {
            try ImageReference(parsing: text)
        } throws: { error in
            guard let error = error as? ImageReferenceError else { return false }
            if error.code != code || !error.reason.contains(fragment) {
                Issue.record("got [\(error.code)] \(error.reason)")
                return false
            }
            return true
        }
    }

    @Test func errorMessagesQuoteHostileTextBoundedly() {
        let hostile = String(repeating: "A", count: 4000)
        #expect {
            try ImageReference(parsing: hostile)
        } throws: { error in
            let reason = (error as? ImageReferenceError)?.reason ?? ""
            return reason.count < 400 && reason.contains("…")
        }
    }

    @Test func binaryGarbageNeverCrashes() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 80)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next() % 128) }
            let text = String(decoding: bytes, as: UTF8.self)
            if let reference = try? ImageReference(parsing: text) {
                #expect(reference.identity.utf8.count <= 255 + "docker.io/library/".utf8.count)
            }
        }
    }
}
