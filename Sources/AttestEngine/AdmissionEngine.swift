public import AttestCore
public import AttestCrypto
public import AttestPolicy

/// Applies a namespace's policies to images: the one place admission is decided.
///
/// Evaluation is split in two so the daemon can batch, cache and coalesce the expensive part:
/// ``plan(namespace:image:)`` settles everything that needs no cryptography (allowlists, missing policies,
/// tag references, malformed references) and otherwise names the attestors to check; ``decide(_:results:)``
/// applies the policies to the per-attestor facts. ``evaluate(namespace:images:verifier:context:)`` runs both
/// in-process for the CLI.
public struct AdmissionEngine: Sendable {
    /// The configuration whose attestors and policies are applied.
    public let configuration: Configuration

    /// Creates an engine over a loaded configuration.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Settles an image without cryptography where possible.
    ///
    /// - Parameters:
    ///   - namespace: the namespace the workload is created in.
    ///   - image: the image exactly as the workload names it.
    /// - Returns: a final verdict, or the attestors whose checks decide it.
    public func plan(namespace: String, image: String) -> ImagePlan {
        if let match = configuration.allowlistMatch(image: image, namespace: namespace) {
            return .decided(
                ImageVerdict(image: image, admitted: true, reason: .allowlisted, message: match.description)
            )
        }
        let policies = configuration.policies(in: namespace)
        if policies.isEmpty {
            switch configuration.settings.defaultPolicy {
            case .admit:
                return .decided(
                    ImageVerdict(
                        image: image,
                        admitted: true,
                        reason: .noPolicy,
                        message: "namespace \(namespace) has no attestation policy"
                    )
                )
            case .deny:
                return .decided(
                    denial(
                        image,
                        .defaultDeny,
                        details: ["namespace \(namespace) has no attestation policy and the default policy is deny"]
                    )
                )
            }
        }
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: image)
        } catch {
            return .decided(denial(image, .malformedReference, details: ["invalid image reference: \(error.reason)"]))
        }
        guard reference.isAttestable else {
            return .decided(
                denial(
                    image,
                    .notAttestable,
                    details: ["\(image) is referenced by tag; only digest references (REPO@sha256:…) can be attested"]
                )
            )
        }
        var attestors: [Attestor] = []
        var seen: Set<String> = []
        for policy in policies {
            for name in policy.attestorNames where seen.insert(name).inserted {
                if let attestor = configuration.attestor(named: name) { attestors.append(attestor) }
            }
        }
        if attestors.isEmpty {
            let details = policies.compactMap { $0.unsatisfiedReason(given: []) }
            return .decided(denial(image, .emptyPolicy, details: details))
        }
        return .pending(PendingImage(image: image, reference: reference, policies: policies, attestors: attestors))
    }

    /// Applies the namespace's policies to the per-attestor facts.
    ///
    /// - Parameters:
    ///   - pending: what ``plan(namespace:image:)`` returned.
    ///   - results: the check for each attestor of `pending`, by attestor name; a missing entry counts as
    ///     unsatisfied.
    /// - Returns: admitted when one policy is satisfied; otherwise denied as not attested, or as unavailable
    ///   when a transient failure may have hidden an attestation (failing closed).
    public func decide(_ pending: PendingImage, results: [String: AttestorCheck]) -> ImageVerdict {
        let satisfied = Set(results.compactMap { $0.value.satisfied ? $0.key : nil })
        let satisfiedSorted = satisfied.sorted()
        if let policy = pending.policies.first(where: { $0.isSatisfied(by: satisfied) }) {
            let keys = satisfiedSorted.map { name in
                results[name]?.keyID.map { "\(name) (key \($0))" } ?? name
            }
            return ImageVerdict(
                image: pending.image,
                admitted: true,
                reason: .attested,
                message: "attested by \(keys.joined(separator: ", ")); policy \(policy.qualifiedName) satisfied",
                satisfiedAttestors: satisfiedSorted
            )
        }
        // Report the policy closest to being satisfied, the one needing the fewest more satisfied attestors
        // (an `any` policy of three needs one, not three): its missing attestors are what the user must add.
        func stillNeeded(_ policy: Policy) -> Int {
            let have = policy.attestorNames.count - policy.missingAttestors(given: satisfied).count
            return policy.attestorNames.isEmpty ? Int.max : max(1, policy.requiredCount) - have
        }
        let closest = pending.policies.min { stillNeeded($0) < stillNeeded($1) }!
        // Sorted, as ImageVerdict.missingAttestors promises, so the answer does not depend on YAML order.
        let missing = closest.missingAttestors(given: satisfied).sorted()
        var details: [String] = []
        if let why = closest.unsatisfiedReason(given: satisfied) { details.append(why) }
        for name in missing {
            if let check = results[name] {
                details.append("attestor \(name): \(check.message)")
            } else if configuration.attestor(named: name) == nil {
                details.append("attestor \(name): not configured")
            } else {
                details.append("attestor \(name): not checked")
            }
        }
        let transient = missing.contains { results[$0]?.isTransient ?? false }
        return denial(
            pending.image,
            transient ? .unavailable : .notAttested,
            satisfied: satisfiedSorted,
            missing: missing,
            details: details
        )
    }

    /// Decides a batch of images in-process, one attestor check at a time on the calling thread.
    ///
    /// - Parameters:
    ///   - namespace: the namespace the workload is created in.
    ///   - images: images exactly as the workload names them.
    ///   - verifier: checks attestors against stored attestations.
    ///   - context: the calling thread's OpenSSL scratch state.
    /// - Returns: one verdict per image, in order.
    public func evaluate(
        namespace: String,
        images: [String],
        verifier: AttestationVerifier,
        context: VerifierContext
    ) -> [ImageVerdict] {
        images.map { image in
            switch plan(namespace: namespace, image: image) {
            case .decided(let verdict):
                return verdict
            case .pending(let pending):
                let checks = verifier.check(image: pending.reference, attestors: pending.attestors, context: context)
                var results: [String: AttestorCheck] = [:]
                for (attestor, check) in zip(pending.attestors, checks) {
                    results[attestor.name] = check
                }
                return decide(pending, results: results)
            }
        }
    }

    private func denial(
        _ image: String,
        _ reason: ImageVerdict.Reason,
        satisfied: [String] = [],
        missing: [String] = [],
        details: [String]
    ) -> ImageVerdict {
        ImageVerdict(
            image: image,
            admitted: false,
            reason: reason,
            message: "image \(image) is not attested",
            satisfiedAttestors: satisfied,
            missingAttestors: missing,
            details: details
        )
    }
}

/// What ``AdmissionEngine/plan(namespace:image:)`` found for one image.
public enum ImagePlan: Sendable {
    /// Settled without cryptography.
    case decided(ImageVerdict)
    /// Needs the listed attestor checks, then ``AdmissionEngine/decide(_:results:)``.
    case pending(PendingImage)
}

/// An image whose verdict waits on attestor checks.
public struct PendingImage: Sendable {
    /// The image exactly as the workload names it.
    public var image: String
    /// The parsed digest reference.
    public var reference: ImageReference
    /// The namespace's policies; one satisfied policy admits.
    public var policies: [Policy]
    /// Every configured attestor any of the policies names, each once.
    public var attestors: [Attestor]
}
