/// One stored attestation: a signature over a simple-signing payload, filed under the image it claims.
///
/// Stored attestations are candidates, never trusted facts: attestd verifies each one at decision time.
public struct StoredAttestation: Sendable, Hashable {
    /// The normalised repository identity the attestation is filed under, for example
    /// `docker.io/library/alpine` or `registry.example.com/team/app`.
    public var repository: String
    /// The image manifest digest, `sha256:` followed by 64 lower-case hex digits.
    public var digest: String
    /// The exact payload bytes the signature covers.
    public var payload: [UInt8]
    /// The raw (decoded) signature bytes.
    public var signature: [UInt8]
    /// The key id the signer named, if any (kritis `publicKeyId`, a fingerprint, a KMS key id…).
    public var keyID: String?
    /// Where the attestation came from: `sign`, `attach`, `import:FILE:LINE`, `registry`, ….
    public var source: String

    /// Creates an attestation record.
    public init(
        repository: String,
        digest: String,
        payload: [UInt8],
        signature: [UInt8],
        keyID: String? = nil,
        source: String
    ) {
        self.repository = repository
        self.digest = digest
        self.payload = payload
        self.signature = signature
        self.keyID = keyID
        self.source = source
    }
}

/// Somewhere attestations for an image can be found: the embedded store, an OCI registry, an import.
///
/// Implementations are called from verification worker threads and must be safe to call concurrently.
public protocol AttestationSource: Sendable {
    /// Returns every candidate attestation for one image.
    ///
    /// - Parameters:
    ///   - repository: the normalised repository identity (``StoredAttestation/repository``).
    ///   - digest: `sha256:HEX`.
    /// - Returns: the candidates, possibly empty; order is unspecified.
    /// - Throws: when the source cannot be read (a transient failure, never a "no").
    func attestations(repository: String, digest: String) throws -> [StoredAttestation]

    /// Returns the candidates of several images at once, which a source may answer more cheaply than one
    /// call each (the embedded store reads them in one transaction).
    ///
    /// - Parameter images: (repository, digest) pairs.
    /// - Returns: each image's candidates, in the order of `images`.
    /// - Throws: when the source cannot be read; nothing is returned for any image then.
    func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]]

    /// Whether reading an unchanged image again hands back the same record arrays (the store's record cache
    /// does): then a per-thread memo keyed by array identity, such as the payload parse memo, pays off.
    var reusesRecordArrays: Bool { get }
}

extension AttestationSource {
    /// `false`: a source that builds new arrays for every read.
    public var reusesRecordArrays: Bool { false }

    /// One ``attestations(repository:digest:)`` call per image, for sources with nothing cheaper.
    ///
    /// - Parameter images: (repository, digest) pairs.
    /// - Returns: each image's candidates, in the order of `images`.
    /// - Throws: the first failure.
    public func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]] {
        try images.map { try attestations(repository: $0.repository, digest: $0.digest) }
    }
}
