public import AttestCore
public import AttestCrypto
public import AttestPolicy

/// Decides one unit of work: does any stored attestation for an image satisfy one attestor?
///
/// An attestation satisfies an attestor when ANY of the attestor's keys verifies its signature over the exact
/// payload bytes with one of the key's algorithms, and the payload then passes the simple-signing checks
/// (digest, repository identity, type). Stored attestations are never trusted for being stored.
public struct AttestationVerifier: Sendable {
    /// Where candidate attestations come from.
    public var source: any AttestationSource
    /// The largest payload accepted, in bytes.
    public var maxPayloadSize: Int

    /// Creates a verifier over a source of candidate attestations.
    /// - Parameters:
    ///   - source: the embedded store, a registry, or any other ``AttestationSource``.
    ///   - maxPayloadSize: payloads larger than this are refused before parsing.
    public init(source: any AttestationSource, maxPayloadSize: Int = 256 * 1024) {
        self.source = source
        self.maxPayloadSize = maxPayloadSize
    }

    /// Checks one attestor for one digest image.
    ///
    /// - Parameters:
    ///   - image: a digest reference (a tag reference is answered `.notAttestable`).
    ///   - attestor: the attestor whose keys must verify.
    ///   - context: the calling thread's OpenSSL scratch state.
    /// - Returns: the fact, never throwing: an unreadable source is a transient, uncacheable answer.
    public func check(image: ImageReference, attestor: Attestor, context: VerifierContext) -> AttestorCheck {
        guard let digest = image.digest else {
            return AttestorCheck(
                satisfied: false,
                reason: .notAttestable,
                message: "\(image.original) is referenced by tag; only digest references can be attested"
            )
        }
        switch fetchCandidates(image: image, digest: digest.description) {
        case .success(let candidates):
            return check(image: image, candidates: candidates, attestor: attestor, context: context)
        case .failure(let unavailable): return unavailable.check
        }
    }

    /// Checks several attestors for one image, reading its stored attestations once for all of them.
    ///
    /// - Parameters:
    ///   - image: a digest reference (a tag reference is answered `.notAttestable` for every attestor).
    ///   - attestors: the attestors to check.
    ///   - context: the calling thread's OpenSSL scratch state.
    /// - Returns: one check per attestor, in order; the same transient answer for each when the source
    ///   cannot be read.
    public func check(image: ImageReference, attestors: [Attestor], context: VerifierContext) -> [AttestorCheck] {
        var operations = 0
        return check(image: image, attestors: attestors, context: context, operations: &operations)
    }

    /// Checks several attestors for one image like ``check(image:attestors:context:)``, counting the signature
    /// verifications it performs (for a daemon's statistics: a miss should cost one).
    ///
    /// - Parameters:
    ///   - image: a digest reference (a tag reference is answered `.notAttestable` for every attestor).
    ///   - attestors: the attestors to check.
    ///   - context: the calling thread's OpenSSL scratch state.
    ///   - operations: incremented by the number of public-key verifications attempted (every key and
    ///     algorithm tried on every candidate).
    /// - Returns: one check per attestor, in order; the same transient answer for each when the source
    ///   cannot be read.
    public func check(
        image: ImageReference,
        attestors: [Attestor],
        context: VerifierContext,
        operations: inout Int
    ) -> [AttestorCheck] {
        guard let digest = image.digest else {
            return attestors.map { check(image: image, attestor: $0, context: context) }
        }
        let fetched: Result<[StoredAttestation], any Error> =
            switch fetchCandidates(image: image, digest: digest.description) {
            case .success(let candidates): .success(candidates)
            case .failure(let unavailable): .failure(unavailable)
            }
        return check(image: image, fetched: fetched, attestors: attestors, context: context, operations: &operations)
    }

    /// Checks several attestors for one image against attestations the caller already read (for example
    /// many images in one store transaction), counting the verifications attempted.
    ///
    /// - Parameters:
    ///   - image: a digest reference (a tag reference is answered `.notAttestable` for every attestor).
    ///   - fetched: the image's candidates as read from ``source``, or the error that prevented reading them
    ///     (answered with the same transient, uncacheable check as ``check(image:attestors:context:)``).
    ///   - attestors: the attestors to check.
    ///   - context: the calling thread's OpenSSL scratch state.
    ///   - operations: incremented by the number of public-key verifications attempted.
    /// - Returns: one check per attestor, in order.
    public func check(
        image: ImageReference,
        fetched: Result<[StoredAttestation], any Error>,
        attestors: [Attestor],
        context: VerifierContext,
        operations: inout Int
    ) -> [AttestorCheck] {
        guard let digest = image.digest else {
            return attestors.map { check(image: image, attestor: $0, context: context) }
        }
        switch fetched {
        case .success(let candidates):
            var checks: [AttestorCheck] = []
            checks.reserveCapacity(attestors.count)
            for attestor in attestors {
                checks.append(
                    check(
                        image: image,
                        candidates: candidates,
                        attestor: attestor,
                        context: context,
                        operations: &operations
                    )
                )
            }
            return checks
        case .failure(let error):
            let unavailable =
                error as? Unavailable ?? Self.unavailable(image: image, digest: digest.description, error: error)
            return Array(repeating: unavailable.check, count: attestors.count)
        }
    }

    /// Reads the stored attestations of a digest image, or the transient check that reports why not.
    private func fetchCandidates(image: ImageReference, digest: String) -> Result<[StoredAttestation], Unavailable> {
        do {
            return .success(try source.attestations(repository: image.identity, digest: digest))
        } catch {
            return .failure(Self.unavailable(image: image, digest: digest, error: error))
        }
    }

    /// The transient answer for an image whose attestations could not be read.
    private static func unavailable(image: ImageReference, digest: String, error: any Error) -> Unavailable {
        Unavailable(
            check: AttestorCheck(
                satisfied: false,
                reason: .sourceUnavailable,
                message: "attestations for \(image.identity)@\(digest) could not be read: \(error)",
                isTransient: true
            )
        )
    }

    /// A source failure as an `Error`, carrying the transient check to report.
    private struct Unavailable: Error {
        var check: AttestorCheck
    }

    /// Checks one attestor against candidates the caller already fetched (one fetch can serve every attestor).
    ///
    /// - Parameters:
    ///   - image: a digest reference.
    ///   - candidates: the stored attestations for that image.
    ///   - attestor: the attestor whose keys must verify.
    ///   - context: the calling thread's OpenSSL scratch state.
    /// - Returns: satisfied with the verifying key id, or the most telling failure.
    public func check(
        image: ImageReference,
        candidates: [StoredAttestation],
        attestor: Attestor,
        context: VerifierContext
    ) -> AttestorCheck {
        var operations = 0
        return check(
            image: image,
            candidates: candidates,
            attestor: attestor,
            context: context,
            operations: &operations
        )
    }

    /// Checks one attestor against candidates already fetched, counting the verifications attempted.
    private func check(
        image: ImageReference,
        candidates: [StoredAttestation],
        attestor: Attestor,
        context: VerifierContext,
        operations: inout Int
    ) -> AttestorCheck {
        guard !candidates.isEmpty else {
            return AttestorCheck(
                satisfied: false,
                reason: .noAttestations,
                message: "no attestation is stored for \(image.identity)@\(image.digest?.description ?? "")"
            )
        }
        let checker = PayloadChecker(
            acceptedTypes: attestor.acceptedTypes,
            maxPayloadSize: maxPayloadSize,
            // Parses are remembered by array identity only where the source hands the same arrays back.
            remembersParses: source.reusesRecordArrays
        )
        // A payload failure after a good signature says more than "no signature verified".
        var payloadFailure: VerificationOutcome?
        var keyFailure: String?
        for candidate in candidates {
            for key in orderedKeys(attestor.keys, hint: candidate.keyID) {
                guard
                    let algorithm = verifyingAlgorithm(
                        candidate,
                        key: key,
                        context: context,
                        failure: &keyFailure,
                        operations: &operations
                    )
                else { continue }
                guard let problem = checker.problem(payload: candidate.payload, image: image) else {
                    return AttestorCheck(
                        satisfied: true,
                        reason: .valid,
                        message: Self.signedMessage(key: key.id, algorithm: algorithm.name, attestor: attestor.name),
                        keyID: key.id
                    )
                }
                if payloadFailure == nil { payloadFailure = problem }
                // The signature is this key's; other keys cannot make this payload acceptable.
                break
            }
        }
        if let payloadFailure {
            return AttestorCheck(satisfied: false, reason: payloadFailure.reason, message: payloadFailure.message)
        }
        if let keyFailure {
            return AttestorCheck(satisfied: false, reason: .keyMismatch, message: keyFailure)
        }
        let noun = candidates.count == 1 ? "attestation" : "attestations"
        return AttestorCheck(
            satisfied: false,
            reason: .badSignature,
            message: "\(candidates.count) \(noun) found, none signed by a key of attestor \(attestor.name)"
        )
    }

    /// "signed by key K (ALGORITHM) of attestor A", built in one allocation: every verified check makes one.
    private static func signedMessage(key: String, algorithm: String, attestor: String) -> String {
        var message = "signed by key "
        message.reserveCapacity(message.utf8.count + key.utf8.count + algorithm.utf8.count + attestor.utf8.count + 16)
        message += key
        message += " ("
        message += algorithm
        message += ") of attestor "
        message += attestor
        return message
    }

    /// The algorithm under which `key` verifies the candidate's signature, or `nil`.
    private func verifyingAlgorithm(
        _ candidate: StoredAttestation,
        key: AttestorKey,
        context: VerifierContext,
        failure: inout String?,
        operations: inout Int
    ) -> SignatureAlgorithm? {
        for algorithm in key.algorithms {
            operations += 1
            do {
                if try context.verify(
                    signature: candidate.signature,
                    message: candidate.payload,
                    key: key.publicKey,
                    algorithm: algorithm
                ) {
                    return algorithm
                }
            } catch {
                failure = "key \(key.id) cannot verify \(algorithm.name): \(error)"
            }
        }
        return nil
    }

    /// The attestor's keys with the one the attestation names first, so a rotation set costs one verify.
    private func orderedKeys(_ keys: [AttestorKey], hint: String?) -> [AttestorKey] {
        guard let hint, keys.count > 1,
            let index = keys.firstIndex(where: {
                $0.id == hint || $0.publicKey.fingerprintHex == hint || $0.publicKey.kritisKeyID == hint
            }), index != 0
        else { return keys }
        var ordered = keys
        ordered.swapAt(0, index)
        return ordered
    }
}
