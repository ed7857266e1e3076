import AttestCore
import AttestWebhook
import Foundation
import Testing

/// attest-webhook over real HTTPS (curl with the test CA) against a real in-process attestd.
@Suite(.timeLimit(.minutes(3)))
struct WebhookHTTPSTests {
    static let signed = WebhookFixture.signedImage
    static let unsigned = WebhookFixture.unsignedImage

    @Test("every reviewed kind: a signed digest is admitted, an unsigned one denied in kritis's words")
    func everyKind() async throws {
        try await WebhookFixture.with { fixture in
            for kind in Reviews.allKinds {
                let admitted = try await fixture.review(Reviews.workload(kind, images: [Self.signed]))
                #expect(admitted.httpStatus == 200, "\(kind): \(admitted.body)")
                #expect(admitted.allowed == true, "\(kind): \(admitted.body)")
                let denied = try await fixture.review(Reviews.workload(kind, images: [Self.signed, Self.unsigned]))
                #expect(denied.httpStatus == 200, "\(kind)")
                #expect(denied.allowed == false, "\(kind): \(denied.body)")
                #expect(denied.code == 403, "\(kind)")
                #expect(denied.message == "image \(Self.unsigned) is not attested", "\(kind): \(denied.body)")
            }
        }
    }

    @Test("the walkthrough's tag image is denied with its own name; POST / answers like /validate")
    func tagImageAndRootPath() async throws {
        try await WebhookFixture.with { fixture in
            let body = Reviews.workload(Reviews.deployment, images: ["alpine:3.11"])
            for path in ["/validate", "/"] {
                let reply = try await fixture.review(body, path: path)
                #expect(reply.httpStatus == 200)
                #expect(reply.allowed == false)
                #expect(reply.message == "image alpine:3.11 is not attested", "\(reply.body)")
                let json = try reply.json()
                #expect(json["apiVersion"]?.stringValue == "admission.k8s.io/v1")
                #expect(json["kind"]?.stringValue == "AdmissionReview")
                #expect(json["response"]?["uid"]?.stringValue == "705ab4f5-6393-11e8-b7cc-42010a800002")
            }
        }
    }

    @Test(
        "v1beta1 is answered in v1beta1 with the request uid",
        arguments: ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]
    )
    func apiVersions(apiVersion: String) async throws {
        try await WebhookFixture.with { fixture in
            for (image, allowed) in [(Self.signed, true), (Self.unsigned, false)] {
                let reply = try await fixture.review(
                    Reviews.workload(Reviews.pod, images: [image], apiVersion: apiVersion, uid: "uid-\(allowed)")
                )
                let json = try reply.json()
                #expect(json["apiVersion"]?.stringValue == apiVersion)
                #expect(json["kind"]?.stringValue == "AdmissionReview")
                #expect(json["response"]?["uid"]?.stringValue == "uid-\(allowed)")
                #expect(reply.allowed == allowed)
            }
        }
    }

    @Test("CREATE and UPDATE are reviewed; DELETE and CONNECT are admitted untouched, without asking attestd")
    func operations() async throws {
        try await WebhookFixture.with { fixture in
            for operation in ["CREATE", "UPDATE"] {
                let reply = try await fixture.review(
                    Reviews.workload(Reviews.deployment, images: [Self.unsigned], operation: operation)
                )
                #expect(reply.allowed == false, "\(operation)")
            }
            // DELETE carries no object; CONNECT (exec, attach) is not about images.
            let delete = Reviews.review(kind: Reviews.deployment, operation: "DELETE", object: nil)
            let connect = Reviews.workload(Reviews.pod, images: [Self.unsigned], operation: "CONNECT")
            await fixture.stopDaemon()
            for body in [delete, connect] {
                let reply = try await fixture.review(body)
                #expect(reply.httpStatus == 200)
                #expect(reply.allowed == true, "\(reply.body)")
                #expect(reply.warnings.isEmpty)
            }
        }
    }

    @Test("kinds and subresources not reviewed are admitted untouched even with attestd down")
    func unreviewedKinds() async throws {
        try await WebhookFixture.with { fixture in
            await fixture.stopDaemon()
            let configMap = Reviews.Kind(kind: "ConfigMap", group: "", version: "v1", resource: "configmaps")
            let customDeployment = Reviews.Kind(
                kind: "Deployment",
                group: "example.com",
                version: "v1",
                resource: "deployments"
            )
            let bodies = [
                Reviews.review(kind: configMap, object: ["kind": "ConfigMap", "data": ["a": "b"]]),
                Reviews.review(kind: customDeployment, object: ["spec": "anything"]),
                Reviews.review(kind: Reviews.pod, subResource: "status", object: ["spec": "not read"]),
            ]
            for body in bodies {
                let reply = try await fixture.review(body)
                #expect(reply.httpStatus == 200)
                #expect(reply.allowed == true, "\(reply.body)")
            }
        }
    }

    @Test("images of init, regular and ephemeral containers are all checked")
    func containerLists() async throws {
        try await WebhookFixture.with { fixture in
            let cases: [(JSONValue, String?)] = [
                (Reviews.podSpec(containers: [Self.signed], initContainers: [WebhookFixture.signedInitImage]), nil),
                (Reviews.podSpec(containers: [Self.signed], initContainers: [Self.unsigned]), Self.unsigned),
                (Reviews.podSpec(containers: [Self.signed], ephemeral: ["busybox:1.36"]), "busybox:1.36"),
                (Reviews.podSpec(containers: [Self.signed, Self.signed], initContainers: [Self.signed]), nil),
            ]
            for (spec, failing) in cases {
                let reply = try await fixture.review(
                    Reviews.review(kind: Reviews.pod, object: Reviews.object(Reviews.pod, spec: spec))
                )
                #expect(reply.allowed == (failing == nil), "\(reply.body)")
                if let failing { #expect(reply.message == "image \(failing) is not attested") }
            }
        }
    }

    @Test("pods/ephemeralcontainers: the Pod's ephemeral containers are reviewed")
    func ephemeralContainersSubresource() async throws {
        try await WebhookFixture.with { fixture in
            for (debugImage, allowed) in [(Self.signed, true), ("busybox:1.36", false)] {
                let pod = Reviews.object(
                    Reviews.pod,
                    spec: Reviews.podSpec(containers: [Self.signed], ephemeral: [debugImage])
                )
                let reply = try await fixture.review(
                    Reviews.review(
                        kind: Reviews.pod,
                        operation: "UPDATE",
                        subResource: "ephemeralcontainers",
                        object: pod
                    )
                )
                #expect(reply.allowed == allowed, "\(reply.body)")
                if !allowed { #expect(reply.message == "image busybox:1.36 is not attested") }
            }
            // The legacy EphemeralContainers object (Kubernetes 1.16-1.21).
            let legacy = Reviews.Kind(kind: "EphemeralContainers", group: "", version: "v1", resource: "pods")
            let object: JSONValue = [
                "kind": "EphemeralContainers", "metadata": ["name": "demo"],
                "ephemeralContainers": [["name": "debug", "image": "busybox:1.36"]],
            ]
            let reply = try await fixture.review(
                Reviews.review(kind: legacy, operation: "UPDATE", subResource: "ephemeralcontainers", object: object)
            )
            #expect(reply.allowed == false)
            #expect(reply.message == "image busybox:1.36 is not attested")
        }
    }

    @Test("breakglass on the object or on its pod template admits with a warning; any other value does not")
    func breakglass() async throws {
        try await WebhookFixture.with { fixture in
            let key = "kritis.grafeas.io/breakglass"
            let spec = Reviews.podSpec(containers: [Self.unsigned])
            let onObject = Reviews.object(Reviews.deployment, spec: spec, annotations: [key: "true"])
            let onTemplate = Reviews.object(Reviews.deployment, spec: spec, templateAnnotations: [key: "true"])
            let onPod = Reviews.object(Reviews.pod, spec: spec, annotations: [key: "true"])
            for object in [onObject, onTemplate, onPod] {
                let kind = object["kind"]?.stringValue == "Pod" ? Reviews.pod : Reviews.deployment
                let reply = try await fixture.review(Reviews.review(kind: kind, object: object))
                #expect(reply.allowed == true, "\(reply.body)")
                #expect(reply.warnings.contains { $0.contains("breakglass") }, "\(reply.warnings)")
                #expect(reply.warnings.contains { $0.contains("image \(Self.unsigned) is not attested") })
            }
            // The object's own value wins over the template's.
            let overridden = Reviews.object(
                Reviews.deployment,
                spec: spec,
                annotations: [key: "false"],
                templateAnnotations: [key: "true"]
            )
            let notBroken = try await fixture.review(Reviews.review(kind: Reviews.deployment, object: overridden))
            #expect(notBroken.allowed == false, "\(notBroken.body)")
        }
    }

    @Test("--dry-run admits what would be denied, with the denial and missing attestors as warnings")
    func dryRun() async throws {
        try await WebhookFixture.with(dryRun: true) { fixture in
            let reply = try await fixture.review(
                Reviews.workload(Reviews.deployment, images: ["alpine:3.11", Self.unsigned])
            )
            #expect(reply.httpStatus == 200)
            #expect(reply.allowed == true, "\(reply.body)")
            #expect(reply.warnings.first?.contains("dry run") == true, "\(reply.warnings)")
            #expect(reply.warnings.contains { $0.contains("image alpine:3.11 is not attested") })
            #expect(
                reply.warnings.contains {
                    $0.contains("image \(Self.unsigned) is not attested") && $0.contains("qa-attestor")
                }
            )
        }
    }

    @Test("a denial lists every failing image and its missing attestors in warnings")
    func warningsListEveryFailure() async throws {
        try await WebhookFixture.with { fixture in
            let reply = try await fixture.review(
                Reviews.workload(Reviews.pod, images: ["alpine:3.11", Self.signed, Self.unsigned])
            )
            #expect(reply.allowed == false)
            #expect(reply.message == "image alpine:3.11 is not attested")
            #expect(reply.warnings.count == 2, "\(reply.warnings)")
            #expect(reply.warnings.first?.contains("referenced by tag") == true, "\(reply.warnings)")
            #expect(reply.warnings.last?.contains("missing attestors: qa-attestor") == true, "\(reply.warnings)")
        }
    }
}
