import AttestPolicy
import Testing

struct PolicyTests {
    static let attestors = ["a", "b", "c"]

    @Test(
        "ALL, ANY and threshold satisfaction",
        arguments: [
            (PolicyMode.all, Set<String>(), false),
            (.all, ["a", "b"], false),
            (.all, ["a", "b", "c"], true),
            (.all, ["a", "b", "c", "unlisted"], true),
            (.any, [], false),
            (.any, ["unlisted"], false),
            (.any, ["c"], true),
            (.threshold(2), ["a"], false),
            (.threshold(2), ["a", "unlisted"], false),
            (.threshold(2), ["a", "c"], true),
            (.threshold(3), ["a", "b"], false),
            (.threshold(3), ["a", "b", "c"], true),
        ] as [(PolicyMode, Set<String>, Bool)]
    )
    func satisfaction(mode: PolicyMode, satisfied: Set<String>, expected: Bool) {
        let policy = Policy(namespace: "default", name: "p", attestorNames: Self.attestors, mode: mode)
        #expect(policy.isSatisfied(by: satisfied) == expected)
        #expect((policy.unsatisfiedReason(given: satisfied) == nil) == expected)
        #expect(policy.missingAttestors(given: satisfied) == Self.attestors.filter { !satisfied.contains($0) })
    }

    @Test("A policy without attestors denies everything and says which policy", arguments: [PolicyMode.all, .any])
    func noAttestors(mode: PolicyMode) throws {
        let policy = Policy(namespace: "prod", name: "empty", attestorNames: [], mode: mode)
        #expect(!policy.isSatisfied(by: ["a", "b"]))
        let reason = try #require(policy.unsatisfiedReason(given: ["a"]))
        #expect(reason.contains("prod/empty"))
        #expect(reason.contains("no attestors"))
    }

    @Test("The unsatisfied reason names the mode and the missing attestors")
    func reasonText() throws {
        let policy = Policy(namespace: "default", name: "strict", attestorNames: ["ack", "ci", "ack"], mode: .all)
        #expect(policy.attestorNames == ["ack", "ci"])
        let reason = try #require(policy.unsatisfiedReason(given: ["ack"]))
        #expect(reason == "policy default/strict needs all of 2 attestors (ack, ci); missing: ci")
    }
}
