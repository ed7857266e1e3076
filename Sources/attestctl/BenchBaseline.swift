import AttestCore
import AttestCrypto
import Foundation

/// The bare in-process OpenSSL verify loop the daemon is measured against: one thread per core, each
/// verifying the miss set's signatures with a parsed key for the same duration.
enum BenchBaseline {
    /// Verifications per second over all threads.
    static func run(fixture: BenchFixture, threads: Int, duration: Double) throws -> Double {
        guard let algorithm = SignatureAlgorithm(name: fixture.algorithm) else {
            throw InputError("unknown algorithm \(fixture.algorithm)")
        }
        let verifier = try BareOpenSSLVerifier(key: try PublicKey(pem: fixture.publicKeyPEM), algorithm: algorithm)
        let items = fixture.misses.isEmpty ? fixture.hot : fixture.misses
        let total = LockedBox<(count: Int, failures: Int)>((0, 0))
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var count = 0
            var failures = 0
            var index = thread
            while Date().timeIntervalSince(start) < duration {
                for _ in 0..<64 {
                    let item = items[index % items.count]
                    if !verifier.verify(signature: item.signature, message: item.payload) { failures += 1 }
                    index += 1
                    count += 1
                }
            }
            total.update {
                $0.count += count; $0.failures += failures
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        let (count, failures) = total.get()
        if failures > 0 { throw InputError("baseline: \(failures) of \(count) signatures did not verify") }
        return Double(count) / elapsed
    }
}
