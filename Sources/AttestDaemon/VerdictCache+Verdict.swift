extension VerdictCache {
    /// Why an attestor is not satisfied; the engine assigns codes beyond the predefined ones.
    ///
    /// A `RawRepresentable` struct rather than an enum so that adding a code breaks no caller, and so that a
    /// cache entry spends one byte on it.
    public struct ReasonCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The one-byte code.
        public let rawValue: UInt8

        /// Wraps a one-byte code.
        ///
        /// - Parameter rawValue: The code.
        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// The attestor is satisfied (the reason of every positive verdict).
        public static let satisfied = ReasonCode(rawValue: 0)
        /// The store holds no attestation for the image.
        public static let noAttestation = ReasonCode(rawValue: 1)
        /// Attestations exist but none verifies under any of the attestor's keys.
        public static let signatureNotVerified = ReasonCode(rawValue: 2)
        /// A signature verifies but its payload names another digest, repository or type.
        public static let payloadRejected = ReasonCode(rawValue: 3)

        /// A short name for predefined codes, `code N` otherwise.
        public var description: String {
            switch rawValue {
            case 0: "satisfied"
            case 1: "no attestation"
            case 2: "signature not verified"
            case 3: "payload rejected"
            default: "code \(rawValue)"
            }
        }
    }

    /// A definitive cryptographic fact: an attestor is, or is not, satisfied.
    ///
    /// There is deliberately no way to build a verdict for a transient failure (a store or registry that could
    /// not be read, a timeout): such outcomes must not be cached, and this type cannot express them.
    public struct Verdict: Hashable, Sendable, CustomStringConvertible {
        /// Whether the attestor is satisfied.
        public let isSatisfied: Bool
        /// Why not, or ``ReasonCode/satisfied``.
        public let reason: ReasonCode
        /// The position, in the attestor's key set that the fingerprint identifies, of the key that verified.
        ///
        /// Because the key set fingerprint is part of the cache key, this index is unambiguous.
        public let keyIndex: Int?

        private init(isSatisfied: Bool, reason: ReasonCode, keyIndex: Int?) {
            self.isSatisfied = isSatisfied
            self.reason = reason
            self.keyIndex = keyIndex
        }

        /// The largest key index a verdict can carry (the entry stores it in 16 bits).
        public static let maximumKeyIndex = Int(UInt16.max) - 1

        /// The attestor is satisfied.
        ///
        /// - Parameter keyIndex: The position of the verifying key in the attestor's key set, `nil` if unknown;
        ///   must be in `0...maximumKeyIndex`.
        /// - Returns: A positive verdict.
        public static func satisfied(keyIndex: Int?) -> Verdict {
            if let keyIndex {
                precondition((0...maximumKeyIndex).contains(keyIndex), "key index \(keyIndex) is out of range")
            }
            return Verdict(isSatisfied: true, reason: .satisfied, keyIndex: keyIndex)
        }

        /// The attestor is definitively not satisfied.
        ///
        /// - Parameter reason: Why; must not be ``ReasonCode/satisfied``.
        /// - Returns: A negative verdict.
        public static func notSatisfied(_ reason: ReasonCode) -> Verdict {
            precondition(reason != .satisfied, "a negative verdict needs a reason other than .satisfied")
            return Verdict(isSatisfied: false, reason: reason, keyIndex: nil)
        }

        /// `satisfied (key N)` or `not satisfied: REASON`.
        public var description: String {
            if isSatisfied {
                return keyIndex.map { "satisfied (key \($0))" } ?? "satisfied"
            }
            return "not satisfied: \(reason)"
        }

        /// Packs the verdict into the entry's 24 bits: key index + 1 (0 = none) and the reason code.
        var packed: (keyIndexPlusOne: UInt16, reason: UInt8) {
            (keyIndex.map { UInt16($0 + 1) } ?? 0, reason.rawValue)
        }

        /// Rebuilds a verdict from its packed form.
        init(keyIndexPlusOne: UInt16, reason: UInt8) {
            let reason = ReasonCode(rawValue: reason)
            self.init(
                isSatisfied: reason == .satisfied,
                reason: reason,
                keyIndex: keyIndexPlusOne == 0 ? nil : Int(keyIndexPlusOne) - 1
            )
        }
    }
}
