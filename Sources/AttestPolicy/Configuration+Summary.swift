import AttestCore
import AttestCrypto

extension Configuration {
    /// A human summary for `attestctl config check`: counts, every attestor with its keys (id,
    /// fingerprint, algorithms), every policy with namespace, mode and attestors, the allowlists and the
    /// settings.
    public var summary: String {
        var lines: [String] = []
        let policies = allPolicies
        lines.append(
            "\(sourceFile): \(attestors.count) attestor(s), \(policies.count) polic\(policies.count == 1 ? "y" : "ies") in \(policiesByNamespace.count) namespace(s), \(admissionAllowlist.count) AdmissionAllowlist rule(s), \(settings.allowlistPatterns.count) global allowlist pattern(s)"
        )
        lines.append("")
        lines.append("Attestors:")
        if attestors.isEmpty { lines.append("  (none)") }
        for name in attestors.keys.sorted() {
            let attestor = attestors[name]!
            lines.append(
                "  \(name): \(attestor.keys.count) key(s), key set \(attestor.keySetFingerprintHex.prefix(16))"
            )
            if let note = attestor.noteReference { lines.append("    note: \(note)") }
            lines.append("    accepted types: \(attestor.acceptedTypes.sorted().joined(separator: "; "))")
            for key in attestor.keys {
                lines.append("    key \(key.id)")
                lines.append(
                    "      \(key.publicKey.family.rawValue) \(key.publicKey.bits) bits, sha256 \(key.publicKey.fingerprintHex)"
                )
                lines.append("      algorithms: \(key.algorithms.map(\.name).joined(separator: ", "))")
            }
        }
        lines.append("")
        lines.append("Policies:")
        if policies.isEmpty { lines.append("  (none)") }
        for policy in policies {
            lines.append(
                "  \(policy.qualifiedName): mode \(policy.mode), attestors: \(policy.attestorNames.isEmpty ? "(none: denies every image outside its allowlist)" : policy.attestorNames.joined(separator: ", "))"
            )
            for pattern in policy.allowlistPatterns { lines.append("    allowlist: \(pattern.pattern)") }
        }
        lines.append("")
        lines.append("AdmissionAllowlist:")
        if admissionAllowlist.isEmpty { lines.append("  (none)") }
        for rule in admissionAllowlist {
            lines.append(
                "  \(rule.namePattern.pattern) in \(rule.namespace.map { "namespace \($0)" } ?? "all namespaces") (from \(rule.source))"
            )
        }
        lines.append("")
        lines.append("Settings:")
        let limits = settings.limits
        lines += [
            "  namespaces without a policy: \(settings.defaultPolicy.rawValue)",
            "  default match mode: \(settings.defaultMatchMode)",
            "  socket: \(settings.socketPath) mode 0\(String(settings.socketMode, radix: 8)) peers: \(settings.allowedPeerUIDs.isEmpty ? "own uid and root" : settings.allowedPeerUIDs.map(String.init).joined(separator: ", "))",
            "  store: \(settings.storePath), records of up to \(settings.storeCacheMaxEntries) images (\(settings.storeCacheMaxBytes) bytes) kept in memory",
            "  cache: \(settings.cacheMaxEntries) entries, positive TTL \(SettingValueSyntax.format(settings.positiveTTL)), negative TTL \(SettingValueSyntax.format(settings.negativeTTL))",
            "  workers: \(settings.workerCount == 0 ? "one per core" : String(settings.workerCount))",
            "  limits: frame \(SettingValueSyntax.format(bytes: limits.maxFrameSize)), batch \(limits.maxBatchItems) items, payload \(SettingValueSyntax.format(bytes: limits.maxPayloadSize)), \(limits.maxConnections) connections, idle \(SettingValueSyntax.format(limits.idleTimeout)), slow reader \(SettingValueSyntax.format(limits.slowReaderTimeout))",
            "  accepted payload types: \(settings.acceptedPayloadTypes.sorted().joined(separator: "; "))",
        ]
        for pattern in settings.allowlistPatterns { lines.append("  global allowlist: \(pattern.pattern)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
