/// A kind of Kubernetes object the webhook reviews, and where its pod spec lives.
///
/// Pod (and the `pods/ephemeralcontainers` subresource), ReplicationController, Deployment, ReplicaSet,
/// StatefulSet, DaemonSet, Job and CronJob. A kind is recognised only in its own API group (`apps` and the
/// legacy `extensions` for the apps kinds, `batch` for Job and CronJob, the core group for Pod and
/// ReplicationController), so a custom resource that happens to be called `Deployment` is not misread.
public struct WorkloadKind: Sendable, Hashable, CustomStringConvertible {
    /// The Kubernetes kind, such as `Deployment`.
    public let kind: String
    /// The JSON path from the object to its pod spec: `[spec]` for a Pod, `[spec, template, spec]` for a
    /// Deployment, `[spec, jobTemplate, spec, template, spec]` for a CronJob; empty for the legacy
    /// `EphemeralContainers` object, whose `ephemeralContainers` list sits at the top level.
    public let podSpecPath: [String]
    /// The JSON path from the object to the metadata whose annotations are also read (the pod template's),
    /// or nil when the object's own metadata is the pod's.
    public let templateMetadataPath: [String]?
    private let groups: Set<String>

    private init(_ kind: String, groups: Set<String>, podSpecPath: [String], templateMetadataPath: [String]?) {
        self.kind = kind
        self.groups = groups
        self.podSpecPath = podSpecPath
        self.templateMetadataPath = templateMetadataPath
    }

    private static let apps: Set<String> = ["apps", "extensions"]
    private static let template = ["spec", "template", "spec"]
    private static let templateMetadata = ["spec", "template", "metadata"]

    /// `Pod` in the core group.
    public static let pod = WorkloadKind("Pod", groups: [""], podSpecPath: ["spec"], templateMetadataPath: nil)
    /// The legacy `EphemeralContainers` object of the `pods/ephemeralcontainers` subresource (Kubernetes ≤ 1.21).
    public static let ephemeralContainers = WorkloadKind(
        "EphemeralContainers",
        groups: [""],
        podSpecPath: [],
        templateMetadataPath: nil
    )
    /// `ReplicationController` in the core group.
    public static let replicationController = WorkloadKind(
        "ReplicationController",
        groups: [""],
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `Deployment` in `apps` (or `extensions`).
    public static let deployment = WorkloadKind(
        "Deployment",
        groups: apps,
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `ReplicaSet` in `apps` (or `extensions`).
    public static let replicaSet = WorkloadKind(
        "ReplicaSet",
        groups: apps,
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `StatefulSet` in `apps`.
    public static let statefulSet = WorkloadKind(
        "StatefulSet",
        groups: ["apps"],
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `DaemonSet` in `apps` (or `extensions`).
    public static let daemonSet = WorkloadKind(
        "DaemonSet",
        groups: apps,
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `Job` in `batch`.
    public static let job = WorkloadKind(
        "Job",
        groups: ["batch"],
        podSpecPath: template,
        templateMetadataPath: templateMetadata
    )
    /// `CronJob` in `batch`: the pod spec is `spec.jobTemplate.spec.template.spec`.
    public static let cronJob = WorkloadKind(
        "CronJob",
        groups: ["batch"],
        podSpecPath: ["spec", "jobTemplate", "spec", "template", "spec"],
        templateMetadataPath: ["spec", "jobTemplate", "spec", "template", "metadata"]
    )

    /// Every reviewed kind.
    public static let all: [WorkloadKind] = [
        .pod, .ephemeralContainers, .replicationController, .deployment, .replicaSet, .statefulSet, .daemonSet,
        .job, .cronJob,
    ]

    /// The reviewed kind a request names, or nil when the webhook leaves it alone.
    ///
    /// The only subresource reviewed is `pods/ephemeralcontainers`; any other subresource (`status`, `scale`,
    /// `exec`, …) does not change which images run and is not reviewed.
    ///
    /// - Parameter review: The decoded review.
    /// - Returns: The kind, or nil for kinds and subresources the webhook does not review.
    public static func reviewed(by review: AdmissionReview) -> WorkloadKind? {
        if !review.subResource.isEmpty {
            guard review.subResource == "ephemeralcontainers", review.resource.isEmpty || review.resource == "pods"
            else { return nil }
        }
        let kind = all.first { $0.kind == review.kind && $0.groups.contains(review.group) }
        if kind == .ephemeralContainers && review.subResource.isEmpty { return nil }
        return kind
    }

    /// The kind's name.
    public var description: String { kind }
}
