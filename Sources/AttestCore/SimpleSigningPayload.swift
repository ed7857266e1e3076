/// The simple-signing payload a container signature covers (the format of containers/image, kritis, cosign
/// and gcloud):
///
/// ```json
/// {"critical":{"identity":{"docker-reference":"REGISTRY/REPO"},
///              "image":{"docker-manifest-digest":"sha256:HEX"},
///              "type":"atomic container signature"},
///  "optional":{...}}
/// ```
///
/// ``parse(_:maxSize:)`` reads it strictly; it does not decide whether the payload matches an image (that is
/// ``PayloadChecker``'s job).
public struct SimpleSigningPayload: Sendable, Hashable {
    /// The `type` kritis and containers/image write.
    public static let atomicType = "atomic container signature"
    /// The `type` cosign writes.
    public static let cosignType = "cosign container image signature"
    /// The `type` `gcloud container binauthz create-signature-payload` writes.
    public static let binauthzType = "Google cloud binauthz container signature"
    /// The types accepted when an attestor names none: the three above.
    public static let defaultAcceptedTypes: Set<String> = [atomicType, cosignType, binauthzType]
    /// The default payload size limit, 256 KiB.
    public static let defaultMaxSize = 256 * 1024

    /// `critical.identity.docker-reference`: the repository (or `repo:tag`) the signer named.
    public var dockerReference: String
    /// `critical.image.docker-manifest-digest`: the manifest digest the signer named, exactly as written.
    public var manifestDigest: String
    /// `critical.type`.
    public var type: String
    /// The `optional` object (creator, timestamp, annotations…), or `nil` when absent or `null`.
    public var optional: JSONValue?

    /// Creates a payload from its fields, as they will be written.
    ///
    /// - Parameters:
    ///   - dockerReference: the repository identity, for example `docker.io/library/alpine`.
    ///   - manifestDigest: `sha256:HEX`.
    ///   - type: the signature type.
    ///   - optional: the `optional` object, if any.
    public init(dockerReference: String, manifestDigest: String, type: String, optional: JSONValue? = nil) {
        self.dockerReference = dockerReference
        self.manifestDigest = manifestDigest
        self.type = type
        self.optional = optional
    }

    /// Creates the payload that attests `image`, naming its bare repository identity as kritis does.
    ///
    /// - Parameters:
    ///   - image: a digest reference; its ``ImageReference/identity`` becomes the docker-reference.
    ///   - type: the signature type, ``atomicType`` unless given.
    ///   - optional: the `optional` object, if any.
    /// - Throws: ``PayloadError`` with ``PayloadError/Code/imageWithoutDigest`` when `image` has no digest.
    public init(image: ImageReference, type: String = SimpleSigningPayload.atomicType, optional: JSONValue? = nil)
        throws(PayloadError)
    {
        guard let digest = image.digest else {
            throw PayloadError(
                .imageWithoutDigest,
                "image \(image.original) has no digest; only REPO@sha256:… references can be attested"
            )
        }
        self.init(dockerReference: image.identity, manifestDigest: digest.description, type: type, optional: optional)
    }

    /// Reads a payload strictly.
    ///
    /// The payload must be one JSON object with no duplicated keys at any level (``StrictJSON``), holding a
    /// `critical` object with exactly `identity` (`{"docker-reference": string}`), `image`
    /// (`{"docker-manifest-digest": string}`) and `type` (string), and optionally `optional` (an object or
    /// `null`). Members the format does not define are refused inside `critical` and at the top level, as the
    /// containers-signature specification requires; inside `optional` anything goes.
    ///
    /// - Parameters:
    ///   - bytes: the exact payload bytes the signature covers.
    ///   - maxSize: the largest payload accepted, in bytes.
    /// - Returns: the payload's fields.
    /// - Throws: ``PayloadError`` naming the size, the JSON offset, or the JSON path of the fault.
    public static func parse(_ bytes: [UInt8], maxSize: Int = defaultMaxSize) throws(PayloadError)
        -> SimpleSigningPayload
    {
        guard bytes.count <= maxSize else {
            throw PayloadError(.tooLarge, "payload is \(bytes.count) bytes; the limit is \(maxSize)")
        }
        // Signers write a handful of shapes; read those without a JSON tree. The scanner declines anything
        // else, and the full parser below accepts it or names its fault.
        if let payload = SimpleSigningPayloadScanner.scan(bytes) { return payload }
        return try parseTree(bytes, maxSize: maxSize)
    }

    /// Reads a payload through a full ``StrictJSON`` tree: the reference behaviour the scanner must match.
    ///
    /// - Parameters:
    ///   - bytes: the payload bytes, at most `maxSize`.
    ///   - maxSize: the largest payload accepted, in bytes.
    /// - Returns: the payload's fields.
    /// - Throws: ``PayloadError`` as ``parse(_:maxSize:)``.
    static func parseTree(_ bytes: [UInt8], maxSize: Int) throws(PayloadError) -> SimpleSigningPayload {
        let document: JSONValue
        do {
            document = try StrictJSON(maxSize: maxSize).parse(bytes)
        } catch {
            throw PayloadError(.invalidJSON, json: error, "payload is not valid JSON: \(error.reason)")
        }
        let root = try object(document, path: nil)
        try requireOnly(["critical", "optional"], in: root, path: nil)
        let critical = try object(try member("critical", of: root, path: nil), path: "critical")
        try requireOnly(["identity", "image", "type"], in: critical, path: "critical")
        let identity = try object(try member("identity", of: critical, path: "critical"), path: "critical.identity")
        try requireOnly(["docker-reference"], in: identity, path: "critical.identity")
        let image = try object(try member("image", of: critical, path: "critical"), path: "critical.image")
        try requireOnly(["docker-manifest-digest"], in: image, path: "critical.image")

        var optional: JSONValue?
        switch root["optional"] {
        case nil, .null?:
            optional = nil
        case .object(let object)?:
            optional = .object(object)
        case let other?:
            throw PayloadError(
                .wrongFieldType,
                path: "optional",
                "payload member optional is a JSON \(other.typeName); expected an object or null"
            )
        }
        return SimpleSigningPayload(
            dockerReference: try string("docker-reference", of: identity, path: "critical.identity"),
            manifestDigest: try string("docker-manifest-digest", of: image, path: "critical.image"),
            type: try string("type", of: critical, path: "critical"),
            optional: optional
        )
    }

    /// The payload as a JSON value, members in the canonical order; `optional` is always present (an empty
    /// object when ``optional`` is `nil`), since containers/image requires both top-level members.
    public var jsonValue: JSONValue {
        let critical: JSONValue = [
            "identity": ["docker-reference": .string(dockerReference)],
            "image": ["docker-manifest-digest": .string(manifestDigest)],
            "type": .string(type),
        ]
        return ["critical": critical, "optional": optional ?? [:]]
    }

    /// Serialises the payload as compact JSON, ready to be signed.
    ///
    /// - Returns: `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":…},"optional":{…}}`.
    public func serialized() -> [UInt8] {
        jsonValue.serialized()
    }

    // MARK: Field access

    private static func join(_ path: String?, _ key: String) -> String {
        path.map { $0 + "." + key } ?? key
    }

    private static func object(_ value: JSONValue, path: String?) throws(PayloadError) -> JSONObject {
        guard case .object(let object) = value else {
            let name = path.map { "payload member \($0)" } ?? "payload"
            throw PayloadError(.wrongFieldType, path: path, "\(name) is a JSON \(value.typeName); expected an object")
        }
        return object
    }

    private static func member(_ key: String, of object: JSONObject, path: String?) throws(PayloadError) -> JSONValue {
        guard let value = object[key] else {
            let full = join(path, key)
            throw PayloadError(.missingField, path: full, "payload has no \(full)")
        }
        return value
    }

    private static func string(_ key: String, of object: JSONObject, path: String) throws(PayloadError) -> String {
        let value = try member(key, of: object, path: path)
        guard case .string(let text) = value else {
            let full = join(path, key)
            throw PayloadError(
                .wrongFieldType,
                path: full,
                "payload member \(full) is a JSON \(value.typeName); expected a string"
            )
        }
        return text
    }

    private static func requireOnly(_ allowed: [String], in object: JSONObject, path: String?) throws(PayloadError) {
        for member in object.members where !allowed.contains(where: { $0.hasSameBytes(as: member.key) }) {
            let full = join(path, member.key)
            let place = path.map { "in \($0)" } ?? "at the top level"
            throw PayloadError(
                .unknownField,
                path: full,
                "payload has unknown member \(TextQuoting.quoted(member.key)) \(place); allowed: "
                    + allowed.joined(separator: ", ")
            )
        }
    }
}
