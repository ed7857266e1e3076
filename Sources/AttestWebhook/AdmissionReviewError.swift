/// Why an AdmissionReview body could not be read: answered with HTTP 400 and ``reason`` in the body.
///
/// A review the webhook understands but that names an image without an attestation is not an error: it is an
/// ordinary denial. This error means the request itself is broken (bad JSON, wrong envelope, an object that
/// does not have the shape of its kind).
public struct AdmissionReviewError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of fault, stable for tests and metrics.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case tooLarge = "too-large"
            case tooDeep = "too-deep"
            case badJSON = "bad-json"
            case wrongAPIVersion = "wrong-api-version"
            case wrongKind = "wrong-kind"
            case missingRequest = "missing-request"
            case missingField = "missing-field"
            case wrongType = "wrong-type"
            case objectMismatch = "object-mismatch"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The body is larger than the limit (3 MiB by default).
        public static let tooLarge = Code(.tooLarge)
        /// Arrays and objects are nested deeper than the limit (64 by default).
        public static let tooDeep = Code(.tooDeep)
        /// The body is not one well-formed JSON document (or repeats a key).
        public static let badJSON = Code(.badJSON)
        /// `apiVersion` is not `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`.
        public static let wrongAPIVersion = Code(.wrongAPIVersion)
        /// `kind` is not `AdmissionReview`.
        public static let wrongKind = Code(.wrongKind)
        /// The review has no `request` object.
        public static let missingRequest = Code(.missingRequest)
        /// A field the webhook needs (`request.uid`, `request.kind.kind`, `request.operation`, …) is missing.
        public static let missingField = Code(.missingField)
        /// A field has the wrong JSON type (a string expected, an object found, …).
        public static let wrongType = Code(.wrongType)
        /// The object does not have the shape of its kind (a Deployment without `spec.template`, …).
        public static let objectMismatch = Code(.objectMismatch)

        /// The code's stable spelling, such as `missing-field`.
        public var description: String { value.rawValue }
    }

    /// The class of fault.
    public let code: Code
    /// What was wrong and where, naming the JSON path (`request.object.spec.template`) or byte offset.
    public let reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The class of fault.
    ///   - reason: What was wrong and where.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `code: reason`.
    public var description: String { "\(code): \(reason)" }
}
