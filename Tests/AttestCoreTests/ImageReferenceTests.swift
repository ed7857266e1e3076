import Testing

@testable import AttestCore

struct ImageReferenceTests {
    static let hex = String(repeating: "ab", count: 32)
    static let digest = "sha256:" + hex

    /// An accepted reference and every part it must yield, as the parser produced them when this table was
    /// written: any change here is a change of behaviour.
    struct Accepted: Sendable, CustomTestStringConvertible {
        var text: String
        var registry: String
        var path: String
        var tag: String?
        var digest: String?

        init(_ text: String, _ registry: String, _ path: String, tag: String?, digest: String?) {
            self.text = text
            self.registry = registry
            self.path = path
            self.tag = tag
            self.digest = digest
        }

        var testDescription: String { TextQuoting.quoted(text, limit: 80) }
    }

    /// A refused reference with its code and the exact message, captured from the parser when this table was
    /// written: callers log and return these sentences, so their text is behaviour too.
    struct Refused: Sendable, CustomTestStringConvertible {
        var text: String
        var code: ImageReferenceError.Code
        var message: String

        init(_ text: String, _ code: ImageReferenceError.Code, _ message: String) {
            self.text = text
            self.code = code
            self.message = message
        }

        var testDescription: String { TextQuoting.quoted(text, limit: 80) }
    }

    static let hex2 = "4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"

    static let accepted: [Accepted] = [
        Accepted("alpine", "docker.io", "library/alpine", tag: nil, digest: nil),
        Accepted("alpine:3.11", "docker.io", "library/alpine", tag: "3.11", digest: nil),
        Accepted("docker.io/library/alpine@" + digest, "docker.io", "library/alpine", tag: nil, digest: digest),
        Accepted(
            "index.docker.io/library/alpine:3.11@" + digest,
            "docker.io",
            "library/alpine",
            tag: "3.11",
            digest: digest
        ),
        Accepted("registry-1.docker.io/alpine", "docker.io", "library/alpine", tag: nil, digest: nil),
        Accepted("bitnami/redis:7", "docker.io", "bitnami/redis", tag: "7", digest: nil),
        Accepted("localhost:5000/a/b@" + digest, "localhost:5000", "a/b", tag: nil, digest: digest),
        Accepted("localhost/app", "localhost", "app", tag: nil, digest: nil),
        Accepted(
            "Registry.Example.COM:443/team/app:v1.2.3-rc_1",
            "registry.example.com:443",
            "team/app",
            tag: "v1.2.3-rc_1",
            digest: nil
        ),
        Accepted(
            "registry.cn-hangzhou.aliyuncs.com/ns/a.b_c__d---e@" + digest,
            "registry.cn-hangzhou.aliyuncs.com",
            "ns/a.b_c__d---e",
            tag: nil,
            digest: digest
        ),
        Accepted("[::1]:5000/app:latest", "[::1]:5000", "app", tag: "latest", digest: nil),
        Accepted("10.0.0.1:5000/x/y/z", "10.0.0.1:5000", "x/y/z", tag: nil, digest: nil),
        Accepted("localhost:5000", "docker.io", "library/localhost", tag: "5000", digest: nil),
        Accepted("index.docker.io:443/foo", "index.docker.io:443", "foo", tag: nil, digest: nil),
        Accepted(
            "registry.example.com/bench/app@sha256:" + Self.hex2,
            "registry.example.com",
            "bench/app",
            tag: nil,
            digest: "sha256:" + Self.hex2
        ),
        Accepted("docker.io/library/alpine:3.11", "docker.io", "library/alpine", tag: "3.11", digest: nil),
        Accepted(
            "Registry.Example.COM:443/team/app:v1.2.3-rc_1@sha256:" + Self.hex2,
            "registry.example.com:443",
            "team/app",
            tag: "v1.2.3-rc_1",
            digest: "sha256:" + Self.hex2
        ),
        Accepted(
            "a/" + String(repeating: "b", count: 200) + ":" + String(repeating: "t", count: 128),
            "docker.io",
            "a/" + String(repeating: "b", count: 200),
            tag: String(repeating: "t", count: 128),
            digest: nil
        ),
        Accepted(
            String(repeating: "a", count: 255),
            "docker.io",
            "library/" + String(repeating: "a", count: 255),
            tag: nil,
            digest: nil
        ),
        Accepted(
            String(repeating: "a", count: 255) + ":t@" + digest,
            "docker.io",
            "library/" + String(repeating: "a", count: 255),
            tag: "t",
            digest: digest
        ),
        Accepted(
            "a/" + String(repeating: "b", count: 253),
            "docker.io",
            "a/" + String(repeating: "b", count: 253),
            tag: nil,
            digest: nil
        ),
        Accepted(
            "example.com/" + String(repeating: "a", count: 243),
            "example.com",
            String(repeating: "a", count: 243),
            tag: nil,
            digest: nil
        ),
        Accepted(
            "a" + String(repeating: "/b", count: 127),
            "docker.io",
            "a" + String(repeating: "/b", count: 127),
            tag: nil,
            digest: nil
        ),
        Accepted("a__b", "docker.io", "library/a__b", tag: nil, digest: nil),
        Accepted("a--b", "docker.io", "library/a--b", tag: nil, digest: nil),
        Accepted("a---b", "docker.io", "library/a---b", tag: nil, digest: nil),
        Accepted("0", "docker.io", "library/0", tag: nil, digest: nil),
        Accepted("0/0", "docker.io", "0/0", tag: nil, digest: nil),
        Accepted("0:0", "docker.io", "library/0", tag: "0", digest: nil),
        Accepted("0.0/0", "0.0", "0", tag: nil, digest: nil),
        Accepted("a/b/c/d/e/f/g/h", "docker.io", "a/b/c/d/e/f/g/h", tag: nil, digest: nil),
        Accepted("host:5000/a:b", "host:5000", "a", tag: "b", digest: nil),
        Accepted("alpine:_x", "docker.io", "library/alpine", tag: "_x", digest: nil),
        Accepted(
            "alpine:" + String(repeating: "t", count: 128),
            "docker.io",
            "library/alpine",
            tag: String(repeating: "t", count: 128),
            digest: nil
        ),
        Accepted("a:b@" + digest, "docker.io", "library/a", tag: "b", digest: digest),
        Accepted("ex-ample.com/app", "ex-ample.com", "app", tag: nil, digest: nil),
        Accepted("a.b.c.d.e/f", "a.b.c.d.e", "f", tag: nil, digest: nil),
        Accepted("1.2.3.4/app", "1.2.3.4", "app", tag: nil, digest: nil),
        Accepted("example.com", "docker.io", "library/example.com", tag: nil, digest: nil),
        Accepted("example.com:5000", "docker.io", "library/example.com", tag: "5000", digest: nil),
        Accepted("Example.com/app", "example.com", "app", tag: nil, digest: nil),
        Accepted("localhost", "docker.io", "library/localhost", tag: nil, digest: nil),
        Accepted("INDEX.DOCKER.IO/alpine", "docker.io", "library/alpine", tag: nil, digest: nil),
        Accepted("index.docker.io/alpine", "docker.io", "library/alpine", tag: nil, digest: nil),
        Accepted("index.docker.io/a/b", "docker.io", "a/b", tag: nil, digest: nil),
        Accepted("registry-1.docker.io:443/a", "registry-1.docker.io:443", "a", tag: nil, digest: nil),
        Accepted("docker.io/alpine", "docker.io", "library/alpine", tag: nil, digest: nil),
        Accepted("docker.io/a/b/c", "docker.io", "a/b/c", tag: nil, digest: nil),
        Accepted("docker.io:443/alpine", "docker.io:443", "alpine", tag: nil, digest: nil),
        Accepted("example.com:1/app", "example.com:1", "app", tag: nil, digest: nil),
        Accepted("example.com:65535/app", "example.com:65535", "app", tag: nil, digest: nil),
        Accepted("example.com:00001/app", "example.com:00001", "app", tag: nil, digest: nil),
        Accepted("x:1/app", "x:1", "app", tag: nil, digest: nil),
        Accepted("[::1]/app", "[::1]", "app", tag: nil, digest: nil),
        Accepted("[::1]:65535/app", "[::1]:65535", "app", tag: nil, digest: nil),
        Accepted("[:]/app", "[:]", "app", tag: nil, digest: nil),
        Accepted("[::ffff:1.2.3.4]/app", "[::ffff:1.2.3.4]", "app", tag: nil, digest: nil),
        Accepted("[FE80::ABCD]:5000/app", "[fe80::abcd]:5000", "app", tag: nil, digest: nil),
    ]

    static let refused: [Refused] = [
        Refused("", .empty, "image reference is empty"),
        Refused(
            String(repeating: "a", count: 4096),
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" has a 4096-byte name; the limit is 255"
        ),
        Refused(
            String(repeating: "a", count: 4097),
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" is 4097 bytes long; the limit is 4096"
        ),
        Refused(
            String(repeating: "a", count: 4096 - 71) + "@" + digest,
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" is 4097 bytes long; the limit is 4096"
        ),
        Refused(
            String(repeating: "a", count: 4097 - 71) + "@" + digest,
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" is 4098 bytes long; the limit is 4096"
        ),
        Refused(
            String(repeating: "a", count: 256),
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" has a 256-byte name; the limit is 255"
        ),
        Refused(
            String(repeating: "a", count: 256) + ":t@" + digest,
            .tooLong,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" has a 256-byte name; the limit is 255"
        ),
        Refused(
            "a/" + String(repeating: "b", count: 254),
            .tooLong,
            "image reference \"a/" + String(repeating: "b", count: 94) + "…\" has a 256-byte name; the limit is 255"
        ),
        Refused(
            "a/" + String(repeating: "b", count: 300),
            .tooLong,
            "image reference \"a/" + String(repeating: "b", count: 94) + "…\" has a 302-byte name; the limit is 255"
        ),
        Refused(
            "example.com/" + String(repeating: "a", count: 244),
            .tooLong,
            "image reference \"example.com/" + String(repeating: "a", count: 84)
                + "…\" has a 256-byte name; the limit is 255"
        ),
        Refused(
            "a" + String(repeating: "/b", count: 128),
            .tooLong,
            "image reference \"a" + String(repeating: "/b", count: 47) + "/…\" has a 257-byte name; the limit is 255"
        ),
        Refused(
            String(repeating: "a", count: 4000) + "@",
            .invalidDigest,
            "image reference \"" + String(repeating: "a", count: 96) + "…\" ends with '@' but names no digest"
        ),
        Refused(
            String(repeating: "A", count: 4000),
            .tooLong,
            "image reference \"" + String(repeating: "A", count: 96) + "…\" has a 4000-byte name; the limit is 255"
        ),
        Refused(
            String(repeating: "/", count: 10),
            .emptyComponent,
            "image reference \"//////////\" has an empty path component: the name starts with '/'"
        ),
        Refused(
            "a" + String(repeating: "é", count: 2048),
            .tooLong,
            "image reference \"a" + String(repeating: "é", count: 95) + "…\" is 4097 bytes long; the limit is 4096"
        ),
        Refused("alpine 3", .invalidCharacter, "image reference \"alpine 3\" contains a space at offset 6"),
        Refused(" alpine", .invalidCharacter, "image reference \" alpine\" contains a space at offset 0"),
        Refused(
            "alpine\n",
            .invalidCharacter,
            "image reference \"alpine\\n\" contains a control character (0x0A) at offset 6"
        ),
        Refused(
            "alp\u{7F}ine",
            .invalidCharacter,
            "image reference \"alp\\u{7f}ine\" contains a control character (0x7F) at offset 3"
        ),
        Refused("alpïne", .invalidCharacter, "image reference \"alpïne\" contains a non-ASCII character at offset 3"),
        Refused(
            "\u{0}",
            .invalidCharacter,
            "image reference \"\\u{0}\" contains a control character (0x00) at offset 0"
        ),
        Refused("\t", .invalidCharacter, "image reference \"\\t\" contains a control character (0x09) at offset 0"),
        Refused(
            "a\u{1}b",
            .invalidCharacter,
            "image reference \"a\\u{1}b\" contains a control character (0x01) at offset 1"
        ),
        Refused(
            "a\u{1F}b",
            .invalidCharacter,
            "image reference \"a\\u{1f}b\" contains a control character (0x1F) at offset 1"
        ),
        Refused(
            "a\u{80}b",
            .invalidCharacter,
            "image reference \"a\\u{80}b\" contains a non-ASCII character at offset 1"
        ),
        Refused("日本/app", .invalidCharacter, "image reference \"日本/app\" contains a non-ASCII character at offset 0"),
        Refused("app:日本", .invalidCharacter, "image reference \"app:日本\" contains a non-ASCII character at offset 4"),
        Refused(
            "app@sha256:日本",
            .invalidCharacter,
            "image reference \"app@sha256:日本\" contains a non-ASCII character at offset 11"
        ),
        Refused("é", .invalidCharacter, "image reference \"é\" contains a non-ASCII character at offset 0"),
        Refused(
            "registry.example.com/bench/app@sha256:" + Self.hex2 + "\n",
            .invalidCharacter,
            "image reference \"registry.example.com/bench/app@sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39…\" contains a control character (0x0A) at offset 102"
        ),
        Refused(
            "a\"b",
            .invalidPathComponent,
            "image reference \"a\\\"b\" has '\"' in path component \"a\\\"b\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused(
            "a\\b",
            .invalidPathComponent,
            "image reference \"a\\\\b\" has '\\' in path component \"a\\\\b\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused(
            "a'b",
            .invalidPathComponent,
            "image reference \"a'b\" has ''' in path component \"a'b\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused("alpine:\"", .invalidTag, "image reference \"alpine:\\\"\" has tag \"\\\"\" starting with '\"'"),
        Refused(
            "alpine:t\\",
            .invalidTag,
            "image reference \"alpine:t\\\\\" has tag \"t\\\\\" containing '\\'; tags use letters, digits, '_', '.' and '-'"
        ),
        Refused(
            "[\"]/a",
            .invalidPathComponent,
            "image reference \"[\\\"]/a\" has path component \"[\\\"]\" that starts with '['"
        ),
        Refused(
            "ex\"ample.com/app",
            .invalidRegistry,
            "image reference \"ex\\\"ample.com/app\" has registry \"ex\\\"ample.com\" with bad host label \"ex\\\"ample\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "a//b",
            .emptyComponent,
            "image reference \"a//b\" has an empty path component: the name contains '//'"
        ),
        Refused(
            "a/b/",
            .emptyComponent,
            "image reference \"a/b/\" has an empty path component: the name ends with '/'"
        ),
        Refused(
            "/a/b",
            .emptyComponent,
            "image reference \"/a/b\" has an empty path component: the name starts with '/'"
        ),
        Refused("/", .emptyComponent, "image reference \"/\" has an empty path component: the name starts with '/'"),
        Refused(
            "example.com/",
            .emptyComponent,
            "image reference \"example.com/\" has an empty path component: the name ends with '/'"
        ),
        Refused(":tag", .emptyComponent, "image reference \":tag\" has no repository name"),
        Refused("@" + digest, .emptyComponent, "image reference \"@" + digest + "\" has no repository name"),
        Refused(
            "/:t",
            .emptyComponent,
            "image reference \"/:t\" has an empty path component: the name starts with '/'"
        ),
        Refused(
            "a/:t",
            .emptyComponent,
            "image reference \"a/:t\" has an empty path component: the name ends with '/'"
        ),
        Refused("a/b:", .invalidTag, "image reference \"a/b:\" has an empty tag after ':'"),
        Refused(":@" + digest, .invalidTag, "image reference \":@" + digest + "\" has an empty tag after ':'"),
        Refused(
            "Alpine",
            .uppercasePath,
            "image reference \"Alpine\" has upper-case 'A' in path component \"Alpine\"; repository paths are lower case"
        ),
        Refused(
            "example.com/Team/app",
            .uppercasePath,
            "image reference \"example.com/Team/app\" has upper-case 'T' in path component \"Team\"; repository paths are lower case"
        ),
        Refused(
            "[::1]:5000/a/B",
            .uppercasePath,
            "image reference \"[::1]:5000/a/B\" has upper-case 'B' in path component \"B\"; repository paths are lower case"
        ),
        Refused(
            "example.com/a/B:t@" + digest,
            .uppercasePath,
            "image reference \"example.com/a/B:t@" + digest
                + "\" has upper-case 'B' in path component \"B\"; repository paths are lower case"
        ),
        Refused(
            "example.com/team/-app",
            .invalidPathComponent,
            "image reference \"example.com/team/-app\" has path component \"-app\" that starts with '-'"
        ),
        Refused(
            "example.com/team/app-",
            .invalidPathComponent,
            "image reference \"example.com/team/app-\" has path component \"app-\" that ends with a separator"
        ),
        Refused(
            "example.com/team/a..b",
            .invalidPathComponent,
            "image reference \"example.com/team/a..b\" has path component \"a..b\" that has the separator sequence starting at '.' followed by '.'"
        ),
        Refused(
            "example.com/team/a___b",
            .invalidPathComponent,
            "image reference \"example.com/team/a___b\" has path component \"a___b\" that has the separator sequence starting at '_' followed by '_'"
        ),
        Refused(
            "example.com/team/a._b",
            .invalidPathComponent,
            "image reference \"example.com/team/a._b\" has path component \"a._b\" that has the separator sequence starting at '.' followed by '_'"
        ),
        Refused(
            "example.com/team/a+b",
            .invalidPathComponent,
            "image reference \"example.com/team/a+b\" has '+' in path component \"a+b\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused(
            "a-_b",
            .invalidPathComponent,
            "image reference \"a-_b\" has path component \"a-_b\" that has the separator sequence starting at '-' followed by '_'"
        ),
        Refused(
            "a__",
            .invalidPathComponent,
            "image reference \"a__\" has path component \"a__\" that ends with a separator"
        ),
        Refused(
            "a--",
            .invalidPathComponent,
            "image reference \"a--\" has path component \"a--\" that ends with a separator"
        ),
        Refused(
            "a.",
            .invalidPathComponent,
            "image reference \"a.\" has path component \"a.\" that ends with a separator"
        ),
        Refused(
            "a_",
            .invalidPathComponent,
            "image reference \"a_\" has path component \"a_\" that ends with a separator"
        ),
        Refused("_a", .invalidPathComponent, "image reference \"_a\" has path component \"_a\" that starts with '_'"),
        Refused(".a", .invalidPathComponent, "image reference \".a\" has path component \".a\" that starts with '.'"),
        Refused(
            "a/b.",
            .invalidPathComponent,
            "image reference \"a/b.\" has path component \"b.\" that ends with a separator"
        ),
        Refused(
            "__/a",
            .invalidPathComponent,
            "image reference \"__/a\" has path component \"__\" that starts with '_'"
        ),
        Refused(
            "--/a",
            .invalidPathComponent,
            "image reference \"--/a\" has path component \"--\" that starts with '-'"
        ),
        Refused(
            "a/__",
            .invalidPathComponent,
            "image reference \"a/__\" has path component \"__\" that starts with '_'"
        ),
        Refused(
            "a/--",
            .invalidPathComponent,
            "image reference \"a/--\" has path component \"--\" that starts with '-'"
        ),
        Refused(
            "a/_b",
            .invalidPathComponent,
            "image reference \"a/_b\" has path component \"_b\" that starts with '_'"
        ),
        Refused(
            "a/b_",
            .invalidPathComponent,
            "image reference \"a/b_\" has path component \"b_\" that ends with a separator"
        ),
        Refused(
            "a/b:tag:x",
            .invalidPathComponent,
            "image reference \"a/b:tag:x\" has ':' in path component \"b:tag\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused(
            "a:b:c",
            .invalidPathComponent,
            "image reference \"a:b:c\" has ':' in path component \"a:b\"; path components use a-z, 0-9 and the separators '.', '_', '__', '-'"
        ),
        Refused(
            "a:b/c",
            .invalidRegistry,
            "image reference \"a:b/c\" has registry \"a:b\" with a bad port; expected 1–65535"
        ),
        Refused(
            "host:5000:6000/a",
            .invalidRegistry,
            "image reference \"host:5000:6000/a\" has registry \"host:5000:6000\" with a bad port; expected 1–65535"
        ),
        Refused("alpine:", .invalidTag, "image reference \"alpine:\" has an empty tag after ':'"),
        Refused("alpine:.x", .invalidTag, "image reference \"alpine:.x\" has tag \".x\" starting with '.'"),
        Refused("alpine:-x", .invalidTag, "image reference \"alpine:-x\" has tag \"-x\" starting with '-'"),
        Refused(
            "alpine:a+b",
            .invalidTag,
            "image reference \"alpine:a+b\" has tag \"a+b\" containing '+'; tags use letters, digits, '_', '.' and '-'"
        ),
        Refused(
            "alpine:" + String(repeating: "t", count: 129),
            .invalidTag,
            "image reference \"alpine:" + String(repeating: "t", count: 89)
                + "…\" has a 129-character tag; the limit is 128"
        ),
        Refused(
            "alpine:" + String(repeating: "T", count: 128) + "x",
            .invalidTag,
            "image reference \"alpine:" + String(repeating: "T", count: 89)
                + "…\" has a 129-character tag; the limit is 128"
        ),
        Refused("alpine@", .invalidDigest, "image reference \"alpine@\" ends with '@' but names no digest"),
        Refused("alpine:tag@", .invalidDigest, "image reference \"alpine:tag@\" ends with '@' but names no digest"),
        Refused(
            "alpine@@",
            .invalidDigest,
            "image reference \"alpine@@\" has a bad digest: digest \"@\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused(
            "alpine@:",
            .unsupportedDigestAlgorithm,
            "image reference \"alpine@:\" has a bad digest: digest \":\" uses algorithm \"\"; only sha256 is supported"
        ),
        Refused(
            "alpine@sha256:",
            .invalidDigest,
            "image reference \"alpine@sha256:\" has a bad digest: digest \"sha256:\" has 0 hex digits; sha256 needs exactly 64"
        ),
        Refused(
            "a@b@c",
            .invalidDigest,
            "image reference \"a@b@c\" has a bad digest: digest \"b@c\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused("a:@" + digest, .invalidTag, "image reference \"a:@" + digest + "\" has an empty tag after ':'"),
        Refused(
            "alpine@sha256:" + String(repeating: "A", count: 64),
            .invalidDigest,
            "image reference \"alpine@sha256:" + String(repeating: "A", count: 64)
                + "\" has a bad digest: digest \"sha256:" + String(repeating: "A", count: 64)
                + "\" has upper-case hex at position 1 of the hex part; digests are written in lower case"
        ),
        Refused(
            "alpine@sha256:" + hex + "A",
            .invalidDigest,
            "image reference \"alpine@" + digest + "A\" has a bad digest: digest \"" + digest
                + "A\" has upper-case hex at position 65 of the hex part; digests are written in lower case"
        ),
        Refused(
            "alpine@sha256:" + String(repeating: "a", count: 63) + "g",
            .invalidDigest,
            "image reference \"alpine@sha256:" + String(repeating: "a", count: 63)
                + "g\" has a bad digest: digest \"sha256:" + String(repeating: "a", count: 63)
                + "g\" has 'g' at position 64 of the hex part; expected lower-case hex"
        ),
        Refused(
            "alpine@sha256:abc",
            .invalidDigest,
            "image reference \"alpine@sha256:abc\" has a bad digest: digest \"sha256:abc\" has 3 hex digits; sha256 needs exactly 64"
        ),
        Refused(
            "alpine@sha256:" + String(repeating: "a", count: 65),
            .invalidDigest,
            "image reference \"alpine@sha256:" + String(repeating: "a", count: 65)
                + "\" has a bad digest: digest \"sha256:" + String(repeating: "a", count: 65)
                + "\" has 65 hex digits; sha256 needs exactly 64"
        ),
        Refused(
            "alpine@sha256:" + hex + "@sha256:" + hex,
            .invalidDigest,
            "image reference \"alpine@" + digest + "@sha256:ababababab…\" has a bad digest: digest \"" + digest
                + "@sha256:ababababababababa…\" has '@' at position 65 of the hex part; expected lower-case hex"
        ),
        Refused(
            "alpine@sha512:" + String(repeating: "a", count: 128),
            .unsupportedDigestAlgorithm,
            "image reference \"alpine@sha512:" + String(repeating: "a", count: 82)
                + "…\" has a bad digest: digest \"sha512:" + String(repeating: "a", count: 89)
                + "…\" uses algorithm \"sha512\"; only sha256 is supported"
        ),
        Refused(
            "alpine@SHA256:" + hex,
            .unsupportedDigestAlgorithm,
            "image reference \"alpine@SHA256:" + hex + "\" has a bad digest: digest \"SHA256:" + hex
                + "\" uses algorithm \"SHA256\"; only sha256 is supported"
        ),
        Refused(
            "alpine@:" + hex,
            .unsupportedDigestAlgorithm,
            "image reference \"alpine@:" + hex + "\" has a bad digest: digest \":" + hex
                + "\" uses algorithm \"\"; only sha256 is supported"
        ),
        Refused(
            "alpine@" + hex,
            .invalidDigest,
            "image reference \"alpine@" + hex + "\" has a bad digest: digest \"" + hex
                + "\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused(
            "alpine:tag@x",
            .invalidDigest,
            "image reference \"alpine:tag@x\" has a bad digest: digest \"x\" has no algorithm prefix; expected sha256:<64 lower-case hex>"
        ),
        Refused(
            "a/b@sha256:" + hex + "x",
            .invalidDigest,
            "image reference \"a/b@" + digest + "x\" has a bad digest: digest \"" + digest
                + "x\" has 'x' at position 65 of the hex part; expected lower-case hex"
        ),
        Refused(
            "exa_mple.com/app",
            .invalidRegistry,
            "image reference \"exa_mple.com/app\" has registry \"exa_mple.com\" with bad host label \"exa_mple\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "-example.com/app",
            .invalidRegistry,
            "image reference \"-example.com/app\" has registry \"-example.com\" with bad host label \"-example\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "example-.com/app",
            .invalidRegistry,
            "image reference \"example-.com/app\" has registry \"example-.com\" with bad host label \"example-\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "example..com/app",
            .invalidRegistry,
            "image reference \"example..com/app\" has registry \"example..com\" with bad host label \"\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "example.com./app",
            .invalidRegistry,
            "image reference \"example.com./app\" has registry \"example.com.\" with bad host label \"\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            ".example.com/app",
            .invalidRegistry,
            "image reference \".example.com/app\" has registry \".example.com\" with bad host label \"\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "x./app",
            .invalidRegistry,
            "image reference \"x./app\" has registry \"x.\" with bad host label \"\"; labels are letters, digits and inner '-'"
        ),
        Refused(
            "EXAMPLE.COM:5000/APP",
            .uppercasePath,
            "image reference \"EXAMPLE.COM:5000/APP\" has upper-case 'A' in path component \"APP\"; repository paths are lower case"
        ),
        Refused(
            "LOCALHOST/app",
            .uppercasePath,
            "image reference \"LOCALHOST/app\" has upper-case 'L' in path component \"LOCALHOST\"; repository paths are lower case"
        ),
        Refused(
            "Localhost/app",
            .uppercasePath,
            "image reference \"Localhost/app\" has upper-case 'L' in path component \"Localhost\"; repository paths are lower case"
        ),
        Refused(
            "example.com:/app",
            .invalidRegistry,
            "image reference \"example.com:/app\" has registry \"example.com:\" with a bad port; expected 1–65535"
        ),
        Refused(
            "x:/app",
            .invalidRegistry,
            "image reference \"x:/app\" has registry \"x:\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:99999/app",
            .invalidRegistry,
            "image reference \"example.com:99999/app\" has registry \"example.com:99999\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:0/app",
            .invalidRegistry,
            "image reference \"example.com:0/app\" has registry \"example.com:0\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:65536/app",
            .invalidRegistry,
            "image reference \"example.com:65536/app\" has registry \"example.com:65536\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:000001/app",
            .invalidRegistry,
            "image reference \"example.com:000001/app\" has registry \"example.com:000001\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:8a/app",
            .invalidRegistry,
            "image reference \"example.com:8a/app\" has registry \"example.com:8a\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:-1/app",
            .invalidRegistry,
            "image reference \"example.com:-1/app\" has registry \"example.com:-1\" with a bad port; expected 1–65535"
        ),
        Refused(
            "example.com:+1/app",
            .invalidRegistry,
            "image reference \"example.com:+1/app\" has registry \"example.com:+1\" with a bad port; expected 1–65535"
        ),
        Refused(
            ":5000/app",
            .invalidRegistry,
            "image reference \":5000/app\" has registry \":5000\" with an empty host"
        ),
        Refused(
            "[::1/app",
            .invalidRegistry,
            "image reference \"[::1/app\" has registry \"[::1\" with an unclosed '[' IPv6 address"
        ),
        Refused(
            "[zz]:5000/app",
            .invalidRegistry,
            "image reference \"[zz]:5000/app\" has registry \"[zz]:5000\" whose bracketed part is not an IPv6 address"
        ),
        Refused(
            "[::1]x/app",
            .invalidRegistry,
            "image reference \"[::1]x/app\" has registry \"[::1]x\" with text after the IPv6 address"
        ),
        Refused(
            "[::1]:/app",
            .invalidRegistry,
            "image reference \"[::1]:/app\" has registry \"[::1]:\" with a bad port; expected 1–65535"
        ),
        Refused(
            "[::1]:65536/app",
            .invalidRegistry,
            "image reference \"[::1]:65536/app\" has registry \"[::1]:65536\" with a bad port; expected 1–65535"
        ),
        Refused(
            "[::1]:0/app",
            .invalidRegistry,
            "image reference \"[::1]:0/app\" has registry \"[::1]:0\" with a bad port; expected 1–65535"
        ),
        Refused(
            "[]/app",
            .invalidPathComponent,
            "image reference \"[]/app\" has path component \"[]\" that starts with '['"
        ),
        Refused(
            "[1.2.3.4]/app",
            .invalidRegistry,
            "image reference \"[1.2.3.4]/app\" has registry \"[1.2.3.4]\" whose bracketed part is not an IPv6 address"
        ),
        Refused(
            "[fe80::1%eth0]/app",
            .invalidRegistry,
            "image reference \"[fe80::1%eth0]/app\" has registry \"[fe80::1%eth0]\" whose bracketed part is not an IPv6 address"
        ),
        Refused(
            "[::1]",
            .invalidTag,
            "image reference \"[::1]\" has tag \"1]\" containing ']'; tags use letters, digits, '_', '.' and '-'"
        ),
        Refused(
            "[::1]:5000",
            .invalidPathComponent,
            "image reference \"[::1]:5000\" has path component \"[::1]\" that starts with '['"
        ),
        Refused(
            "[::1]]/app",
            .invalidRegistry,
            "image reference \"[::1]]/app\" has registry \"[::1]]\" with text after the IPv6 address"
        ),
        Refused(
            "[[::1]/app",
            .invalidRegistry,
            "image reference \"[[::1]/app\" has registry \"[[::1]\" whose bracketed part is not an IPv6 address"
        ),
    ]

    @Test(arguments: accepted)
    func parsesValidReferences(expected: Accepted) throws {
        let reference = try ImageReference(parsing: expected.text)
        #expect(reference.registry == expected.registry)
        #expect(reference.path == expected.path)
        #expect(reference.tag == expected.tag)
        #expect(reference.digest?.description == expected.digest)
        #expect(reference.digest?.hex == expected.digest.map { String($0.dropFirst("sha256:".count)) })
        #expect(reference.isAttestable == (expected.digest != nil))
        #expect(reference.identity == expected.registry + "/" + expected.path)
        #expect(reference.original == expected.text)
        #expect(reference.description == expected.text)
        // The canonical spelling parses back to an equal reference with the same identity, unless spelling out
        // `docker.io/library/` pushes the name past the 255-byte limit, which applies to the name as written.
        if reference.identity.utf8.count <= ImageReference.maximumNameLength {
            let canonical = try ImageReference(parsing: reference.canonical)
            #expect(canonical == reference)
            #expect(canonical.identity == reference.identity)
        } else {
            #expect(throws: ImageReferenceError.self) { try ImageReference(parsing: reference.canonical) }
        }
    }

    @Test(arguments: refused)
    func refusesMalformedReferencesWithExactMessages(expected: Refused) {
        #expect {
            try ImageReference(parsing: expected.text)
        } throws: { error in
            guard let error = error as? ImageReferenceError else { return false }
            #expect(error.code == expected.code)
            #expect(error.reason == expected.message)
            return error.code == expected.code && error.reason == expected.message
        }
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
