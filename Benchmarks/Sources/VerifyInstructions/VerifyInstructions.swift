import AttestCore
import AttestCrypto

// Runs N verifications of one algorithm through one path, inside `measuredLoop`, so that
// `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measuredLoop*'` counts exactly the
// instructions of those verifications. The benchmark plugin's `instructions` metric needs a hardware PMU,
// which virtual machines often lack; this count needs none. `scripts/count-instructions.sh` drives it.
//
// Usage: VerifyInstructions attestd|bare ALGORITHM ITERATIONS

@main
struct VerifyInstructions {
    static let payload = Array(
        """
        {"critical":{"identity":{"docker-reference":"registry.example.com/team/service"},\
        "image":{"docker-manifest-digest":"sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1"},\
        "type":"atomic container signature"},"optional":{"creator":"attestctl"}}
        """.utf8
    )

    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, ["attestd", "bare"].contains(arguments[1]),
            let algorithm = SignatureAlgorithm(name: arguments[2]), let iterations = Int(arguments[3]), iterations > 0
        else {
            print("usage: VerifyInstructions attestd|bare ALGORITHM ITERATIONS")
            return
        }
        let privateKey = try PrivateKey.generate(for: algorithm, rsaBits: 2048)
        let key = privateKey.publicKey
        let signature = try privateKey.sign(payload, algorithm: algorithm)
        let verify: () throws -> Bool
        if arguments[1] == "attestd" {
            let context = VerifierContext()
            verify = { try context.verify(signature: signature, message: payload, key: key, algorithm: algorithm) }
        } else {
            let bare = try BareOpenSSLVerifier(key: key, algorithm: algorithm)
            verify = { bare.verify(signature: signature, message: payload) }
        }
        // Warm up outside the counted function: lazy statics, the first context, OpenSSL's one-time setup.
        for _ in 0..<3 {
            let ok = try verify()
            precondition(ok, "the warm-up signature did not verify")
        }
        let valid = try measuredLoop(iterations, verify)
        print("\(arguments[1]) \(algorithm.name) \(iterations) iterations, \(valid) valid")
    }

    @inline(never)
    static func measuredLoop(_ iterations: Int, _ verify: () throws -> Bool) throws -> Int {
        var valid = 0
        for _ in 0..<iterations where try verify() {
            valid += 1
        }
        return valid
    }
}
