/// Decides whether a simple-signing payload, whose signature has already verified, attests a given image.
///
/// The rules (DESIGN.md, "Payload checks"), in order:
/// 1. the image must be a digest reference (``VerificationReason/notAttestable``);
/// 2. the payload must fit ``maxPayloadSize`` (``VerificationReason/payloadTooLarge``) and be a strict
///    simple-signing document (``VerificationReason/malformedPayload``);
/// 3. `critical.image.docker-manifest-digest` must equal the image digest byte for byte
///    (``VerificationReason/digestMismatch``);
/// 4. `critical.identity.docker-reference`, parsed and normalised as an ``ImageReference``, must name the
///    image's repository (``VerificationReason/identityMismatch``); a tag in it is ignored, a digest in it must
///    equal the image digest (``VerificationReason/digestMismatch``);
/// 5. `critical.type` must be one of ``acceptedTypes`` (``VerificationReason/wrongType``).
///
/// Run it only after the signature verified: the payload is untrusted until then.
public struct PayloadChecker: Sendable {
    /// The `critical.type` values accepted, compared byte for byte.
    public var acceptedTypes: Set<String>
    /// The largest payload accepted, in bytes.
    public var maxPayloadSize: Int
    /// Whether parses are remembered in the calling thread's memo (see `PayloadParseMemo`): worth it only where
    /// the same payload arrays come back, as from a store that keeps its records in memory.
    public var remembersParses: Bool

    /// Creates a checker.
    ///
    /// - Parameters:
    ///   - acceptedTypes: the accepted `critical.type` values; the three known types unless given.
    ///   - maxPayloadSize: the payload size limit; 256 KiB unless given.
    ///   - remembersParses: remember parsed payloads by array identity on the calling thread; off unless given.
    public init(
        acceptedTypes: Set<String> = SimpleSigningPayload.defaultAcceptedTypes,
        maxPayloadSize: Int = SimpleSigningPayload.defaultMaxSize,
        remembersParses: Bool = false
    ) {
        self.acceptedTypes = acceptedTypes
        self.maxPayloadSize = maxPayloadSize
        self.remembersParses = remembersParses
    }

    /// Checks a verified payload against an image.
    ///
    /// - Parameters:
    ///   - payload: the exact bytes the signature covers.
    ///   - image: the image being admitted.
    /// - Returns: ``VerificationOutcome`` with reason ``VerificationReason/valid`` or the first rule broken.
    public func check(payload: [UInt8], image: ImageReference) -> VerificationOutcome {
        guard let digest = image.digest else { return .notAttestable(image) }
        switch parse(payload) {
        case .failure(let outcome): return outcome
        case .success(let parsed): return problem(parsed, image: image, digest: digest) ?? valid(parsed, image, digest)
        }
    }

    /// Checks a verified payload against an image, like ``check(payload:image:)``, without describing a
    /// payload that passes: for callers that only need to know whether it does.
    ///
    /// - Parameters:
    ///   - payload: the exact bytes the signature covers.
    ///   - image: the image being admitted.
    /// - Returns: `nil` when the payload attests the image, otherwise the outcome naming the first rule broken
    ///   (the same outcome ``check(payload:image:)`` returns).
    public func problem(payload: [UInt8], image: ImageReference) -> VerificationOutcome? {
        guard let digest = image.digest else { return .notAttestable(image) }
        switch parse(payload) {
        case .failure(let outcome): return outcome
        case .success(let parsed): return problem(parsed, image: image, digest: digest)
        }
    }

    /// Rule 2: the size limit and the strict parse.
    private enum Parsed {
        case success(SimpleSigningPayload)
        case failure(VerificationOutcome)
    }

    private func parse(_ payload: [UInt8]) -> Parsed {
        guard payload.count <= maxPayloadSize else {
            return .failure(
                .invalid(.payloadTooLarge, "payload is \(payload.count) bytes; the limit is \(maxPayloadSize)")
            )
        }
        let maxSize = maxPayloadSize
        let parse = { () throws(PayloadError) in try SimpleSigningPayload.parse(payload, maxSize: maxSize) }
        do throws(PayloadError) {
            // A payload array parsed before on this thread (the store's record cache hands the same arrays
            // back) is not scanned again: see PayloadParseMemo.
            return .success(
                remembersParses
                    ? try PayloadParseMemo.forCurrentThread.payload(for: payload, parse: parse) : try parse()
            )
        } catch {
            return .failure(.invalid(.malformedPayload, error.reason))
        }
    }

    /// Checks already parsed payload fields against an image (rules 3 to 5).
    ///
    /// - Parameters:
    ///   - payload: the parsed payload.
    ///   - image: the image being admitted.
    /// - Returns: the outcome, as ``check(payload:image:)``.
    public func check(_ payload: SimpleSigningPayload, image: ImageReference) -> VerificationOutcome {
        guard let digest = image.digest else { return .notAttestable(image) }
        return problem(payload, image: image, digest: digest) ?? valid(payload, image, digest)
    }

    /// Rules 3 to 5: `nil` when they all hold.
    private func problem(_ payload: SimpleSigningPayload, image: ImageReference, digest: Digest) -> VerificationOutcome?
    {
        let imageDigest = digest.description
        guard payload.manifestDigest.hasSameBytes(as: imageDigest) else {
            return .invalid(
                .digestMismatch,
                "payload names digest \(Self.shownDigest(payload.manifestDigest)) but the image is \(imageDigest)"
            )
        }

        let identity = image.identity
        // kritis writes the bare normalised repository: skip parsing in that common case.
        if !payload.dockerReference.hasSameBytes(as: identity) {
            let named: ImageReference
            do {
                named = try ImageReference(parsing: payload.dockerReference)
            } catch {
                return .invalid(
                    .malformedPayload,
                    "payload critical.identity.docker-reference is not an image reference: \(error.reason)"
                )
            }
            guard named.sameRepository(as: image) else {
                return .invalid(
                    .identityMismatch,
                    "payload names repository \(named.identity) but the image is \(identity)"
                )
            }
            if let pinned = named.digest, pinned != digest {
                return .invalid(
                    .digestMismatch,
                    "payload docker-reference \(Self.shown(payload.dockerReference)) pins digest \(pinned) but the "
                        + "image is \(imageDigest)"
                )
            }
        }

        guard acceptedTypes.contains(where: { $0.hasSameBytes(as: payload.type) }) else {
            return .invalid(
                .wrongType,
                "payload type \(Self.shown(payload.type)) is not accepted; accepted: "
                    + acceptedTypes.sorted().map { Self.shown($0) }.joined(separator: ", ")
            )
        }
        return nil
    }

    /// The outcome of a payload that passed every rule.
    private func valid(_ payload: SimpleSigningPayload, _ image: ImageReference, _ digest: Digest)
        -> VerificationOutcome
    {
        let identity = image.identity
        let imageDigest = digest.description
        // Built in one allocation.
        var message = "payload attests "
        message.reserveCapacity(
            message.utf8.count + identity.utf8.count + imageDigest.utf8.count + payload.type.utf8.count + 4
        )
        message += identity
        message += "@"
        message += imageDigest
        message += " ("
        message += payload.type
        message += ")"
        return .valid(message)
    }

    private static func shown(_ text: String) -> String { TextQuoting.quoted(text) }

    /// A well-formed digest bare, anything else quoted and escaped (it is untrusted text).
    private static func shownDigest(_ text: String) -> String {
        (try? Digest(parsing: text)) != nil ? text : TextQuoting.quoted(text)
    }
}
