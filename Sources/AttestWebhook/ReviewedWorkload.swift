public import AttestCore
public import AttestWire

/// What the webhook asks attestd about one object: its images and annotations, read from the pod spec.
///
/// Images come from `initContainers`, `containers` and `ephemeralContainers`, in that order, each image
/// once. Annotations are the object's own `metadata.annotations`, followed, for a workload with a pod
/// template, by the template's annotations whose keys the object does not set: the object's value wins, and
/// a breakglass annotation on either admits, because the pods that the template creates carry the template's
/// annotations and would be admitted by the Pod review anyway.
public struct ReviewedWorkload: Sendable, Hashable {
    /// The kind the object was read as.
    public var kind: WorkloadKind
    /// The images, each once, in pod-spec order (init containers, containers, ephemeral containers).
    public var images: [String]
    /// The annotations sent to attestd.
    public var annotations: [Annotation]
    /// The object's name: `metadata.name`, else `metadata.generateName`, else empty.
    public var name: String
    /// The object's `metadata.namespace` (empty when absent).
    public var namespace: String

    /// The container lists read, in order.
    public static let containerLists = ["initContainers", "containers", "ephemeralContainers"]

    /// Reads an object as the given kind.
    /// - Parameters:
    ///   - object: `request.object`.
    ///   - kind: The kind the request names.
    /// - Throws: ``AdmissionReviewError`` (`object-mismatch`, `wrong-type`, `missing-field`) naming the JSON path
    ///   of what does not fit the kind.
    public init(object: JSONValue?, as kind: WorkloadKind) throws(AdmissionReviewError) {
        let root = "request.object"
        guard let object else {
            throw AdmissionReviewError(.missingField, "\(root) is missing for a \(kind) review")
        }
        guard case .object(let top) = object else {
            throw AdmissionReviewError(
                .objectMismatch,
                "\(root) is a JSON \(object.typeName), expected a \(kind) object"
            )
        }
        if let objectKind = try AdmissionReview.optionalString(top, "kind", path: root + "."),
            objectKind != kind.kind
        {
            throw AdmissionReviewError(
                .objectMismatch,
                "\(root).kind is \(quoted(objectKind)) but the request is for a \(kind)"
            )
        }
        let metadata = try AdmissionReview.optionalObject(top, "metadata", path: root + ".")
        var annotations = try Self.annotations(metadata, path: root + ".metadata")
        if let templatePath = kind.templateMetadataPath {
            let (templateMetadata, path) = try Self.walk(top, templatePath, root: root, kind: kind, required: false)
            let templateAnnotations = try Self.annotations(templateMetadata, path: path)
            let ownKeys = Set(annotations.map(\.key))
            annotations += templateAnnotations.filter { !ownKeys.contains($0.key) }
        }
        let (spec, specPath) = try Self.walk(top, kind.podSpecPath, root: root, kind: kind, required: true)
        guard let spec else {
            throw AdmissionReviewError(.objectMismatch, "\(specPath) is missing: not a \(kind)")
        }
        var images: [String] = []
        var seen: Set<String> = []
        for list in Self.containerLists {
            let listPath = specPath + "." + list
            guard let containers = try AdmissionReview.optionalArray(spec, list, path: specPath + ".") else {
                if list == "containers" && kind != .ephemeralContainers {
                    throw AdmissionReviewError(.objectMismatch, "\(listPath) is missing: not a \(kind)")
                }
                continue
            }
            for (index, container) in containers.enumerated() {
                let containerPath = "\(listPath)[\(index)]"
                guard case .object(let fields) = container else {
                    throw AdmissionReviewError(
                        .wrongType,
                        "\(containerPath) is a JSON \(container.typeName), expected a container object"
                    )
                }
                guard let image = try AdmissionReview.optionalString(fields, "image", path: containerPath + "."),
                    !image.isEmpty
                else {
                    throw AdmissionReviewError(.missingField, "\(containerPath).image is missing or empty")
                }
                if seen.insert(image).inserted { images.append(image) }
            }
        }
        self.kind = kind
        self.images = images
        self.annotations = annotations
        if let metadata {
            let path = root + ".metadata."
            let name = try AdmissionReview.optionalString(metadata, "name", path: path)
            let generateName = try AdmissionReview.optionalString(metadata, "generateName", path: path)
            self.name = name ?? generateName ?? ""
            self.namespace = try AdmissionReview.optionalString(metadata, "namespace", path: path) ?? ""
        } else {
            self.name = ""
            self.namespace = ""
        }
    }

    /// Follows a path of object members; a missing member is nil unless `required`, a member of another type
    /// is an error.
    private static func walk(
        _ top: JSONObject,
        _ path: [String],
        root: String,
        kind: WorkloadKind,
        required: Bool
    ) throws(AdmissionReviewError) -> (JSONObject?, String) {
        var current = top
        var currentPath = root
        for key in path {
            guard let value = current[key], !value.isNull else {
                if required {
                    throw AdmissionReviewError(
                        .objectMismatch,
                        "\(currentPath).\(key) is missing: not a \(kind)"
                    )
                }
                return (nil, currentPath + "." + key)
            }
            guard case .object(let next) = value else {
                throw AdmissionReviewError(
                    .objectMismatch,
                    "\(currentPath).\(key) is a JSON \(value.typeName), expected an object: not a \(kind)"
                )
            }
            current = next
            currentPath += "." + key
        }
        return (current, currentPath)
    }

    /// The string-valued annotations of a metadata object.
    private static func annotations(_ metadata: JSONObject?, path: String) throws(AdmissionReviewError)
        -> [Annotation]
    {
        guard let metadata,
            let members = try AdmissionReview.optionalObject(metadata, "annotations", path: path + ".")
        else { return [] }
        var annotations: [Annotation] = []
        for member in members {
            guard case .string(let value) = member.value else {
                throw AdmissionReviewError(
                    .wrongType,
                    "\(path).annotations[\(quoted(member.key))] is a JSON \(member.value.typeName), expected a string"
                )
            }
            annotations.append(Annotation(key: member.key, value: value))
        }
        return annotations
    }
}
