import AttestCore
import AttestCrypto
import AttestPolicy
import AttestWire

extension RequestHandler {
    /// Runs raw signature checks on the workers, one job per item, and answers when the last one is done.
    ///
    /// - Parameters:
    ///   - items: the checks.
    ///   - snapshot: the configuration generation naming the attestors.
    ///   - completion: receives the VERIFY response, or BUSY when the pool refused the batch.
    func verify(_ items: [VerifyItem], snapshot: DaemonSnapshot, completion: @escaping Completion) {
        guard !items.isEmpty else {
            completion(.verify(VerifyResponse(results: [])))
            return
        }
        let collector = RequestCollector<VerifyResult>(count: items.count) { results in
            completion(.verify(VerifyResponse(results: results)))
        }
        let jobs: [WorkerPool<VerifierContext>.Job] = items.enumerated().map { index, item in
            { [self] context in
                collector.deliver(index, verifyItem(item, snapshot: snapshot, context: context))
            }
        }
        do {
            try pool.submitBatch(jobs)
        } catch {
            let status: WireStatus = error.code == .busy ? .busy : .shuttingDown
            completion(
                .error(
                    ErrorResponse(
                        status: status,
                        requestOpcode: .verify,
                        message: "verification queue refused \(items.count) item(s): \(error.reason)"
                    )
                )
            )
        }
    }

    /// Checks one VERIFY item on a worker thread.
    ///
    /// - Parameters:
    ///   - item: the signature, payload, key reference and optional image.
    ///   - snapshot: the configuration generation naming the attestors.
    ///   - context: the worker's OpenSSL scratch state.
    /// - Returns: VALID, INVALID with the failing check, or ERROR when it could not be checked.
    func verifyItem(_ item: VerifyItem, snapshot: DaemonSnapshot, context: VerifierContext) -> VerifyResult {
        guard let algorithm = SignatureAlgorithm(name: item.algorithm) else {
            return VerifyResult(
                status: .error,
                reason: "unknown-algorithm",
                message: "algorithm \"\(item.algorithm)\" is not a known signature algorithm"
            )
        }
        let keys: [PublicKey]
        let acceptedTypes: Set<String>
        switch item.key {
        case .attestor(let name):
            guard let attestor = snapshot.configuration.attestor(named: name) else {
                return VerifyResult(
                    status: .error,
                    reason: "unknown-attestor",
                    message: "attestor \"\(name)\" is not configured"
                )
            }
            keys = attestor.keys.map(\.publicKey)
            acceptedTypes = attestor.acceptedTypes
        case .inlineKey(let bytes):
            do {
                keys = [try inlineKeys.key(for: bytes)]
            } catch {
                return VerifyResult(status: .error, reason: "bad-key", message: "inline key: \(error)")
            }
            acceptedTypes = snapshot.configuration.settings.acceptedPayloadTypes
        }
        var verified = false
        var failures: [String] = []
        for key in keys {
            do {
                if try context.verify(signature: item.signature, message: item.payload, key: key, algorithm: algorithm)
                {
                    verified = true
                    break
                }
            } catch {
                failures.append("\(error)")
            }
        }
        guard verified else {
            if failures.count == keys.count {
                return VerifyResult(
                    status: .error,
                    reason: "bad-key",
                    message: "no key can verify \(algorithm.name): " + failures.joined(separator: "; ")
                )
            }
            return VerifyResult(
                status: .invalid,
                reason: VerificationReason.badSignature.rawValue,
                message: "the signature does not verify under \(algorithm.name)"
            )
        }
        guard !item.image.isEmpty else {
            return VerifyResult(status: .valid, reason: VerificationReason.valid.rawValue)
        }
        let image: ImageReference
        do {
            image = try ImageReference(parsing: item.image)
        } catch {
            return VerifyResult(status: .error, reason: "bad-image", message: "image: \(error.reason)")
        }
        guard image.isAttestable else {
            let outcome = VerificationOutcome.notAttestable(image)
            return VerifyResult(status: .invalid, reason: outcome.reason.rawValue, message: outcome.message)
        }
        let checker = PayloadChecker(
            acceptedTypes: acceptedTypes,
            maxPayloadSize: snapshot.configuration.settings.limits.maxPayloadSize
        )
        let outcome = checker.check(payload: item.payload, image: image)
        return VerifyResult(
            status: outcome.isValid ? .valid : .invalid,
            reason: outcome.reason.rawValue,
            message: outcome.isValid ? "" : outcome.message
        )
    }
}
