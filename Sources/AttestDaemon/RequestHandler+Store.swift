import AttestCore
import AttestStore
import AttestWire
import Logging

extension RequestHandler {
    /// Stores attestations (on the store queue: SQLite writes block) and forgets cached verdicts for the
    /// images they are about, so a negative verdict cached a moment ago does not hide a new attestation.
    ///
    /// - Parameters:
    ///   - items: the attestations.
    ///   - snapshot: the configuration generation whose attestors' entries are forgotten.
    /// - Returns: the PUT_ATTESTATIONS response, or INTERNAL_ERROR when the store failed.
    func store(_ items: [PutAttestationItem], snapshot: DaemonSnapshot) -> Response {
        var results = [PutAttestationResult?](repeating: nil, count: items.count)
        var candidates: [(index: Int, attestation: StoredAttestation)] = []
        var existing: [String: Set<[UInt8]>] = [:]
        do {
            for (index, item) in items.enumerated() {
                let reference: ImageReference
                do {
                    reference = try ImageReference(parsing: item.image)
                } catch {
                    results[index] = PutAttestationResult(status: .rejected, message: "image: \(error.reason)")
                    continue
                }
                guard let digest = reference.digest else {
                    results[index] = PutAttestationResult(
                        status: .rejected,
                        message: "image \(item.image) is referenced by tag; attestations need REPO@sha256:HEX"
                    )
                    continue
                }
                let imageKey = reference.identity + "@" + digest.description
                if existing[imageKey] == nil {
                    let stored = try store.attestations(repository: reference.identity, digest: digest.description)
                    existing[imageKey] = Set(stored.map(\.signature))
                }
                if existing[imageKey]!.insert(item.signature).inserted == false {
                    results[index] = PutAttestationResult(status: .duplicate, message: "already stored")
                    continue
                }
                candidates.append(
                    (
                        index,
                        StoredAttestation(
                            repository: reference.identity,
                            digest: digest.description,
                            payload: item.payload,
                            signature: item.signature,
                            keyID: item.keyID,
                            source: item.source
                        )
                    )
                )
            }
            var stored: UInt32 = 0
            do {
                let summary = try store.put(candidates.map(\.attestation))
                stored = UInt32(summary.inserted)
                for candidate in candidates { results[candidate.index] = PutAttestationResult(status: .stored) }
            } catch {
                // One record was refused and nothing was written: store them one by one to say which.
                for candidate in candidates {
                    do {
                        let summary = try store.put([candidate.attestation])
                        stored += UInt32(summary.inserted)
                        results[candidate.index] = PutAttestationResult(
                            status: summary.inserted > 0 ? .stored : .duplicate,
                            message: summary.inserted > 0 ? "" : "already stored"
                        )
                    } catch {
                        results[candidate.index] = PutAttestationResult(status: .rejected, message: "\(error)")
                    }
                }
            }
            forgetVerdicts(for: candidates.map(\.attestation), snapshot: snapshot)
            return .putAttestations(PutAttestationsResponse(stored: stored, results: results.map { $0! }))
        } catch {
            logger.error("attestation store failed", metadata: ["error": "\(error)"])
            return .error(
                ErrorResponse(
                    status: .internalError,
                    requestOpcode: .putAttestations,
                    message: "attestation store failed: \(error)"
                )
            )
        }
    }

    /// Drops the cached verdicts of every configured attestor for the images of new attestations.
    private func forgetVerdicts(for attestations: [StoredAttestation], snapshot: DaemonSnapshot) {
        guard let cache = snapshot.cache else { return }
        var seen: Set<String> = []
        for attestation in attestations where seen.insert(attestation.repository + "@" + attestation.digest).inserted {
            for (name, fingerprint) in snapshot.fingerprints {
                cache.removeValue(
                    for: keyDeriver.key(
                        repository: attestation.repository,
                        digest: attestation.digest,
                        attestor: name,
                        keySetFingerprint: fingerprint
                    )
                )
            }
        }
    }
}
