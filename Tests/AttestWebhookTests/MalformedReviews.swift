import AttestCore
import AttestWebhook

/// One malformed AdmissionReview per class, with the error code and a fragment of the reason it must get.
struct MalformedReview: CustomStringConvertible, Sendable {
    var name: String
    var body: [UInt8]
    var code: AdmissionReviewError.Code
    var reason: String

    var description: String { name }

    static func review(
        _ request: JSONValue?,
        apiVersion: JSONValue = "admission.k8s.io/v1",
        kind: JSONValue = "AdmissionReview"
    )
        -> [UInt8]
    {
        var members: [(String, JSONValue)] = [("apiVersion", apiVersion), ("kind", kind)]
        if let request { members.append(("request", request)) }
        return JSONValue.object(JSONObject(uniqueKeysWithValues: members)).serialized()
    }

    static func request(kind: String = "Deployment", group: String = "apps", object: JSONValue, uid: JSONValue = "u-1")
        -> JSONValue
    {
        [
            "uid": uid, "kind": ["group": .string(group), "version": "v1", "kind": .string(kind)],
            "operation": "CREATE", "namespace": "prod", "object": object,
        ]
    }

    static let container: JSONValue = ["name": "c", "image": .string(WebhookFixture.signedImage)]

    static let all: [MalformedReview] = [
        MalformedReview(name: "empty body", body: [], code: .badJSON, reason: "not valid JSON"),
        MalformedReview(
            name: "bad JSON",
            body: Array(#"{"apiVersion": "admission.k8s.io/v1", "kind": "#.utf8),
            code: .badJSON,
            reason: "at byte"
        ),
        MalformedReview(
            name: "trailing data",
            body: Array(#"{"a":1} x"#.utf8),
            code: .badJSON,
            reason: "not valid JSON"
        ),
        MalformedReview(
            name: "invalid UTF-8",
            body: [0x22, 0xFF, 0xFE, 0x22],
            code: .badJSON,
            reason: "not valid JSON"
        ),
        MalformedReview(
            name: "duplicate key",
            body: Array(
                #"{"apiVersion":"admission.k8s.io/v1","apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#
                    .utf8
            ),
            code: .badJSON,
            reason: "apiVersion"
        ),
        MalformedReview(name: "array, not object", body: Array("[1,2]".utf8), code: .wrongType, reason: "JSON array"),
        MalformedReview(
            name: "nested 100 000 deep",
            body: Array(repeating: UInt8(ascii: "["), count: 100_000),
            code: .tooDeep,
            reason: "not valid JSON"
        ),
        MalformedReview(
            name: "object nested 65 deep",
            body: review(request(object: (0..<64).reduce(JSONValue.null) { inner, _ in ["x": inner] })),
            code: .tooDeep,
            reason: "at byte"
        ),
        MalformedReview(
            name: "missing apiVersion",
            body: Array(#"{"kind":"AdmissionReview"}"#.utf8),
            code: .missingField,
            reason: "apiVersion is missing"
        ),
        MalformedReview(
            name: "wrong apiVersion",
            body: review(nil, apiVersion: "admission.k8s.io/v2"),
            code: .wrongAPIVersion,
            reason: "admission.k8s.io/v2"
        ),
        MalformedReview(
            name: "apiVersion not a string",
            body: review(nil, apiVersion: 1),
            code: .wrongType,
            reason: "apiVersion is a JSON number"
        ),
        MalformedReview(
            name: "wrong kind",
            body: review(nil, kind: "AdmissionRequest"),
            code: .wrongKind,
            reason: "AdmissionRequest"
        ),
        MalformedReview(name: "missing request", body: review(nil), code: .missingRequest, reason: "no request"),
        MalformedReview(name: "null request", body: review(.null), code: .missingRequest, reason: "no request"),
        MalformedReview(
            name: "request not an object",
            body: review("x"),
            code: .wrongType,
            reason: "request is a JSON string"
        ),
        MalformedReview(
            name: "missing uid",
            body: review(["kind": ["kind": "Pod"], "operation": "CREATE"]),
            code: .missingField,
            reason: "request.uid is missing"
        ),
        MalformedReview(
            name: "empty uid",
            body: review(request(object: .null, uid: "")),
            code: .missingField,
            reason: "request.uid is empty"
        ),
        MalformedReview(
            name: "missing request.kind",
            body: review(["uid": "u", "operation": "CREATE"]),
            code: .missingField,
            reason: "request.kind is missing"
        ),
        MalformedReview(
            name: "missing operation",
            body: review(["uid": "u", "kind": ["kind": "Pod"]]),
            code: .missingField,
            reason: "request.operation is missing"
        ),
        MalformedReview(
            name: "CREATE without object",
            body: review(request(object: .null)),
            code: .missingField,
            reason: "request.object is missing"
        ),
        MalformedReview(
            name: "Deployment without spec.template",
            body: review(request(object: ["kind": "Deployment", "spec": ["replicas": 1]])),
            code: .objectMismatch,
            reason: "request.object.spec.template is missing"
        ),
        MalformedReview(
            name: "CronJob without jobTemplate",
            body: review(
                request(
                    kind: "CronJob",
                    group: "batch",
                    object: ["spec": ["template": ["spec": ["containers": [container]]]]]
                )
            ),
            code: .objectMismatch,
            reason: "request.object.spec.jobTemplate is missing"
        ),
        MalformedReview(
            name: "Pod without containers",
            body: review(request(kind: "Pod", group: "", object: ["spec": ["initContainers": [container]]])),
            code: .objectMismatch,
            reason: "request.object.spec.containers is missing"
        ),
        MalformedReview(
            name: "object of another kind",
            body: review(request(object: ["kind": "Pod", "spec": ["containers": [container]]])),
            code: .objectMismatch,
            reason: "request.object.kind is \"Pod\""
        ),
        MalformedReview(
            name: "template spec is a string",
            body: review(request(object: ["spec": ["template": ["spec": "containers"]]])),
            code: .objectMismatch,
            reason: "request.object.spec.template.spec is a JSON string"
        ),
        MalformedReview(
            name: "containers not an array",
            body: review(request(kind: "Pod", group: "", object: ["spec": ["containers": container]])),
            code: .wrongType,
            reason: "request.object.spec.containers is a JSON object"
        ),
        MalformedReview(
            name: "container without image",
            body: review(
                request(kind: "Pod", group: "", object: ["spec": ["containers": [container, ["name": "x"]]]])
            ),
            code: .missingField,
            reason: "request.object.spec.containers[1].image is missing"
        ),
        MalformedReview(
            name: "image not a string",
            body: review(
                request(kind: "Pod", group: "", object: ["spec": ["containers": [["name": "x", "image": 7]]]])
            ),
            code: .wrongType,
            reason: "request.object.spec.containers[0].image is a JSON number"
        ),
        MalformedReview(
            name: "annotation not a string",
            body: review(
                request(
                    kind: "Pod",
                    group: "",
                    object: [
                        "metadata": ["annotations": ["kritis.grafeas.io/breakglass": true]],
                        "spec": ["containers": [container]],
                    ]
                )
            ),
            code: .wrongType,
            reason: "request.object.metadata.annotations[\"kritis.grafeas.io/breakglass\"] is a JSON boolean"
        ),
    ]
}
