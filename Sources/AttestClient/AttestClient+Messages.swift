public import AttestWire

extension AttestClient {
    /// Sends PING and returns the echoed data.
    /// - Parameters:
    ///   - data: Bytes the daemon echoes.
    ///   - timeout: Deadline for this request (default: the configuration's).
    /// - Returns: The data the daemon sent back.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``; a changed echo is a protocol violation.
    @discardableResult
    public func ping(data: [UInt8] = [], timeout: Duration? = nil) async throws -> [UInt8] {
        guard case .ping(let response) = try await send(.ping(PingRequest(data: data)), timeout: timeout) else {
            preconditionFailure("send checks the response opcode")
        }
        guard response.data == data else {
            throw AttestClientError(
                .protocolViolation,
                "daemon at \(socketPath) echoed \(response.data.count) bytes that differ from the \(data.count) sent"
            )
        }
        return response.data
    }

    /// The daemon's HELLO answer: version, limits, features and software version. Connects (and negotiates)
    /// if needed.
    /// - Returns: The negotiated HELLO response.
    /// - Throws: ``AttestClientError`` if not connected or negotiation is off (``Configuration/negotiate``).
    public func hello() async throws -> HelloResponse {
        let connection = try await connection()
        guard let hello = connection.hello else {
            throw AttestClientError(
                .protocolViolation,
                "no HELLO was negotiated with \(socketPath): the client configuration has negotiation off"
            )
        }
        return hello
    }

    /// Policy checks for (namespace, image) pairs (CHECK). Batches larger than the daemon's
    /// `max_batch_items` are split into pipelined requests.
    /// - Parameters:
    ///   - items: The pairs to check; result *i* answers item *i*.
    ///   - timeout: Deadline for each request (default: the configuration's).
    /// - Returns: One result per item.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func check(items: [(namespace: String, image: String)], timeout: Duration? = nil) async throws
        -> [CheckResult]
    {
        let wireItems = items.map { CheckItem(namespace: $0.namespace, image: $0.image) }
        return try await chunked(wireItems) { chunk in
            let response = try await self.send(.check(CheckRequest(items: chunk)), timeout: timeout)
            guard case .check(let answer) = response else { preconditionFailure("send checks the response opcode") }
            return try self.expectCount(answer.results, chunk.count, "CHECK")
        }
    }

    /// Policy checks of images in one namespace (CHECK).
    /// - Parameters:
    ///   - namespace: The namespace the images would run in.
    ///   - images: Images as the workload names them.
    ///   - timeout: Deadline for each request.
    /// - Returns: One result per image.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func check(namespace: String, images: [String], timeout: Duration? = nil) async throws
        -> [CheckResult]
    {
        try await check(items: images.map { (namespace: namespace, image: $0) }, timeout: timeout)
    }

    /// One admission decision (ADMIT).
    /// - Parameters:
    ///   - request: Namespace, kind, name, operation, dry-run flag, annotations and images.
    ///   - timeout: Deadline for this request.
    /// - Returns: The decision with one check result per image.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func admit(_ request: AdmitRequest, timeout: Duration? = nil) async throws -> AdmitResponse {
        guard case .admit(let response) = try await send(.admit(request), timeout: timeout) else {
            preconditionFailure("send checks the response opcode")
        }
        _ = try expectCount(response.results, request.images.count, "ADMIT")
        return response
    }

    /// Raw signature checks (VERIFY), split into pipelined requests of at most `max_batch_items`.
    /// - Parameters:
    ///   - items: Algorithm, key, optional image, payload and signature of each check.
    ///   - timeout: Deadline for each request.
    /// - Returns: One result per item.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func verify(_ items: [VerifyItem], timeout: Duration? = nil) async throws -> [VerifyResult] {
        try await chunked(items) { chunk in
            let response = try await self.send(.verify(VerifyRequest(items: chunk)), timeout: timeout)
            guard case .verify(let answer) = response else { preconditionFailure("send checks the response opcode") }
            return try self.expectCount(answer.results, chunk.count, "VERIFY")
        }
    }

    /// Stores attestations in the daemon's store (PUT_ATTESTATIONS).
    /// - Parameters:
    ///   - items: Image, payload, signature, key id and source of each attestation.
    ///   - timeout: Deadline for this request.
    /// - Returns: How many were newly stored, and one result per item.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func putAttestations(_ items: [PutAttestationItem], timeout: Duration? = nil) async throws
        -> PutAttestationsResponse
    {
        let request = PutAttestationsRequest(items: items)
        guard case .putAttestations(let response) = try await send(.putAttestations(request), timeout: timeout)
        else { preconditionFailure("send checks the response opcode") }
        _ = try expectCount(response.results, items.count, "PUT_ATTESTATIONS")
        return response
    }

    /// The daemon's counters and gauges (STATS).
    /// - Parameter timeout: Deadline for this request.
    /// - Returns: Counters and gauges, by dotted name.
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal``.
    public func stats(timeout: Duration? = nil) async throws -> StatsResponse {
        guard case .stats(let response) = try await send(.stats(StatsRequest()), timeout: timeout) else {
            preconditionFailure("send checks the response opcode")
        }
        return response
    }

    /// Asks the daemon to reload its configuration (RELOAD).
    /// - Parameters:
    ///   - path: A new configuration file, or `nil` to re-read the current one.
    ///   - timeout: Deadline for this request.
    /// - Returns: Whether the new configuration is in force, and the daemon's message (naming the refused
    ///   file, document and field when it is not).
    /// - Throws: ``AttestClientError`` or ``DaemonRefusal`` (`not-permitted` for unprivileged peers).
    public func reload(path: String? = nil, timeout: Duration? = nil) async throws -> ReloadResponse {
        guard case .reload(let response) = try await send(.reload(ReloadRequest(configPath: path)), timeout: timeout)
        else { preconditionFailure("send checks the response opcode") }
        return response
    }

    // MARK: - Helpers

    private func chunked<Item: Sendable, Result: Sendable>(
        _ items: [Item],
        _ body: @escaping @Sendable ([Item]) async throws -> [Result]
    ) async throws -> [Result] {
        let connection = try await connection()
        let size = max(1, Int(connection.peerLimits.maxBatchItems))
        if items.count <= size { return try await body(items) }
        let chunks = stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
        return try await withThrowingTaskGroup(of: (Int, [Result]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { (index, try await body(chunk)) }
            }
            var answers = [[Result]](repeating: [], count: chunks.count)
            for try await (index, results) in group { answers[index] = results }
            return answers.flatMap { $0 }
        }
    }

    private func expectCount<Element>(_ results: [Element], _ expected: Int, _ what: String) throws -> [Element] {
        guard results.count == expected else {
            throw AttestClientError(
                .protocolViolation,
                "daemon at \(socketPath) answered a \(what) request of \(expected) items with \(results.count) results"
            )
        }
        return results
    }
}
