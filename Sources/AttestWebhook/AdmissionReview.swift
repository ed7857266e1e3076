public import AttestCore

/// The parts of a Kubernetes `AdmissionReview` request that the webhook uses, read from its JSON body.
///
/// Decoding checks the size and nesting before anything is built (``StrictJSON`` parses iteratively, so a
/// hostile body costs one error, never a stack overflow), then the envelope: `apiVersion` is
/// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`, `kind` is `AdmissionReview`, and `request` carries
/// `uid`, `kind.kind` and `operation`. The object is kept as parsed JSON; ``WorkloadKind`` and
/// ``ReviewedWorkload`` read the pod spec out of it.
public struct AdmissionReview: Sendable, Hashable {
    /// The AdmissionReview versions the webhook answers, each in its own version.
    public static let supportedAPIVersions = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]
    /// The largest body accepted by default: 3 MiB, the API server's own request limit.
    public static let defaultMaxSize = 3 << 20
    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaxDepth = 64

    /// The review's `apiVersion`, echoed in the answer.
    public var apiVersion: String
    /// `request.uid`, echoed in the answer.
    public var uid: String
    /// `request.kind.group` (empty for the core group).
    public var group: String
    /// `request.kind.kind`, such as `Deployment`.
    public var kind: String
    /// `request.resource.resource`, such as `pods` (empty when absent).
    public var resource: String
    /// `request.subResource`, such as `ephemeralcontainers` (empty when absent).
    public var subResource: String
    /// `request.operation`: `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    public var operation: String
    /// `request.namespace` (empty when absent).
    public var namespace: String
    /// `request.name` (empty when absent, as for a pod named by `generateName`).
    public var name: String
    /// `request.object` (nil when absent or `null`, as on DELETE).
    public var object: JSONValue?

    /// Decodes a review from an HTTP body.
    /// - Parameters:
    ///   - body: The request body.
    ///   - maxSize: The largest body accepted, in bytes.
    ///   - maxDepth: The deepest nesting of arrays and objects accepted.
    /// - Throws: ``AdmissionReviewError`` naming the fault and its place (byte offset or JSON path).
    public init(
        decoding body: some Collection<UInt8>,
        maxSize: Int = AdmissionReview.defaultMaxSize,
        maxDepth: Int = AdmissionReview.defaultMaxDepth
    ) throws(AdmissionReviewError) {
        guard body.count <= maxSize else {
            throw AdmissionReviewError(.tooLarge, "body of \(body.count) bytes exceeds the limit of \(maxSize) bytes")
        }
        let document: JSONValue
        do {
            document = try StrictJSON(maxSize: maxSize, maxDepth: maxDepth).parse(body)
        } catch {
            let code: AdmissionReviewError.Code = error.code == .tooDeep ? .tooDeep : .badJSON
            throw AdmissionReviewError(code, "body is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object(let review) = document else {
            throw AdmissionReviewError(
                .wrongType,
                "body is a JSON \(document.typeName), expected an AdmissionReview object"
            )
        }
        let apiVersion = try Self.string(review, "apiVersion", path: "")
        guard Self.supportedAPIVersions.contains(apiVersion) else {
            throw AdmissionReviewError(
                .wrongAPIVersion,
                "apiVersion \(quoted(apiVersion)) is not one of \(Self.supportedAPIVersions.joined(separator: ", "))"
            )
        }
        let kind = try Self.string(review, "kind", path: "")
        guard kind == "AdmissionReview" else {
            throw AdmissionReviewError(.wrongKind, "kind \(quoted(kind)) is not AdmissionReview")
        }
        guard let requestValue = review["request"], !requestValue.isNull else {
            throw AdmissionReviewError(.missingRequest, "the AdmissionReview has no request")
        }
        guard case .object(let request) = requestValue else {
            throw AdmissionReviewError(.wrongType, "request is a JSON \(requestValue.typeName), expected an object")
        }
        let uid = try Self.string(request, "uid", path: "request.")
        guard !uid.isEmpty else { throw AdmissionReviewError(.missingField, "request.uid is empty") }
        let requestKind = try Self.object(request, "kind", path: "request.")
        let resource = try Self.optionalObject(request, "resource", path: "request.")

        self.apiVersion = apiVersion
        self.uid = uid
        self.group = try Self.optionalString(requestKind, "group", path: "request.kind.") ?? ""
        self.kind = try Self.string(requestKind, "kind", path: "request.kind.")
        if let resource {
            self.resource = try Self.optionalString(resource, "resource", path: "request.resource.") ?? ""
        } else {
            self.resource = ""
        }
        self.subResource = try Self.optionalString(request, "subResource", path: "request.") ?? ""
        self.operation = try Self.string(request, "operation", path: "request.")
        self.namespace = try Self.optionalString(request, "namespace", path: "request.") ?? ""
        self.name = try Self.optionalString(request, "name", path: "request.") ?? ""
        let object = request["object"]
        self.object = object?.isNull == true ? nil : object
    }

    // MARK: - Field access

    static func string(_ object: JSONObject, _ key: String, path: String) throws(AdmissionReviewError) -> String {
        guard let value = try optionalString(object, key, path: path) else {
            throw AdmissionReviewError(.missingField, "\(path)\(key) is missing")
        }
        return value
    }

    static func optionalString(_ object: JSONObject, _ key: String, path: String) throws(AdmissionReviewError)
        -> String?
    {
        guard let value = object[key], !value.isNull else { return nil }
        guard case .string(let string) = value else {
            throw AdmissionReviewError(.wrongType, "\(path)\(key) is a JSON \(value.typeName), expected a string")
        }
        return string
    }

    static func object(_ object: JSONObject, _ key: String, path: String) throws(AdmissionReviewError) -> JSONObject {
        guard let value = try optionalObject(object, key, path: path) else {
            throw AdmissionReviewError(.missingField, "\(path)\(key) is missing")
        }
        return value
    }

    static func optionalObject(_ object: JSONObject, _ key: String, path: String) throws(AdmissionReviewError)
        -> JSONObject?
    {
        guard let value = object[key], !value.isNull else { return nil }
        guard case .object(let member) = value else {
            throw AdmissionReviewError(.wrongType, "\(path)\(key) is a JSON \(value.typeName), expected an object")
        }
        return member
    }

    static func optionalArray(_ object: JSONObject, _ key: String, path: String) throws(AdmissionReviewError)
        -> [JSONValue]?
    {
        guard let value = object[key], !value.isNull else { return nil }
        guard case .array(let elements) = value else {
            throw AdmissionReviewError(.wrongType, "\(path)\(key) is a JSON \(value.typeName), expected an array")
        }
        return elements
    }
}
