/// The answer for one image: used by CHECK responses and ADMIT per-image results.
///
/// Encoding: `u8 decision`, `string reason`, `string message`, `array<string> missing attestors`,
/// `array<string> satisfied attestors`.
public struct CheckResult: WireCodable, Hashable {
    /// Admitted, denied or error.
    public var decision: CheckDecision
    /// A stable reason code: `attested`, `allowlisted`, `not-attested`, `tag-reference`, …
    public var reason: String
    /// A human explanation, for example `image alpine:3.11 is not attested`.
    public var message: String
    /// Attestors the policy requires that no valid attestation satisfied.
    public var missing: [String]
    /// Attestors satisfied by a valid attestation.
    public var satisfied: [String]

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - decision: the decision.
    ///   - reason: the reason code.
    ///   - message: the explanation.
    ///   - missing: unsatisfied attestor names.
    ///   - satisfied: satisfied attestor names.
    public init(
        decision: CheckDecision,
        reason: String,
        message: String = "",
        missing: [String] = [],
        satisfied: [String] = []
    ) {
        self.decision = decision
        self.reason = reason
        self.message = message
        self.missing = missing
        self.satisfied = satisfied
    }

    public static var minimumEncodedSize: Int { 17 }

    public func encode(into writer: inout WireWriter) {
        writer.write(decision.rawValue)
        writer.write(reason)
        writer.write(message)
        writer.write(missing)
        writer.write(satisfied)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        let raw = try reader.readUInt8("\(field()).decision")
        guard let decision = CheckDecision(rawValue: raw) else {
            throw reader.error(.badFrame, "\(field()).decision", "unknown check decision \(raw)")
        }
        self.decision = decision
        reason = try reader.readString("\(field()).reason")
        message = try reader.readString("\(field()).message")
        missing = try reader.readStrings("\(field()).missing")
        satisfied = try reader.readStrings("\(field()).satisfied")
    }
}
