import ArgumentParser
import AttestCore
import AttestCrypto

/// `attestctl keygen`: makes a signing key pair.
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a signing key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM)."
    )

    @Option(
        name: .customLong("alg"),
        help: "Signature algorithm the key is for (e.g. rsa-pss-sha256, ecdsa-p256-sha256, ed25519)."
    )
    var algorithm: String = "rsa-pss-sha256"

    @Option(help: "RSA modulus size in bits (2048, 3072 or 4096).")
    var bits: Int = 2048

    @Option(name: .customLong("out"), help: "Output prefix: writes PREFIX.key and PREFIX.pub.")
    var prefix: String

    @Flag(help: "Replace PREFIX.key and PREFIX.pub if they exist (by default an existing key is never overwritten).")
    var force = false

    func run() async throws {
        try await runReportingInputErrors {
            let algorithm = try parseAlgorithm(algorithm)
            guard [2048, 3072, 4096].contains(bits) else {
                throw InputError("--bits must be 2048, 3072 or 4096, not \(bits)")
            }
            // A signing key may be the only copy of an attestor's identity: never replace one by accident.
            if !force {
                for path in [prefix + ".key", prefix + ".pub"] where Files.exists(path) {
                    throw InputError("\(path) already exists; pass --force to replace it")
                }
            }
            let key = try PrivateKey.generate(for: algorithm, rsaBits: bits)
            try Files.write(Array(key.pkcs8PEM.utf8), to: prefix + ".key", mode: 0o600, what: "private key")
            try Files.write(Array(key.publicKey.pem.utf8), to: prefix + ".pub", mode: 0o644, what: "public key")
            print("wrote \(prefix).key and \(prefix).pub (\(algorithm.name), \(key.publicKey))")
            print("key id: \(key.publicKey.kritisKeyID)")
            print("fingerprint: sha256:\(key.publicKey.fingerprintHex)")
        }
    }
}
