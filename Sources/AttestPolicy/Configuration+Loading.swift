internal import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Configuration {
    /// The largest configuration file accepted (16 MiB).
    public static let maximumFileSize = 16 * 1024 * 1024
    /// The most YAML aliases (`*name`) a file may use; see ``ConfigurationError/Code/tooManyAliases``.
    public static let maximumAliasCount = 16

    /// Reads and validates a configuration file.
    ///
    /// - Parameter path: The YAML file: one or more documents separated by `---`.
    /// - Returns: The validated configuration; ``sourceFile`` is `path`.
    /// - Throws: ``ConfigurationError`` naming the file, document, object and field at fault.
    public static func load(path: String) throws -> Configuration {
        let bytes = try readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            throw ConfigurationError(.notUTF8, "not valid UTF-8 at byte offset \(offset)", file: path)
        }
        return try parse(yaml: text, file: path)
    }

    /// Validates a configuration held in memory.
    ///
    /// - Parameters:
    ///   - yaml: The YAML text: one or more documents separated by `---`.
    ///   - file: The name to use in error messages and ``sourceFile``.
    /// - Returns: The validated configuration.
    /// - Throws: ``ConfigurationError`` naming the file, document, object and field at fault.
    public static func parse(yaml: String, file: String) throws -> Configuration {
        guard yaml.utf8.count <= maximumFileSize else {
            throw ConfigurationError(
                .fileTooLarge,
                "\(yaml.utf8.count) bytes exceed the \(maximumFileSize)-byte limit for a configuration",
                file: file
            )
        }
        if let line = YAMLAliasGuard.lineExceedingLimit(in: yaml, limit: maximumAliasCount) {
            throw ConfigurationError(
                .tooManyAliases,
                "more than \(maximumAliasCount) YAML aliases; attestd configurations need none (an alias bomb?)",
                file: file,
                line: line
            )
        }
        var builder = ConfigurationBuilder(file: file)
        let parser: Parser
        do {
            parser = try Parser(yaml: yaml, resolver: .default, constructor: .default, encoding: .utf8)
        } catch {
            throw syntaxError(error, file: file, document: 1)
        }
        var document = 0
        while true {
            document += 1
            let root: Node?
            do {
                root = try parser.nextRoot()
            } catch {
                throw syntaxError(error, file: file, document: document)
            }
            guard let root else { break }
            try builder.add(root: root, document: document)
        }
        return try builder.finish()
    }

    /// Turns a Yams error into a located ``ConfigurationError``.
    private static func syntaxError(_ error: any Error, file: String, document: Int) -> ConfigurationError {
        guard let yamlError = error as? YamlError else {
            return ConfigurationError(.yamlSyntax, "\(error)", file: file, document: document)
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) at line \($0.mark.line), column \($0.mark.column): " } ?? ""
            return ConfigurationError(
                .yamlSyntax,
                "YAML: \(prefix)\(problem) at column \(mark.column)",
                file: file,
                document: document,
                line: mark.line
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigurationError(
                .yamlSyntax,
                "YAML: duplicated key(s) \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in a mapping",
                file: file,
                document: document,
                line: context.mark.line
            )
        case .reader(let problem, let offset, let value, _):
            return ConfigurationError(
                .yamlSyntax,
                "YAML: \(problem) (character 0x\(String(value, radix: 16)) at byte offset \(offset.map(String.init) ?? "?"))",
                file: file,
                document: document
            )
        default:
            return ConfigurationError(.yamlSyntax, "YAML: \(yamlError)", file: file, document: document)
        }
    }

    /// Reads at most ``maximumFileSize`` + 1 bytes, so a huge or endless file (a FIFO, `/dev/zero`) is
    /// refused without being read whole.
    private static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigurationError(.unreadableFile, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigurationError(
                    .unreadableFile,
                    "cannot read: \(String(cString: strerror(errno)))",
                    file: path
                )
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumFileSize else {
                throw ConfigurationError(
                    .fileTooLarge,
                    "larger than the \(maximumFileSize)-byte limit for a configuration",
                    file: path
                )
            }
        }
        return bytes
    }

    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let encoded) = parser.parseScalar(from: &iterator) {
            offset += encoded.count
        }
        return offset
    }
}
