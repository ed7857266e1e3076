public import AttestCore
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded attestation store: one SQLite file (WAL mode, through GRDB) holding candidate attestations
/// per repository identity and digest.
///
/// The file is created on first use. Every ``put(_:)`` is one transaction that is durable when the call
/// returns (`synchronous = FULL`), so a crash in the middle of an import loses nothing already acknowledged and
/// never leaves a half-written record. Lookups go through a cached prepared statement on one of several reader
/// connections and may be called concurrently from any number of threads, also while another process writes to
/// the same file.
///
/// Attestations are stored as candidates: the store checks their shape, never their signatures; that happens at
/// decision time.
public final class AttestationStore: AttestationSource {
    /// The largest payload the store accepts, in bytes (256 KiB); simple-signing payloads are a few hundred bytes.
    public static let maximumPayloadSize = 256 * 1024
    /// The largest signature the store accepts, in bytes (64 KiB); an RSA-16384 signature is 2 KiB.
    public static let maximumSignatureSize = 64 * 1024
    /// The longest repository identity the store accepts, in bytes.
    public static let maximumRepositoryLength = 1024
    /// The longest key id or source the store accepts, in bytes.
    public static let maximumLabelLength = 4096

    /// The path of the store file, as given.
    public let path: String
    private let pool: DatabasePool
    /// Idle raw read connections for ``attestations(repository:digest:)``, taken and returned under the lock.
    private let readers = Mutex<[StoreReadConnection]>([])
    /// Recent lookups kept in memory, when the store was opened with limits for them.
    private let recordCache: StoreRecordCache?
    /// The most idle read connections kept; more are opened while more threads read at once, then closed.
    private static let maximumIdleReaders = 16
    /// How long a lookup waits for a lock, like the pool's `busyMode`.
    private static let busyTimeoutMilliseconds: Int32 = 10_000

    private static let lookupSQL = """
        SELECT repository, digest, payload, signature, keyID, source
        FROM attestation WHERE repository = ? AND digest = ?
        """
    /// The hot lookup of the raw read connections: only the columns the caller does not already know, in the
    /// unique index's order like ``lookupSQL`` (an `ORDER BY id` would add a sorter to every lookup).
    private static let fastLookupSQL = """
        SELECT payload, signature, keyID, source
        FROM attestation WHERE repository = ? AND digest = ?
        """
    private static let insertSQL = """
        INSERT INTO attestation (repository, digest, payload, signature, keyID, source)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (repository, digest, signature) DO NOTHING
        """

    /// Opens the store at `path`, creating the file and its schema if needed.
    ///
    /// - Parameters:
    ///   - path: the SQLite file. Its parent directory must exist unless `createDirectory` is set.
    ///   - createDirectory: create the parent directory (and its parents) when it is missing.
    ///   - recordCache: keep recent lookups in memory within these limits (see ``RecordCacheLimits``); `nil`
    ///     or a zero limit reads the file for every lookup. Lookups answered from memory are as current as
    ///     uncached ones: each asks SQLite whether anything was committed since, and a commit empties the cache.
    /// - Throws: ``StoreError`` with ``StoreError/Code/directoryMissing``, ``StoreError/Code/notWritable``,
    ///   ``StoreError/Code/notADatabase`` (the file is something else, or damaged), ``StoreError/Code/unknownSchema``
    ///   (another application's database), ``StoreError/Code/newerSchema`` or ``StoreError/Code/openFailed``.
    public init(path: String, createDirectory: Bool = false, recordCache: RecordCacheLimits? = nil) throws {
        self.path = path
        self.recordCache = recordCache.flatMap {
            $0.maxEntries > 0 && $0.maxBytes > 0 ? StoreRecordCache(limits: $0) : nil
        }
        try Self.prepareFile(at: path, createDirectory: createDirectory)

        var configuration = Configuration()
        configuration.label = "attestd.store"
        // Another process (an import, `attestctl attach`) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.storeError(error, path: path, doing: "open the database", fallback: .openFailed)
        }
        self.pool = pool

        do {
            // WAL's default (NORMAL) may lose the last commits on power loss; an acknowledged import must not.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = Self.migrator
            let state = try pool.read { db -> SchemaState in
                if try migrator.hasBeenSuperseded(db) { return .newer }
                let tables = try String.fetchAll(
                    db,
                    sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
                if !tables.isEmpty && !tables.contains("grdb_migrations") { return .foreign(tables) }
                return .known
            }
            switch state {
            case .newer:
                throw StoreError(
                    .newerSchema,
                    "the file was written by a newer version of attestd (unknown schema migrations); upgrade attestd",
                    path: path
                )
            case .foreign(let tables):
                throw StoreError(
                    .unknownSchema,
                    "the file is an SQLite database but not an attestd store (tables: \(tables.sorted().joined(separator: ", ")))",
                    path: path
                )
            case .known:
                try migrator.migrate(pool)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, doing: "prepare the schema", fallback: .openFailed)
        }
    }

    // MARK: - Reading

    /// Returns every stored attestation for one image.
    ///
    /// An indexed lookup through a prepared statement on one of several raw read-only connections (each held
    /// by one thread at a time, its statement prepared once); safe to call concurrently from many threads.
    /// Every lookup sees every transaction committed before it starts, also those of other processes.
    ///
    /// - Parameters:
    ///   - repository: the normalised repository identity, for example `docker.io/library/alpine`.
    ///   - digest: `sha256:HEX`.
    /// - Returns: the candidates, possibly empty, in the order of the store's index (by signature bytes), the
    ///   same order on every call.
    /// - Throws: ``StoreError`` with ``StoreError/Code/readFailed`` when the file cannot be read.
    public func attestations(repository: String, digest: String) throws -> [StoredAttestation] {
        try read(
            doing: "look up \(repository)@\(digest)",
            unpooled: { try poolAttestations(repository: repository, digest: digest) },
            { reader throws(StoreReadConnection.Failure) in
                if let recordCache {
                    return try reader.attestations(images: [(repository, digest)], cache: recordCache)[0]
                }
                return try reader.attestations(repository: repository, digest: digest)
            }
        )
    }

    /// Returns the stored attestations of several images, read in one transaction (one consistent snapshot
    /// taken after the call starts), which is cheaper than one ``attestations(repository:digest:)`` each.
    ///
    /// - Parameter images: (repository, digest) pairs; an empty list reads nothing.
    /// - Returns: each image's candidates (as ``attestations(repository:digest:)`` returns them), in the order
    ///   of `images`.
    /// - Throws: ``StoreError`` with ``StoreError/Code/readFailed`` when the file cannot be read (nothing is
    ///   returned for any image then).
    public func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]] {
        if images.isEmpty { return [] }
        return try read(
            doing: "look up \(images.count) images (\(images[0].repository)@\(images[0].digest), …)",
            unpooled: { try images.map { try poolAttestations(repository: $0.repository, digest: $0.digest) } },
            { reader throws(StoreReadConnection.Failure) in
                if let recordCache { return try reader.attestations(images: images, cache: recordCache) }
                return try reader.attestations(images: images)
            }
        )
    }

    /// Runs `body` on an idle raw read connection (or a new one), giving it back afterwards.
    ///
    /// - Parameters:
    ///   - doing: what the read does, for the error message.
    ///   - unpooled: the same read through GRDB's pool, used when no raw connection can be opened.
    ///   - body: the read.
    /// - Returns: what `body` returned.
    /// - Throws: ``StoreError`` with ``StoreError/Code/readFailed``; a connection that failed is closed
    ///   rather than reused, and the next read opens a fresh one.
    private func read<Value>(
        doing: @autoclosure () -> String,
        unpooled: () throws -> Value,
        _ body: (StoreReadConnection) throws(StoreReadConnection.Failure) -> Value
    ) throws -> Value {
        let reader: StoreReadConnection
        if let idle = readers.withLock({ $0.popLast() }) {
            reader = idle
        } else {
            do {
                reader = try StoreReadConnection(
                    path: path,
                    sql: Self.fastLookupSQL,
                    busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds
                )
            } catch {
                // The file could not be opened read-only this way: the pool still answers, only slower.
                return try unpooled()
            }
        }
        do {
            let found = try body(reader)
            giveBack(reader)
            return found
        } catch {
            let failure = DatabaseError(
                resultCode: ResultCode(rawValue: error.code),
                message: error.message ?? "SQLite error \(error.code)"
            )
            throw Self.storeError(failure, path: path, doing: doing(), fallback: .readFailed)
        }
    }

    /// Returns a read connection to the idle list, or closes it when enough are idle.
    private func giveBack(_ reader: StoreReadConnection) {
        let surplus: StoreReadConnection? = readers.withLock { idle in
            guard idle.count < Self.maximumIdleReaders else { return reader }
            idle.append(reader)
            return nil
        }
        _ = surplus  // closed here, outside the lock
    }

    /// The same lookup through GRDB's reader pool (used when a raw connection cannot be opened).
    private func poolAttestations(repository: String, digest: String) throws -> [StoredAttestation] {
        do {
            return try pool.read { db in
                let statement = try db.cachedStatement(sql: Self.lookupSQL)
                let rows = try Row.fetchCursor(statement, arguments: [repository, digest])
                var result: [StoredAttestation] = []
                while let row = try rows.next() {
                    result.append(try Self.attestation(from: row))
                }
                return result
            }
        } catch {
            throw Self.storeError(error, path: path, doing: "look up \(repository)@\(digest)", fallback: .readFailed)
        }
    }

    /// What the record cache did, or `nil` when the store keeps no records in memory.
    public var recordCacheStatistics: RecordCacheStatistics? { recordCache?.statistics }

    /// `true` when the store keeps a record cache: a cached image's records come back as the same arrays.
    public var reusesRecordArrays: Bool { recordCache != nil }

    /// The number of attestations in the store.
    ///
    /// - Returns: the row count.
    /// - Throws: ``StoreError`` with ``StoreError/Code/readFailed``.
    public func count() throws -> Int {
        do {
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attestation") ?? 0 }
        } catch {
            throw Self.storeError(error, path: path, doing: "count attestations", fallback: .readFailed)
        }
    }

    /// Returns one page of every stored attestation, in insertion order, for exports.
    ///
    /// Start with `cursor` `nil` and pass each page's ``AttestationPage/nextCursor`` until it is `nil`. Pages are
    /// independent reads, so rows written between two pages appear in a later page and none is repeated.
    ///
    /// - Parameters:
    ///   - cursor: `nil` for the first page, else the previous page's ``AttestationPage/nextCursor``.
    ///   - limit: the largest number of attestations in the page, at least 1.
    /// - Returns: the page.
    /// - Throws: ``StoreError`` with ``StoreError/Code/readFailed``.
    public func all(after cursor: Int64? = nil, limit: Int = 1000) throws -> AttestationPage {
        let limit = max(1, limit)
        do {
            return try pool.read { db in
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT repository, digest, payload, signature, keyID, source, id
                        FROM attestation WHERE id > ? ORDER BY id LIMIT ?
                        """
                )
                let rows = try Row.fetchCursor(statement, arguments: [cursor ?? 0, limit + 1])
                var attestations: [StoredAttestation] = []
                var lastID: Int64 = cursor ?? 0
                var more = false
                while let row = try rows.next() {
                    if attestations.count == limit {
                        more = true
                        break
                    }
                    attestations.append(try Self.attestation(from: row))
                    lastID = row[6]
                }
                return AttestationPage(attestations: attestations, nextCursor: more ? lastID : nil)
            }
        } catch {
            throw Self.storeError(error, path: path, doing: "export attestations", fallback: .readFailed)
        }
    }

    /// Runs SQLite's quick integrity check over the whole file.
    ///
    /// - Throws: ``StoreError`` with ``StoreError/Code/integrityCheckFailed`` naming the first problems found, or
    ///   ``StoreError/Code/readFailed``.
    public func checkIntegrity() throws {
        let problems: [String]
        do {
            problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(10)") }
        } catch {
            throw Self.storeError(error, path: path, doing: "check integrity", fallback: .readFailed)
        }
        guard problems == ["ok"] else {
            throw StoreError(
                .integrityCheckFailed,
                "integrity check failed: \(problems.joined(separator: "; "))",
                path: path
            )
        }
    }

    // MARK: - Writing

    /// Stores attestations in one transaction; attestations already present are left as they are.
    ///
    /// An attestation is already present when the store holds one with the same repository, digest and signature
    /// bytes, so re-importing a file is idempotent. When the call returns, the transaction is committed and
    /// durable. When it throws, nothing of this call was stored.
    ///
    /// - Parameter attestations: the attestations to store.
    /// - Returns: how many were inserted and how many were already present.
    /// - Throws: ``StoreError`` with ``StoreError/Code/invalidRecord`` (naming the index and field) before anything
    ///   is written, or ``StoreError/Code/writeFailed``.
    @discardableResult
    public func put(_ attestations: [StoredAttestation]) throws -> PutSummary {
        for (index, attestation) in attestations.enumerated() {
            if let problem = Self.problem(with: attestation) {
                throw StoreError(.invalidRecord, "attestation \(index) not stored: \(problem)", path: path)
            }
        }
        if attestations.isEmpty { return PutSummary() }
        do {
            return try pool.write { db in
                let statement = try db.cachedStatement(sql: Self.insertSQL)
                var summary = PutSummary()
                for attestation in attestations {
                    try statement.execute(arguments: [
                        attestation.repository,
                        attestation.digest,
                        Data(attestation.payload),
                        Data(attestation.signature),
                        attestation.keyID,
                        attestation.source,
                    ])
                    if db.changesCount > 0 {
                        summary.inserted += 1
                    } else {
                        summary.duplicates += 1
                    }
                }
                return summary
            }
        } catch {
            throw Self.storeError(
                error,
                path: path,
                doing: "store \(attestations.count) attestation(s)",
                fallback: .writeFailed
            )
        }
    }

    /// Removes every attestation stored for one image.
    ///
    /// - Parameters:
    ///   - repository: the normalised repository identity.
    ///   - digest: `sha256:HEX`.
    /// - Returns: the number of attestations removed.
    /// - Throws: ``StoreError`` with ``StoreError/Code/writeFailed``.
    @discardableResult
    public func remove(repository: String, digest: String) throws -> Int {
        do {
            return try pool.write { db in
                try db.execute(
                    sql: "DELETE FROM attestation WHERE repository = ? AND digest = ?",
                    arguments: [repository, digest]
                )
                return db.changesCount
            }
        } catch {
            throw Self.storeError(error, path: path, doing: "remove \(repository)@\(digest)", fallback: .writeFailed)
        }
    }

    // MARK: - Schema

    private enum SchemaState: Sendable {
        case known
        case newer
        case foreign([String])
    }

    /// The schema history; append migrations, never edit a released one.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: attestation table") { db in
            // The UNIQUE index leads with (repository, digest), so it also serves every lookup; a second index on
            // the same prefix would only slow imports down.
            try db.execute(
                sql: """
                    CREATE TABLE attestation (
                        id INTEGER PRIMARY KEY,
                        repository TEXT NOT NULL CHECK (length(repository) > 0),
                        digest TEXT NOT NULL CHECK (length(digest) = 71 AND digest LIKE 'sha256:%'),
                        payload BLOB NOT NULL,
                        signature BLOB NOT NULL CHECK (length(signature) > 0),
                        keyID TEXT,
                        source TEXT NOT NULL,
                        createdAt TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    );
                    CREATE UNIQUE INDEX attestation_image_signature
                        ON attestation (repository, digest, signature);
                    """
            )
        }
        return migrator
    }

    // MARK: - Helpers

    private static func attestation(from row: Row) throws -> StoredAttestation {
        let payload = try row.withUnsafeData(atIndex: 2) { $0.map { [UInt8]($0) } ?? [] }
        let signature = try row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } ?? [] }
        return StoredAttestation(
            repository: row[0],
            digest: row[1],
            payload: payload,
            signature: signature,
            keyID: row[4],
            source: row[5]
        )
    }

    /// Describes what is wrong with an attestation the store would refuse, or returns `nil`.
    static func problem(with attestation: StoredAttestation) -> String? {
        if attestation.repository.isEmpty { return "repository is empty" }
        if attestation.repository.utf8.count > maximumRepositoryLength {
            return "repository is longer than \(maximumRepositoryLength) bytes"
        }
        if attestation.repository.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "repository \"\(attestation.repository)\" contains a space or control character"
        }
        if !isDigest(attestation.digest) {
            return "digest \"\(attestation.digest.prefix(100))\" is not sha256: followed by 64 lower-case hex digits"
        }
        if attestation.payload.isEmpty { return "payload is empty" }
        if attestation.payload.count > maximumPayloadSize {
            return "payload is \(attestation.payload.count) bytes, more than the limit of \(maximumPayloadSize)"
        }
        if attestation.signature.isEmpty { return "signature is empty" }
        if attestation.signature.count > maximumSignatureSize {
            return "signature is \(attestation.signature.count) bytes, more than the limit of \(maximumSignatureSize)"
        }
        if let keyID = attestation.keyID, keyID.utf8.count > maximumLabelLength {
            return "key id is longer than \(maximumLabelLength) bytes"
        }
        if attestation.source.utf8.count > maximumLabelLength {
            return "source is longer than \(maximumLabelLength) bytes"
        }
        return nil
    }

    private static func isDigest(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 71, bytes.starts(with: Array("sha256:".utf8)) else { return false }
        return bytes[7...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Checks the parent directory and creates the file, so that a missing or read-only location is reported as
    /// such rather than as SQLite's generic "unable to open database file".
    private static func prepareFile(at path: String, createDirectory: Bool) throws {
        guard !path.isEmpty else { throw StoreError(.openFailed, "the store path is empty", path: path) }
        let fileManager = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        if !fileManager.fileExists(atPath: parent, isDirectory: &isDirectory) {
            guard createDirectory else {
                throw StoreError(.directoryMissing, "directory \(parent) does not exist", path: path)
            }
            do {
                try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.notWritable, "cannot create directory \(parent): \(error)", path: path)
            }
        } else if !isDirectory.boolValue {
            throw StoreError(.directoryMissing, "\(parent) is not a directory", path: path)
        }

        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw StoreError(.openFailed, "the path is a directory, not a store file", path: path)
            }
            if access(path, R_OK | W_OK) != 0 {
                let code = errno
                throw StoreError(.notWritable, "cannot open the file for writing: \(describe(errno: code))", path: path)
            }
            return
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            let code = errno
            if code == EEXIST { return }  // another process created it just now
            throw StoreError(
                .notWritable,
                "cannot create the file in directory \(parent): \(describe(errno: code))",
                path: path
            )
        }
        close(descriptor)
    }

    private static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// Maps a GRDB or SQLite failure to a ``StoreError``; `fallback` is the code when SQLite gives no better one.
    private static func storeError(
        _ error: any Error,
        path: String,
        doing operation: String,
        fallback: StoreError.Code
    ) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(fallback, "cannot \(operation): \(error)", path: path)
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(
                .notADatabase,
                "cannot \(operation): the file is not an SQLite database or is damaged (\(detail))",
                path: path
            )
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError(.notWritable, "cannot \(operation): the file is read-only (\(detail))", path: path)
        case .SQLITE_CANTOPEN:
            return StoreError(.openFailed, "cannot \(operation): SQLite cannot open the file (\(detail))", path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(
                fallback,
                "cannot \(operation): the database stayed locked by another connection (\(detail))",
                path: path
            )
        default:
            return StoreError(
                fallback,
                "cannot \(operation): \(detail) (SQLite code \(error.extendedResultCode.rawValue))",
                path: path
            )
        }
    }
}
