import AttestCore
import AttestCrypto
import AttestStore
import Foundation

/// What the load generator sends: a signing key, signed attestations for a hot set (repeated: cache hits)
/// and a miss set (cycled: cache misses), a store holding them, and an attestd configuration using them.
///
/// Misses without signing millions of payloads: the generated configuration gives the verdict cache a small
/// capacity (``cacheEntries``) and the miss set is several times larger, cycled in order, so every miss
/// digest has been evicted (LRU) long before it comes round again, while the few hot digests, used
/// constantly, stay cached. Each request is then a real miss (store lookup + signature verification).
struct BenchFixture: Codable {
    static let namespace = "bench"
    static let repository = "bench.example/load/app"
    static let attestor = "bench-attestor"

    /// One signed attestation.
    struct Item: Codable {
        var image: String
        var payload: [UInt8]
        var signature: [UInt8]
    }

    var algorithm: String
    var publicKeyPEM: String
    var cacheEntries: Int
    var hot: [Item]
    var misses: [Item]

    /// Signs `hotCount + missCount` attestations on every core.
    static func generate(algorithm: SignatureAlgorithm, hotCount: Int, missCount: Int, cacheEntries: Int) throws
        -> BenchFixture
    {
        let key = try PrivateKey.generate(for: algorithm, rsaBits: 2048)
        let total = hotCount + missCount
        let salt = UInt64.random(in: 0...UInt64.max)
        let items = LockedBox<[Item?]>(Array(repeating: nil, count: total))
        let failure = LockedBox<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: total) { index in
            do {
                let digest = "sha256:" + hex(salt) + hex(UInt64(index)) + hex(salt ^ 0x5bd1_e995) + hex(UInt64(total))
                let reference = try ImageReference(parsing: "\(repository)@\(digest)")
                let payload = try SimpleSigningPayload(image: reference).serialized()
                let signature = try key.sign(payload, algorithm: algorithm)
                let item = Item(image: reference.canonical, payload: payload, signature: signature)
                items.update { $0[index] = item }
            } catch {
                failure.set(error)
            }
        }
        if let error = failure.get() { throw error }
        let all = items.get().map { $0! }
        return BenchFixture(
            algorithm: algorithm.name,
            publicKeyPEM: key.publicKey.pem,
            cacheEntries: cacheEntries,
            hot: Array(all[..<hotCount]),
            misses: Array(all[hotCount...])
        )
    }

    /// Stores every attestation in a SQLite store at `path`.
    func store(at path: String) throws {
        let store = try AttestationStore(path: path, createDirectory: true)
        let records = (hot + misses).map { item in
            let reference = try! ImageReference(parsing: item.image)
            return StoredAttestation(
                repository: reference.identity,
                digest: reference.digest!.description,
                payload: item.payload,
                signature: item.signature,
                keyID: "bench-key",
                source: "bench"
            )
        }
        for start in stride(from: 0, to: records.count, by: 1000) {
            try store.put(Array(records[start..<min(start + 1000, records.count)]))
        }
    }

    /// An attestd configuration: socket, store, a small cache, one HEAD-layout attestor and a policy on
    /// ``namespace`` requiring it.
    func configuration(socket: String, store: String, workers: Int) -> String {
        let pem = publicKeyPEM.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        return """
            apiVersion: attestd.io/v1alpha1
            kind: AttestdConfig
            metadata:
              name: attestctl-bench
            spec:
              socket:
                path: \(socket)
              store:
                path: \(store)
              cache:
                maxEntries: \(cacheEntries)
                positiveTTL: 1h
              workers: \(workers)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: \(Self.attestor)
            spec:
              noteReference: namespaces/\(Self.attestor)
              publicKeys:
                - keyType: PKIX
                  keyId: bench-key
                  pkixPublicKey:
                    signatureAlgorithm: \(algorithm)
                    publicKeyPem: |
            \(pem)
            ---
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: bench
              namespace: \(Self.namespace)
            spec:
              attestationAuthorityNames: [\(Self.attestor)]

            """
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A value behind a lock, for results gathered from concurrent loops.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update<Result>(_ body: (inout Value) -> Result) -> Result { lock.withLock { body(&value) } }
}
