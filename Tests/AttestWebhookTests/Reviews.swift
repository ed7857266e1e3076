import AttestCore

/// Builds AdmissionReview bodies for the tests.
enum Reviews {
    /// A kind as the API server names it, with the group and resource of its requests.
    struct Kind: CustomStringConvertible, Sendable {
        var kind: String
        var group: String
        var version: String
        var resource: String
        var description: String { kind }
    }

    static let pod = Kind(kind: "Pod", group: "", version: "v1", resource: "pods")
    static let deployment = Kind(kind: "Deployment", group: "apps", version: "v1", resource: "deployments")
    static let replicaSet = Kind(kind: "ReplicaSet", group: "apps", version: "v1", resource: "replicasets")
    static let statefulSet = Kind(kind: "StatefulSet", group: "apps", version: "v1", resource: "statefulsets")
    static let daemonSet = Kind(kind: "DaemonSet", group: "apps", version: "v1", resource: "daemonsets")
    static let job = Kind(kind: "Job", group: "batch", version: "v1", resource: "jobs")
    static let cronJob = Kind(kind: "CronJob", group: "batch", version: "v1", resource: "cronjobs")
    static let replicationController = Kind(
        kind: "ReplicationController",
        group: "",
        version: "v1",
        resource: "replicationcontrollers"
    )
    static let allKinds = [pod, deployment, replicaSet, statefulSet, daemonSet, job, cronJob, replicationController]

    /// A pod spec with the given container lists (a list is left out when nil).
    static func podSpec(containers: [String]?, initContainers: [String]? = nil, ephemeral: [String]? = nil) -> JSONValue
    {
        var members: [(String, JSONValue)] = []
        func list(_ images: [String], prefix: String) -> JSONValue {
            .array(
                images.enumerated().map { index, image in
                    ["name": .string("\(prefix)\(index)"), "image": .string(image)]
                }
            )
        }
        if let initContainers { members.append(("initContainers", list(initContainers, prefix: "init"))) }
        if let containers { members.append(("containers", list(containers, prefix: "c"))) }
        if let ephemeral { members.append(("ephemeralContainers", list(ephemeral, prefix: "debug"))) }
        return .object(JSONObject(uniqueKeysWithValues: members))
    }

    static func metadata(name: String, annotations: [String: String]) -> JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("namespace", "prod")]
        if !annotations.isEmpty {
            members.append(
                (
                    "annotations",
                    .object(
                        JSONObject(
                            uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map {
                                ($0.key, .string($0.value))
                            }
                        )
                    )
                )
            )
        }
        return .object(JSONObject(uniqueKeysWithValues: members))
    }

    /// An object of `kind` whose pod spec is `spec`, with annotations on the object and on its pod template.
    static func object(
        _ kind: Kind,
        spec: JSONValue,
        annotations: [String: String] = [:],
        templateAnnotations: [String: String] = [:]
    ) -> JSONValue {
        let template: JSONValue = ["metadata": metadata(name: "", annotations: templateAnnotations), "spec": spec]
        let outerSpec: JSONValue
        switch kind.kind {
        case "Pod": outerSpec = spec
        case "CronJob": outerSpec = ["schedule": "*/5 * * * *", "jobTemplate": ["spec": ["template": template]]]
        default: outerSpec = ["replicas": 1, "template": template]
        }
        return [
            "apiVersion": .string(kind.group.isEmpty ? kind.version : "\(kind.group)/\(kind.version)"),
            "kind": .string(kind.kind),
            "metadata": metadata(name: "demo", annotations: annotations),
            "spec": outerSpec,
        ]
    }

    /// A full AdmissionReview body.
    static func review(
        apiVersion: String = "admission.k8s.io/v1",
        uid: String = "705ab4f5-6393-11e8-b7cc-42010a800002",
        kind: Kind,
        operation: String = "CREATE",
        namespace: String = "prod",
        subResource: String? = nil,
        object: JSONValue?
    ) -> [UInt8] {
        var request: [(String, JSONValue)] = [
            ("uid", .string(uid)),
            ("kind", ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)]),
            (
                "resource",
                ["group": .string(kind.group), "version": .string(kind.version), "resource": .string(kind.resource)]
            ),
        ]
        if let subResource { request.append(("subResource", .string(subResource))) }
        request += [
            ("name", "demo"),
            ("namespace", .string(namespace)),
            ("operation", .string(operation)),
            ("userInfo", ["username": "admin", "groups": ["system:authenticated"]]),
            ("object", object ?? .null),
            ("oldObject", .null),
            ("dryRun", false),
        ]
        let review: JSONValue = [
            "apiVersion": .string(apiVersion),
            "kind": "AdmissionReview",
            "request": .object(JSONObject(uniqueKeysWithValues: request)),
        ]
        return review.serialized()
    }

    /// A review of `kind` running `images` as its containers.
    static func workload(
        _ kind: Kind,
        images: [String],
        operation: String = "CREATE",
        apiVersion: String = "admission.k8s.io/v1",
        annotations: [String: String] = [:],
        uid: String = "705ab4f5-6393-11e8-b7cc-42010a800002"
    ) -> [UInt8] {
        review(
            apiVersion: apiVersion,
            uid: uid,
            kind: kind,
            operation: operation,
            object: object(kind, spec: podSpec(containers: images), annotations: annotations)
        )
    }
}
