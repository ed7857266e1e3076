import AttestCore
import Foundation
import Testing

@testable import AttestStore

/// The store shared with other processes: another reader and writer (Python's sqlite3) and a writer killed in the
/// middle of a transaction.
@Suite(.enabled(if: Python.isAvailable, "needs python3 to act as the other process"))
struct StoreProcessTests {
    @Test func anotherProcessReadsWhatTheStoreWroteWhileItIsOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let store = try AttestationStore(path: path)
        try store.put([
            testAttestation(signature: [0xDE, 0xAD], keyID: "k1"),
            testAttestation(digest: testDigest(2), signature: [0xBE, 0xEF], keyID: nil),
        ])

        let output = try Python.run(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10)
            for row in db.execute('SELECT repository, digest, hex(signature), keyID FROM attestation ORDER BY id'):
                print('|'.join('' if v is None else str(v) for v in row))
            """,
            [path]
        )

        #expect(
            output.split(separator: "\n") == [
                "registry.example.com/team/app|\(testDigest(1))|DEAD|k1",
                "registry.example.com/team/app|\(testDigest(2))|BEEF|",
            ]
        )
    }

    @Test func theStoreReadsWhatAnotherProcessWroteWhileItIsOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let store = try AttestationStore(path: path)
        #expect(try store.attestations(repository: "docker.io/library/alpine", digest: testDigest(7)).isEmpty)

        _ = try Python.run(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10)
            db.execute("INSERT INTO attestation (repository, digest, payload, signature, keyID, source) "
                       "VALUES ('docker.io/library/alpine', ?, x'7b7d', x'0102', 'py', 'python')", (sys.argv[2],))
            db.commit()
            """,
            [path, testDigest(7)]
        )

        let found = try store.attestations(repository: "docker.io/library/alpine", digest: testDigest(7))
        #expect(
            found == [
                StoredAttestation(
                    repository: "docker.io/library/alpine",
                    digest: testDigest(7),
                    payload: Array("{}".utf8),
                    signature: [1, 2],
                    keyID: "py",
                    source: "python"
                )
            ]
        )
    }

    @Test func lookupsUseTheIndex() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        _ = try AttestationStore(path: path)

        let plan = try Python.run(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for row in db.execute('EXPLAIN QUERY PLAN SELECT payload FROM attestation WHERE repository = ? AND digest = ?', ('a', 'b')):
                print(row[-1])
            """,
            [path]
        )

        #expect(plan.contains("SEARCH attestation USING INDEX attestation_image_signature (repository=? AND digest=?)"))
    }

    @Test func aWriterKilledMidTransactionLosesOnlyItsUncommittedWork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        do {
            let store = try AttestationStore(path: path)
            try store.put([testAttestation(signature: [0])])
        }

        // 50 committed transactions, then one large open transaction whose pages spill into the WAL (tiny page
        // cache) before the process is killed.
        let writer = try Python.start(
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
            db.execute('PRAGMA cache_size = 2')
            def digest(n): return 'sha256:%064x' % n
            for n in range(1, 51):
                db.execute('BEGIN IMMEDIATE')
                db.execute("INSERT INTO attestation (repository, digest, payload, signature, source) "
                           "VALUES ('registry.example.com/team/app', ?, zeroblob(2000), ?, 'py')", (digest(n), bytes([n])))
                db.execute('COMMIT')
            db.execute('BEGIN IMMEDIATE')
            for n in range(1000, 3000):
                db.execute("INSERT INTO attestation (repository, digest, payload, signature, source) "
                           "VALUES ('registry.example.com/team/app', ?, zeroblob(2000), ?, 'py')", (digest(n), b'x'))
            print('ready', flush=True)
            time.sleep(60)
            """,
            [path]
        )
        let ready = writer.readLine()
        writer.kill()
        try #require(ready == "ready")
        #expect(writer.process.terminationReason == .uncaughtSignal)
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(wal > 1_000_000, "the open transaction should have spilled pages into the WAL")

        let store = try AttestationStore(path: path)
        try store.checkIntegrity()
        #expect(try store.count() == 51)
        #expect(try store.attestations(repository: "registry.example.com/team/app", digest: testDigest(50)).count == 1)
        #expect(try store.attestations(repository: "registry.example.com/team/app", digest: testDigest(1000)).isEmpty)
        #expect(try store.put([testAttestation(signature: [0xFF, 0xFE])]) == PutSummary(inserted: 1, duplicates: 0))
    }
}
