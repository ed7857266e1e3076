import AttestCore
import AttestEngine
import AttestPolicy

/// One immutable generation of the configuration with everything derived from it.
///
/// A request takes the current snapshot once when it starts and uses only it until it is answered, so a
/// reload never changes the rules under a request in flight.
final class DaemonSnapshot: Sendable {
    /// The loaded configuration.
    let configuration: Configuration
    /// The policy engine over it.
    let engine: AdmissionEngine
    /// The attestation checker over the daemon's store.
    let verifier: AttestationVerifier
    /// The verdict cache in effect (`nil` when the configuration disables caching).
    let cache: VerdictCache?
    /// Each attestor's key-set fingerprint in hex, computed once per generation instead of per request.
    let fingerprints: [String: String]
    /// 1 for the configuration loaded at start, incremented by each successful reload.
    let generation: UInt64
    /// The file the configuration came from.
    let path: String
    /// What the engine planned for recent (namespace, image) questions under this generation.
    let memo: PlanMemo

    /// Derives a snapshot.
    ///
    /// - Parameters:
    ///   - configuration: the loaded configuration.
    ///   - source: where attestations come from.
    ///   - cache: the verdict cache to use, or `nil`.
    ///   - generation: the generation number.
    ///   - path: the configuration file.
    ///   - memoCounters: the plan memo's counters, shared across generations.
    init(
        configuration: Configuration,
        source: any AttestationSource,
        cache: VerdictCache?,
        generation: UInt64,
        path: String,
        memoCounters: PlanMemo.Counters = PlanMemo.Counters()
    ) {
        self.configuration = configuration
        self.engine = AdmissionEngine(configuration: configuration)
        self.verifier = AttestationVerifier(
            source: source,
            maxPayloadSize: configuration.settings.limits.maxPayloadSize
        )
        self.cache = cache
        self.fingerprints = configuration.attestors.mapValues(\.keySetFingerprintHex)
        self.generation = generation
        self.path = path
        self.memo = PlanMemo(counters: memoCounters)
    }
}
