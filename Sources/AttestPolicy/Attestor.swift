import AttestCore
import AttestCrypto

/// A named attestor (kritis `AttestationAuthority`): one or more keys, any of which satisfies it.
public struct Attestor: Sendable {
    /// The attestor's `metadata.name`, as policies refer to it.
    public var name: String
    /// Its keys; a signature verified by ANY key satisfies the attestor.
    public var keys: [AttestorKey]
    /// The simple-signing `critical.type` values this attestor accepts.
    public var acceptedTypes: Set<String>
    /// kritis `spec.noteReference`, kept for display; attestd does not read Grafeas notes.
    public var noteReference: String?
    /// SHA-256 over the sorted key fingerprints with their sorted algorithms and the sorted accepted types.
    ///
    /// It changes whenever a key, an algorithm or an accepted type changes and stays the same when keys or
    /// algorithms are merely reordered, so a verdict cache can key on it and survive reloads that change
    /// nothing that matters.
    public let keySetFingerprint: [UInt8]

    /// Creates an attestor and computes its ``keySetFingerprint``.
    ///
    /// - Parameters:
    ///   - name: The attestor name.
    ///   - keys: Its keys.
    ///   - acceptedTypes: The payload types it accepts.
    ///   - noteReference: kritis `noteReference`, if any.
    public init(name: String, keys: [AttestorKey], acceptedTypes: Set<String>, noteReference: String? = nil) {
        self.name = name
        self.keys = keys
        self.acceptedTypes = acceptedTypes
        self.noteReference = noteReference
        self.keySetFingerprint = Self.fingerprint(keys: keys, acceptedTypes: acceptedTypes)
    }

    /// ``keySetFingerprint`` as lower-case hex.
    public var keySetFingerprintHex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(
            decoding: keySetFingerprint.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] },
            as: UTF8.self
        )
    }

    /// Hashes an unambiguous encoding: every field is length-prefixed, keys and names are sorted.
    private static func fingerprint(keys: [AttestorKey], acceptedTypes: Set<String>) -> [UInt8] {
        var encoded = Array("attestd-keyset-v1".utf8)
        func append(_ bytes: [UInt8]) {
            let count = UInt32(bytes.count)
            encoded += [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
            encoded += bytes
        }
        let entries = keys.map { key in
            (key.publicKey.fingerprint, key.algorithms.map(\.name).sorted())
        }.sorted { lhs, rhs in
            lhs.0 != rhs.0 ? lhs.0.lexicographicallyPrecedes(rhs.0) : lhs.1.lexicographicallyPrecedes(rhs.1)
        }
        append(Array("keys:\(entries.count)".utf8))
        for (fingerprint, algorithms) in entries {
            append(fingerprint)
            append(Array(algorithms.joined(separator: ",").utf8))
        }
        let types = acceptedTypes.sorted()
        append(Array("types:\(types.count)".utf8))
        for type in types { append(Array(type.utf8)) }
        return SHA256.hash(encoded)
    }
}
