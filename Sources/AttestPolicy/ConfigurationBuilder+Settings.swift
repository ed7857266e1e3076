internal import Yams

extension ConfigurationBuilder {
    /// The largest size any limit may be set to (1 GiB).
    static let maximumLimitSize = 1 << 30

    /// Reads `AttestdConfig` `spec`; every field is optional and unknown fields are refused at every level.
    ///
    /// - Parameter spec: The `spec` mapping, or `nil` for an AttestdConfig without one (all defaults).
    /// - Returns: The settings.
    /// - Throws: ``ConfigurationError`` naming the field.
    static func parseSettings(_ spec: YAMLMapping?) throws -> AttestdSettings {
        var settings = AttestdSettings()
        guard let spec else { return settings }
        try spec.rejectUnknownFields(allowed: [
            "socket", "store", "cache", "workers", "limits", "acceptedPayloadTypes", "allowlistPatterns",
            "defaultPolicy", "matchMode",
        ])
        if let socket = try spec.mapping("socket") {
            try socket.rejectUnknownFields(allowed: ["path", "mode", "allowedPeerUIDs"])
            if let path = try socket.string("path") { settings.socketPath = try absolutePath(path, socket, "path") }
            if let mode = try socket.scalarText("mode") {
                guard let bits = SettingValueSyntax.octalMode(mode.text) else {
                    throw socket.context.error(
                        .invalidValue,
                        field: socket.field("mode"),
                        node: mode.node,
                        "\"\(mode.text)\" is not an octal file mode between 0000 and 0777 (write it quoted: \"0660\")"
                    )
                }
                settings.socketMode = bits
            }
            if let uids = try socket.sequence("allowedPeerUIDs") {
                settings.allowedPeerUIDs = try uids.map { element in
                    guard element.node.tag.description == Tag.Name.int.rawValue, let uid = element.node.int,
                        let value = UInt32(exactly: uid)
                    else {
                        throw socket.context.error(
                            .wrongType,
                            field: element.path,
                            node: element.node,
                            "expected a numeric uid (0...4294967295), found \(YAMLMapping.describe(element.node))"
                        )
                    }
                    return value
                }
            }
        }
        if let store = try spec.mapping("store") {
            try store.rejectUnknownFields(allowed: ["path", "cacheMaxEntries", "cacheMaxBytes"])
            if let path = try store.string("path") { settings.storePath = try absolutePath(path, store, "path") }
            if let entries = try count(store, "cacheMaxEntries", range: 0...100_000_000) {
                settings.storeCacheMaxEntries = entries
            }
            if let bytes = try size(store, "cacheMaxBytes", minimum: 0) { settings.storeCacheMaxBytes = bytes }
        }
        if let cache = try spec.mapping("cache") {
            try cache.rejectUnknownFields(allowed: ["maxEntries", "positiveTTL", "negativeTTL"])
            if let entries = try count(cache, "maxEntries", range: 0...100_000_000) {
                settings.cacheMaxEntries = entries
            }
            if let ttl = try duration(cache, "positiveTTL") { settings.positiveTTL = ttl }
            if let ttl = try duration(cache, "negativeTTL") { settings.negativeTTL = ttl }
        }
        if let workers = try count(spec, "workers", range: 0...1024) { settings.workerCount = workers }
        if let limits = try spec.mapping("limits") {
            try limits.rejectUnknownFields(allowed: [
                "maxFrameSize", "maxBatchItems", "maxPayloadSize", "maxConnections", "idleTimeout", "slowReaderTimeout",
            ])
            if let size = try size(limits, "maxFrameSize", minimum: 1024) { settings.limits.maxFrameSize = size }
            if let items = try count(limits, "maxBatchItems", range: 1...1_000_000) {
                settings.limits.maxBatchItems = items
            }
            if let size = try size(limits, "maxPayloadSize", minimum: 256) { settings.limits.maxPayloadSize = size }
            if let connections = try count(limits, "maxConnections", range: 1...1_000_000) {
                settings.limits.maxConnections = connections
            }
            if let timeout = try duration(limits, "idleTimeout", positive: true) {
                settings.limits.idleTimeout = timeout
            }
            if let timeout = try duration(limits, "slowReaderTimeout", positive: true) {
                settings.limits.slowReaderTimeout = timeout
            }
        }
        if let types = try spec.strings("acceptedPayloadTypes") {
            guard !types.isEmpty else {
                throw spec.context.error(
                    .invalidValue,
                    field: spec.field("acceptedPayloadTypes"),
                    node: spec.value("acceptedPayloadTypes"),
                    "must list at least one payload type"
                )
            }
            settings.acceptedPayloadTypes = Set(types.map(\.value))
        }
        if let patterns = try spec.strings("allowlistPatterns") {
            settings.allowlistPatterns = patterns.map { AllowlistPattern($0.value, syntax: .genericAttestationPolicy)! }
        }
        if let decision = try spec.string("defaultPolicy") {
            guard let value = AttestdSettings.DefaultDecision(rawValue: decision) else {
                throw spec.context.error(
                    .invalidValue,
                    field: spec.field("defaultPolicy"),
                    node: spec.value("defaultPolicy"),
                    "unknown value \"\(decision)\"; expected admit or deny"
                )
            }
            settings.defaultPolicy = value
        }
        if let mode = try spec.string("matchMode") {
            switch mode {
            case "all": settings.defaultMatchMode = .all
            case "any": settings.defaultMatchMode = .any
            default:
                throw spec.context.error(
                    .invalidValue,
                    field: spec.field("matchMode"),
                    node: spec.value("matchMode"),
                    "unknown match mode \"\(mode)\"; expected all or any (thresholds are set per policy)"
                )
            }
        }
        return settings
    }

    private static func absolutePath(_ path: String, _ mapping: YAMLMapping, _ key: String) throws -> String {
        guard path.hasPrefix("/"), !path.utf8.contains(0) else {
            throw mapping.context.error(
                .invalidValue,
                field: mapping.field(key),
                node: mapping.value(key),
                "\"\(path)\" is not an absolute path"
            )
        }
        return path
    }

    private static func count(_ mapping: YAMLMapping, _ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let number = try mapping.int(key) else { return nil }
        guard range.contains(number.value) else {
            throw mapping.context.error(
                .invalidValue,
                field: mapping.field(key),
                node: number.node,
                "\(number.value) is outside \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return number.value
    }

    private static func duration(_ mapping: YAMLMapping, _ key: String, positive: Bool = false) throws -> Duration? {
        guard let scalar = try mapping.scalarText(key) else { return nil }
        guard let duration = SettingValueSyntax.duration(scalar.text), !positive || duration > .zero else {
            throw mapping.context.error(
                .invalidDuration,
                field: mapping.field(key),
                node: scalar.node,
                "\"\(scalar.text)\" is not a\(positive ? " positive" : "") duration up to a year: write 30s, 10m, 1h, 1h30m, 250ms or plain seconds"
            )
        }
        return duration
    }

    private static func size(_ mapping: YAMLMapping, _ key: String, minimum: Int) throws -> Int? {
        guard let scalar = try mapping.scalarText(key) else { return nil }
        guard let size = SettingValueSyntax.size(scalar.text, maximum: maximumLimitSize), size >= minimum else {
            throw mapping.context.error(
                .invalidSize,
                field: mapping.field(key),
                node: scalar.node,
                "\"\(scalar.text)\" is not a size between \(minimum) bytes and 1GiB: write 256KiB, 4MiB or plain bytes"
            )
        }
        return size
    }
}
