import AttestCore
import GRDBSQLite

/// One read-only SQLite connection with the lookup statement prepared once, for the store's hot read path.
///
/// GRDB's `DatabasePool.read` wraps every lookup in a reader checkout, a `DispatchQueue.sync` hop and an
/// explicit `BEGIN`/`COMMIT`; measured in attestd's miss path that was several times the cost of the indexed
/// lookup itself. This connection is driven through the SQLite C API instead: bind, step, read the columns
/// straight into the result's arrays, reset. A single `SELECT` outside an explicit transaction runs in its own
/// implicit read transaction, which in WAL mode sees every transaction committed before it started, so each
/// lookup sees all committed data exactly like `DatabasePool.read` did.
///
/// A connection is not thread-safe (opened with `SQLITE_OPEN_NOMUTEX`): the store hands each one to one
/// thread at a time, through its lock (hence `@unchecked Sendable`).
final class StoreReadConnection: @unchecked Sendable {
    private var connection: OpaquePointer?
    private var lookup: OpaquePointer?
    private var begin: OpaquePointer?
    private var commit: OpaquePointer?
    private var dataVersion: OpaquePointer?
    /// `PRAGMA data_version` as this connection last read it; `nil` before its first read.
    private var lastDataVersion: Int64?

    /// The SQLite destructor constant meaning "copy the bound bytes now".
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens `path` read-only and prepares the lookup statement.
    ///
    /// - Parameters:
    ///   - path: the store file (already created and migrated by ``AttestationStore``).
    ///   - sql: the lookup statement; its columns are payload, signature, keyID, source and it takes the
    ///     repository and the digest as parameters 1 and 2.
    ///   - busyTimeoutMilliseconds: how long a lookup waits for a lock held by a writer (WAL readers wait
    ///     only in rare cases such as a checkpoint restarting the log).
    /// - Throws: ``StoreReadConnection/Failure`` with SQLite's code and message.
    init(path: String, sql: String, busyTimeoutMilliseconds: Int32) throws(Failure) {
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let opened = sqlite3_open_v2(path, &handle, flags, nil)
        connection = handle
        guard opened == SQLITE_OK, let handle else {
            let failure = Failure(code: opened, message: handle.map { String(cString: sqlite3_errmsg($0)) })
            sqlite3_close_v2(handle)
            connection = nil
            throw failure
        }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // Read the main file through a shared mapping: no pread per page that fell out of this connection's
        // page cache (a store larger than the cache otherwise costs a system call per lookup). Best effort.
        sqlite3_exec(handle, "PRAGMA mmap_size = 1073741824", nil, nil, nil)
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard prepared == SQLITE_OK, let statement else {
            let failure = Failure(code: prepared, message: String(cString: sqlite3_errmsg(handle)))
            sqlite3_finalize(statement)
            sqlite3_close_v2(handle)
            connection = nil
            throw failure
        }
        lookup = statement
        let others = [
            ("BEGIN DEFERRED", \StoreReadConnection.begin), ("COMMIT", \StoreReadConnection.commit),
            ("PRAGMA data_version", \StoreReadConnection.dataVersion),
        ]
        for (sql, slot) in others {
            var made: OpaquePointer?
            let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &made, nil)
            guard status == SQLITE_OK, let made else {
                let failure = Failure(code: status, message: String(cString: sqlite3_errmsg(handle)))
                sqlite3_finalize(made)
                throw failure  // deinit finalizes what was prepared and closes the connection
            }
            self[keyPath: slot] = made
        }
    }

    deinit {
        sqlite3_finalize(lookup)
        sqlite3_finalize(begin)
        sqlite3_finalize(commit)
        sqlite3_finalize(dataVersion)
        sqlite3_close_v2(connection)
    }

    /// Looks up several images in one read transaction: one snapshot, taken at the first lookup, serves all
    /// of them, so the per-transaction cost (WAL read lock, begin and end) is paid once.
    ///
    /// - Parameter images: (repository, digest) pairs.
    /// - Returns: each image's attestations, in the order of `images`.
    /// - Throws: ``StoreReadConnection/Failure`` when SQLite fails; the transaction is ended either way.
    func attestations(images: [(repository: String, digest: String)]) throws(Failure) -> [[StoredAttestation]] {
        if images.count == 1 { return [try attestations(repository: images[0].repository, digest: images[0].digest)] }
        return try inReadTransaction { _ throws(Failure) in
            var results: [[StoredAttestation]] = []
            results.reserveCapacity(images.count)
            for image in images {
                results.append(try attestations(repository: image.repository, digest: image.digest))
            }
            return results
        }
    }

    /// Looks up several images, answering from `cache` what it holds and reading the rest in one read
    /// transaction, keeping there what was read.
    ///
    /// It first reads `PRAGMA data_version` on its own (an implicit read transaction of one statement), which
    /// changes when another connection (of this process or another) commits. When it changed since this
    /// connection last read it, or this connection never read it, the cache is emptied first (a commit this
    /// connection has not seen may have made any record stale) and nothing read now is kept. Every lookup
    /// reads the version before it consults the cache, so an answer from memory is never older than the file
    /// as that read found it. Images the cache does not hold are then read in one transaction, whose snapshot
    /// is at least as new as the version read; when the cache held them all, no transaction is opened (the
    /// common case of re-verifying images: one statement instead of `BEGIN`, the pragma and `COMMIT`). The
    /// cache's generation is taken before the version is read, so records read in a snapshot older than
    /// another connection's emptying are not kept.
    ///
    /// - Parameters:
    ///   - images: (repository, digest) pairs.
    ///   - cache: the store's record cache.
    /// - Returns: each image's attestations, in the order of `images`.
    /// - Throws: ``StoreReadConnection/Failure`` when SQLite fails; a transaction is ended either way.
    func attestations(
        images: [(repository: String, digest: String)],
        cache: StoreRecordCache
    ) throws(Failure) -> [[StoredAttestation]] {
        guard let dataVersion, let connection else { throw Failure(code: SQLITE_MISUSE, message: nil) }
        let generation = cache.generation
        let keys = images.map { StoreRecordCache.Key(repository: $0.repository, digest: $0.digest) }
        let version = try integer(dataVersion, connection: connection)
        let changed = version != lastDataVersion
        lastDataVersion = version
        if changed { cache.invalidate() }
        var found = cache.records(for: keys)
        guard found.contains(where: { $0 == nil }) else { return found.map { $0 ?? [] } }
        let read = try inReadTransaction { _ throws(Failure) in
            var read: [(key: StoreRecordCache.Key, records: [StoredAttestation])] = []
            for index in found.indices where found[index] == nil {
                let records = try attestations(repository: keys[index].repository, digest: keys[index].digest)
                found[index] = records
                read.append((keys[index], records))
            }
            return read
        }
        if !changed { cache.insert(read, readIn: generation) }
        return found.map { $0 ?? [] }
    }

    /// Runs `body` in one read transaction: one snapshot, taken at its first read, serves all of it.
    ///
    /// - Parameter body: the reads; it gets the connection.
    /// - Returns: what `body` returned.
    /// - Throws: ``StoreReadConnection/Failure``; when `body` or the commit fails the transaction is rolled back,
    ///   so the connection never pins an old snapshot (a read transaction has nothing to lose).
    private func inReadTransaction<Value>(
        _ body: (OpaquePointer) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        guard let connection, let begin, let commit else { throw Failure(code: SQLITE_MISUSE, message: nil) }
        try run(begin, connection: connection)
        do throws(Failure) {
            let value = try body(connection)
            try run(commit, connection: connection)
            return value
        } catch {
            if sqlite3_get_autocommit(connection) == 0 { sqlite3_exec(connection, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    /// Steps a prepared statement that returns one integer, and resets it.
    private func integer(_ statement: OpaquePointer, connection: OpaquePointer) throws(Failure) -> Int64 {
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw Failure(
                code: sqlite3_extended_errcode(connection),
                message: String(cString: sqlite3_errmsg(connection))
            )
        }
        return sqlite3_column_int64(statement, 0)
    }

    /// Runs a prepared statement that returns no rows, and resets it.
    private func run(_ statement: OpaquePointer, connection: OpaquePointer) throws(Failure) {
        defer { sqlite3_reset(statement) }
        let status = sqlite3_step(statement)
        guard status == SQLITE_DONE else {
            throw Failure(
                code: sqlite3_extended_errcode(connection),
                message: String(cString: sqlite3_errmsg(connection))
            )
        }
    }

    /// A failed SQLite call: its result code and message.
    struct Failure: Error {
        /// The SQLite (extended) result code.
        var code: Int32
        /// SQLite's message, when a connection existed to give one.
        var message: String?
    }

    /// Returns every stored attestation for one image, in the order of the statement (its index).
    ///
    /// - Parameters:
    ///   - repository: the repository identity, bound as parameter 1 (and put in each result as given: the
    ///     row matched it byte for byte).
    ///   - digest: the digest, bound as parameter 2.
    /// - Returns: the attestations.
    /// - Throws: ``StoreReadConnection/Failure`` when SQLite fails (busy past the timeout, I/O, corruption).
    func attestations(repository: String, digest: String) throws(Failure) -> [StoredAttestation] {
        guard let statement = lookup, let connection else { throw Failure(code: SQLITE_MISUSE, message: nil) }
        // Always end the implicit read transaction, so the next lookup sees newer commits.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        var result: [StoredAttestation] = []
        try bind(repository, at: 1, statement: statement, connection: connection)
        try bind(digest, at: 2, statement: statement, connection: connection)
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return result }
            guard step == SQLITE_ROW else {
                throw Failure(
                    code: sqlite3_extended_errcode(connection),
                    message: String(cString: sqlite3_errmsg(connection))
                )
            }
            result.append(
                StoredAttestation(
                    repository: repository,
                    digest: digest,
                    payload: Self.bytes(statement, column: 0),
                    signature: Self.bytes(statement, column: 1),
                    keyID: Self.text(statement, column: 2),
                    source: Self.text(statement, column: 3) ?? ""
                )
            )
        }
    }

    private func bind(_ text: String, at index: Int32, statement: OpaquePointer, connection: OpaquePointer)
        throws(Failure)
    {
        var text = text
        let status = text.withUTF8 { bytes -> Int32 in
            bytes.withMemoryRebound(to: CChar.self) { characters -> Int32 in
                guard let start = characters.baseAddress else {
                    return sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
                return sqlite3_bind_text(statement, index, start, Int32(characters.count), Self.transient)
            }
        }
        guard status == SQLITE_OK else {
            throw Failure(code: status, message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// The column's bytes, copied once into a new array (a NULL or empty blob gives an empty array).
    private static func bytes(_ statement: OpaquePointer, column: Int32) -> [UInt8] {
        // sqlite3_column_blob before sqlite3_column_bytes, as SQLite documents.
        guard let blob = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                buffer.baseAddress!.initialize(from: blob.assumingMemoryBound(to: UInt8.self), count: count)
            }
            initialized = count
        }
    }

    /// The column as text, or `nil` for NULL.
    private static func text(_ statement: OpaquePointer, column: Int32) -> String? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL,
            let characters = sqlite3_column_text(statement, column)
        else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }
}
