public import AttestCore
public import AttestCrypto

/// One public key of an attestor, parsed once at load time, with the algorithms it verifies with.
public struct AttestorKey: Sendable {
    /// The key id (kritis `publicKeyId`/`keyId`, or the key's kritis key id when none was written).
    public var id: String
    /// The parsed key; parsing costs about 0.7 ms, so it is never repeated per request.
    public var publicKey: PublicKey
    /// The algorithms to try, in order; a signature verifying under any of them satisfies the key.
    public var algorithms: [SignatureAlgorithm]

    /// Creates a key entry.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - publicKey: The parsed public key.
    ///   - algorithms: The algorithms to try, in order; each must fit the key (checked by the loader).
    public init(id: String, publicKey: PublicKey, algorithms: [SignatureAlgorithm]) {
        self.id = id
        self.publicKey = publicKey
        self.algorithms = algorithms
    }
}
