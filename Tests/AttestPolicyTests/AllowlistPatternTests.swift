import AttestPolicy
import Testing

struct AllowlistPatternTests {
    @Test(
        "GAP admissionAllowlistPatterns: exact, or a trailing * over a suffix without /",
        arguments: [
            ("gcr.io/distroless/static", "gcr.io/distroless/static", true),
            ("gcr.io/distroless/static", "gcr.io/distroless/static:latest", false),
            ("gcr.io/distroless/*", "gcr.io/distroless/static", true),
            ("gcr.io/distroless/*", "gcr.io/distroless/static@sha256:abc", true),
            ("gcr.io/distroless/*", "gcr.io/distroless/", true),
            ("gcr.io/distroless/*", "gcr.io/distroless/sub/static", false),
            ("gcr.io/distroless/*", "gcr.io/distroless", false),
            ("gcr.io/*", "gcr.io/a/b", false),
            ("alpine*", "alpine:3.11", true),
            ("alpine*", "alpine/evil", false),
            ("*", "alpine", true),
            ("*", "library/alpine", false),
            // An inner star is literal in GAP patterns.
            ("gcr.io/*/static", "gcr.io/distroless/static", false),
            ("gcr.io/*/static", "gcr.io/*/static", true),
            ("alpine", "ALPINE", false),
            ("alpine", "", false),
        ]
    )
    func gapPatterns(pattern: String, image: String, expected: Bool) throws {
        let compiled = try #require(AllowlistPattern(pattern, syntax: .genericAttestationPolicy))
        #expect(compiled.matches(image: image) == expected, "\(pattern) vs \(image)")
    }

    @Test(
        "Alibaba AdmissionAllowlist namePattern: exact, trailing * without /, inner * over [A-Za-z0-9_-]",
        arguments: [
            ("registry.cn-hangzhou.aliyuncs.com/acs/pause", "registry.cn-hangzhou.aliyuncs.com/acs/pause", true),
            ("registry.cn-hangzhou.aliyuncs.com/acs/pause", "registry.cn-hangzhou.aliyuncs.com/acs/pause:3.2", false),
            // The inner star's class excludes '.', '/', ':' and '@'.
            ("registry.*.aliyuncs.com/acs/*", "registry.cn-hangzhou.aliyuncs.com/acs/pause:3.2", true),
            ("registry.*.aliyuncs.com/acs/*", "registry.cn.hangzhou.aliyuncs.com/acs/pause:3.2", false),
            ("registry-*.aliyuncs.com/acs/*", "registry-vpc.aliyuncs.com/acs/pause:3.2", true),
            ("registry-*.aliyuncs.com/acs/*", "registry-cn_1.aliyuncs.com/acs/pause@sha256:00", true),
            ("registry-*.aliyuncs.com/acs/*", "registry-a.b.aliyuncs.com/acs/pause", false),
            ("registry-*.aliyuncs.com/acs/*", "registry-a/b.aliyuncs.com/acs/pause", false),
            ("registry-*.aliyuncs.com/acs/*", "registry-.aliyuncs.com/acs/pause", true),
            ("acs/*/pause", "acs/foo-bar_1/pause", true),
            ("acs/*/pause", "acs/foo.bar/pause", false),
            ("acs/*/pause", "acs/foo/baz/pause", false),
            ("acs/*/pause", "acs//pause", true),
            // The trailing star never crosses '/'.
            ("docker.io/library/*", "docker.io/library/alpine:3.11", true),
            ("docker.io/library/*", "docker.io/library/team/alpine", false),
            ("docker.io/*", "docker.io/library/alpine", false),
            // Two inner stars and a trailing one.
            ("a*b*c*", "a-x-b_y_c:tag", true),
            ("a*b*c*", "a.b.c", false),
            ("a*b*c*", "abc", true),
            ("a**b", "a--b", true),
            ("*", "alpine:3.11", true),
            ("*", "x/y", false),
            ("alpine", "alpine", true),
            ("alpine", "alpine:latest", false),
        ]
    )
    func alibabaPatterns(pattern: String, image: String, expected: Bool) throws {
        let compiled = try #require(AllowlistPattern(pattern, syntax: .admissionAllowlist))
        #expect(compiled.matches(image: image) == expected, "\(pattern) vs \(image)")
    }

    @Test("An empty pattern is refused")
    func emptyPattern() {
        #expect(AllowlistPattern("", syntax: .genericAttestationPolicy) == nil)
        #expect(AllowlistPattern("", syntax: .admissionAllowlist) == nil)
    }

    @Test("A pathological pattern and image stay polynomial (no backtracking blow-up)")
    func pathologicalInput() throws {
        let pattern = try #require(
            AllowlistPattern(String(repeating: "a*", count: 40) + "b", syntax: .admissionAllowlist)
        )
        let image = String(repeating: "a", count: 5_000)
        #expect(!pattern.matches(image: image))
        #expect(pattern.matches(image: image + "b"))
    }

    @Test(
        "AdmissionAllowlist rules scoped to a namespace apply only there",
        arguments: [
            (String?.none, "default", true),
            (String?.none, "kube-system", true),
            (String?("kube-system"), "kube-system", true),
            (String?("kube-system"), "default", false),
        ]
    )
    func namespaceScope(scope: String?, namespace: String, expected: Bool) throws {
        let rule = AdmissionAllowlistRule(
            namePattern: try #require(AllowlistPattern("registry-*.aliyuncs.com/acs/*", syntax: .admissionAllowlist)),
            namespace: scope,
            source: "ack-allowlist"
        )
        #expect(rule.matches(image: "registry-vpc.aliyuncs.com/acs/pause:3.2", namespace: namespace) == expected)
        #expect(!rule.matches(image: "docker.io/library/alpine", namespace: namespace))
    }
}
