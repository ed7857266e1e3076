import AttestCore
import AttestWebhook
import AttestWire
import Testing

/// Decoding AdmissionReview bodies and reading workloads, without a network.
struct AdmissionReviewTests {
    @Test("every malformed class gets its code and a reason naming the place", arguments: MalformedReview.all)
    func malformed(_ malformed: MalformedReview) throws {
        let error = #expect(throws: AdmissionReviewError.self) {
            let review = try AdmissionReview(decoding: malformed.body)
            _ = try AdmissionReviewer.workload(of: review)
        }
        #expect(error?.code == malformed.code, "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.reason.contains(malformed.reason) == true, "\(error?.reason ?? "")")
    }

    @Test("a body over the limit is refused before parsing")
    func oversized() throws {
        let body = [UInt8](repeating: UInt8(ascii: " "), count: AdmissionReview.defaultMaxSize + 1)
        let error = #expect(throws: AdmissionReviewError.self) { try AdmissionReview(decoding: body) }
        #expect(error?.code == .tooLarge)
        #expect(error?.reason.contains("3145729 bytes") == true)
    }

    @Test("a review at the nesting limit is accepted")
    func nestingAtLimit() throws {
        // The review is depth 1, request 2, object 3: 61 more levels reach 64.
        let object = (0..<61).reduce(JSONValue.null) { inner, _ in ["x": inner] }
        let body = MalformedReview.review(MalformedReview.request(kind: "ConfigMap", group: "", object: object))
        let review = try AdmissionReview(decoding: body)
        #expect(try AdmissionReviewer.workload(of: review) == nil)
    }

    @Test("the envelope's fields are read")
    func envelope() throws {
        let body = Reviews.review(
            apiVersion: "admission.k8s.io/v1beta1",
            uid: "abc",
            kind: Reviews.pod,
            operation: "UPDATE",
            subResource: "ephemeralcontainers",
            object: Reviews.object(
                Reviews.pod,
                spec: Reviews.podSpec(containers: ["a@sha256:" + String(repeating: "1", count: 64)])
            )
        )
        let review = try AdmissionReview(decoding: body)
        #expect(review.apiVersion == "admission.k8s.io/v1beta1")
        #expect(review.uid == "abc")
        #expect(review.group == "")
        #expect(review.kind == "Pod")
        #expect(review.resource == "pods")
        #expect(review.subResource == "ephemeralcontainers")
        #expect(review.operation == "UPDATE")
        #expect(review.namespace == "prod")
        #expect(WorkloadKind.reviewed(by: review) == .pod)
    }

    @Test(
        "each kind's pod spec is found at its path",
        arguments: zip(
            Reviews.allKinds,
            [
                WorkloadKind.pod, .deployment, .replicaSet, .statefulSet, .daemonSet, .job, .cronJob,
                .replicationController,
            ]
        )
    )
    func kinds(kind: Reviews.Kind, expected: WorkloadKind) throws {
        let review = try AdmissionReview(
            decoding: Reviews.review(
                kind: kind,
                object: Reviews.object(
                    kind,
                    spec: Reviews.podSpec(containers: ["c1", "c2"], initContainers: ["i1"], ephemeral: ["e1"])
                )
            )
        )
        let workload = try #require(try AdmissionReviewer.workload(of: review))
        #expect(workload.kind == expected)
        #expect(workload.images == ["i1", "c1", "c2", "e1"])
        #expect(workload.name == "demo")
    }

    @Test("legacy extensions/v1beta1 Deployments are reviewed; look-alike kinds in other groups are not")
    func groups() throws {
        let legacy = Reviews.Kind(kind: "Deployment", group: "extensions", version: "v1beta1", resource: "deployments")
        let review = try AdmissionReview(
            decoding: Reviews.review(
                kind: legacy,
                object: Reviews.object(legacy, spec: Reviews.podSpec(containers: ["x"]))
            )
        )
        #expect(try AdmissionReviewer.workload(of: review)?.kind == .deployment)
        let custom = Reviews.Kind(kind: "Pod", group: "example.com", version: "v1", resource: "pods")
        let other = try AdmissionReview(decoding: Reviews.review(kind: custom, object: ["spec": 1]))
        #expect(try AdmissionReviewer.workload(of: other) == nil)
    }

    @Test("images are sent once each, in init, containers, ephemeral order")
    func duplicateImages() throws {
        let spec = Reviews.podSpec(containers: ["b", "a", "b"], initContainers: ["a"], ephemeral: ["c", "a"])
        let review = try AdmissionReview(
            decoding: Reviews.review(kind: Reviews.pod, object: Reviews.object(Reviews.pod, spec: spec))
        )
        #expect(try AdmissionReviewer.workload(of: review)?.images == ["a", "b", "c"])
    }

    @Test("annotations: the object's first, then the template's keys the object does not set")
    func annotations() throws {
        let object = Reviews.object(
            Reviews.cronJob,
            spec: Reviews.podSpec(containers: ["x"]),
            annotations: ["a": "object", "b": "object"],
            templateAnnotations: ["b": "template", "c": "template"]
        )
        let review = try AdmissionReview(decoding: Reviews.review(kind: Reviews.cronJob, object: object))
        let workload = try #require(try AdmissionReviewer.workload(of: review))
        #expect(
            workload.annotations == [
                Annotation(key: "a", value: "object"), Annotation(key: "b", value: "object"),
                Annotation(key: "c", value: "template"),
            ]
        )
    }

    @Test("a denial encodes status 403 Forbidden, warnings and the uid; an admission has no status")
    func encoding() throws {
        let denied = AdmissionDecision(allowed: false, code: 403, message: "image x is not attested", warnings: ["w"])
        let json = try StrictJSON().parse(denied.reviewBody(apiVersion: "admission.k8s.io/v1", uid: "u\"1"))
        #expect(json["response"]?["uid"]?.stringValue == "u\"1")
        #expect(json["response"]?["status"]?["code"]?.intValue == 403)
        #expect(json["response"]?["status"]?["reason"]?.stringValue == "Forbidden")
        #expect(json["response"]?["warnings"]?.arrayValue == ["w"])
        let admitted = try StrictJSON().parse(
            AdmissionDecision(allowed: true).reviewBody(apiVersion: "admission.k8s.io/v1beta1", uid: "u")
        )
        #expect(admitted["response"]?["status"] == nil)
        #expect(admitted["response"]?["warnings"] == nil)
        #expect(admitted["apiVersion"]?.stringValue == "admission.k8s.io/v1beta1")
        let undecided = AdmissionDecision.undecided("socket missing")
        #expect(undecided.code == 500)
        #expect(undecided.message == "attestd could not decide: socket missing")
    }

    @Test(
        "listen addresses",
        arguments: [
            ("0.0.0.0:8443", "0.0.0.0", 8443), ("127.0.0.1:0", "127.0.0.1", 0), ("[::1]:443", "::1", 443),
            ("localhost:65535", "localhost", 65535),
        ]
    )
    func listenAddress(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test(
        "bad listen addresses are refused",
        arguments: ["8443", ":8443", "host:", "host:65536", "host:-1", "::1:80", "[::1]80", "[::1", "h:８０"]
    )
    func badListenAddress(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }
}
