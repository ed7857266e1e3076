import AttestCore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AttestStore

#if canImport(Glibc)
    import Glibc
#endif

struct AttestationStoreTests {
    @Test func putThenLookUpReturnsTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let first = testAttestation(signature: Array(0...255), keyID: "kms-key")
        let second = testAttestation(signature: [9, 9, 9], keyID: nil, source: "import:a.jsonl:3")

        let summary = try store.put([first, second])

        #expect(summary == PutSummary(inserted: 2, duplicates: 0))
        let found = try store.attestations(repository: first.repository, digest: first.digest)
        #expect(found == [first, second])
        #expect(try store.count() == 2)
    }

    @Test func rePuttingTheSameAttestationIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let attestation = testAttestation()

        #expect(try store.put([attestation]) == PutSummary(inserted: 1, duplicates: 0))
        #expect(try store.put([attestation]) == PutSummary(inserted: 0, duplicates: 1))
        // A duplicate inside one batch counts once as inserted, once as present.
        let other = testAttestation(signature: [7])
        #expect(try store.put([other, other, attestation]) == PutSummary(inserted: 1, duplicates: 2))
        #expect(try store.count() == 2)
    }

    @Test func lookupsIsolateRepositoryAndDigest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let app = testAttestation(repository: "registry.example.com/team/app", digest: testDigest(1))
        let sameDigestOtherRepository = testAttestation(
            repository: "registry.example.com/team/other",
            digest: testDigest(1),
            signature: [5]
        )
        let sameRepositoryOtherDigest = testAttestation(digest: testDigest(2), signature: [6])
        // A prefix of a repository must not match either.
        let prefix = testAttestation(repository: "registry.example.com/team/ap", signature: [8])
        try store.put([app, sameDigestOtherRepository, sameRepositoryOtherDigest, prefix])

        #expect(try store.attestations(repository: app.repository, digest: app.digest) == [app])
        #expect(
            try store.attestations(repository: "registry.example.com/team/other", digest: testDigest(1))
                == [sameDigestOtherRepository]
        )
        #expect(
            try store.attestations(repository: app.repository, digest: testDigest(2)) == [sameRepositoryOtherDigest]
        )
        #expect(try store.attestations(repository: app.repository, digest: testDigest(3)).isEmpty)
        #expect(try store.attestations(repository: "REGISTRY.EXAMPLE.COM/team/app", digest: app.digest).isEmpty)
    }

    @Test func removeDeletesOnlyThatImage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        try store.put([
            testAttestation(signature: [1]), testAttestation(signature: [2]),
            testAttestation(digest: testDigest(2), signature: [3]),
        ])

        #expect(try store.remove(repository: "registry.example.com/team/app", digest: testDigest(1)) == 2)
        #expect(try store.remove(repository: "registry.example.com/team/app", digest: testDigest(1)) == 0)
        #expect(try store.count() == 1)
    }

    @Test func exportPagesVisitEveryRowOnceInInsertionOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let written = (0..<25).map { testAttestation(digest: testDigest($0), signature: [UInt8($0)]) }
        try store.put(written)

        var read: [StoredAttestation] = []
        var cursor: Int64? = nil
        var pages = 0
        repeat {
            let page = try store.all(after: cursor, limit: 10)
            read += page.attestations
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(read == written)
        #expect(pages == 3)
        #expect(try store.all(limit: 25).nextCursor == nil)
    }

    @Test func reopeningKeepsEverythingAndAnotherInstanceSeesNewWrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        do {
            let store = try AttestationStore(path: path)
            try store.put([testAttestation(signature: [1])])
        }
        let reader = try AttestationStore(path: path)
        let writer = try AttestationStore(path: path)
        #expect(try reader.count() == 1)
        try writer.put([testAttestation(signature: [2])])
        #expect(try reader.attestations(repository: "registry.example.com/team/app", digest: testDigest(1)).count == 2)
        try reader.checkIntegrity()
    }

    /// A record the store must refuse, with the words its refusal must contain.
    struct MalformedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var record: StoredAttestation
        var reason: String
        var testDescription: String { name }

        static let all: [MalformedCase] = [
            .init(name: "empty repository", record: testAttestation(repository: ""), reason: "repository is empty"),
            .init(name: "space in repository", record: testAttestation(repository: "a b"), reason: "contains a space"),
            .init(name: "short digest", record: testAttestation(digest: "sha256:ABC"), reason: "is not sha256:"),
            .init(
                name: "upper-case digest",
                record: testAttestation(digest: testDigest(1).uppercased()),
                reason: "is not sha256:"
            ),
            .init(
                name: "sha512 digest",
                record: testAttestation(digest: "sha512:" + String(repeating: "a", count: 64)),
                reason: "is not sha256:"
            ),
            .init(name: "empty payload", record: testAttestation(payload: ""), reason: "payload is empty"),
            .init(name: "empty signature", record: testAttestation(signature: []), reason: "signature is empty"),
            .init(
                name: "oversized signature",
                record: testAttestation(signature: [UInt8](repeating: 1, count: 64 * 1024 + 1)),
                reason: "signature is 65537 bytes"
            ),
            .init(
                name: "oversized payload",
                record: testAttestation(payload: String(repeating: "x", count: 256 * 1024 + 1)),
                reason: "payload is 262145 bytes, more than the limit"
            ),
        ]
    }

    @Test(arguments: MalformedCase.all)
    func malformedRecordsAreRefusedAndNothingIsWritten(_ malformed: MalformedCase) throws {
        let (record, reason) = (malformed.record, malformed.reason)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))

        let error = try #require(throws: StoreError.self) {
            try store.put([testAttestation(signature: [42]), record])
        }
        #expect(error.code == .invalidRecord)
        #expect(error.reason.contains("attestation 1 not stored"))
        #expect(error.reason.contains(reason))
        #expect(try store.count() == 0)
    }

    @Test func concurrentLookupsFromManyThreadsAllSeeTheirRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let images = 64
        try store.put(
            (0..<images).flatMap { image in
                (0..<3).map { copy in
                    testAttestation(digest: testDigest(image), signature: [UInt8(image), UInt8(copy)])
                }
            }
        )
        let failures = Mutex<[String]>([])

        DispatchQueue.concurrentPerform(iterations: 2_000) { iteration in
            let image = iteration % images
            do {
                let found = try store.attestations(
                    repository: "registry.example.com/team/app",
                    digest: testDigest(image)
                )
                if found.count != 3 || found.contains(where: { $0.digest != testDigest(image) }) {
                    failures.withLock { $0.append("image \(image): got \(found.count) rows") }
                }
            } catch {
                failures.withLock { $0.append("image \(image): \(error)") }
            }
        }
        // Writes concurrent with reads must not disturb them either.
        DispatchQueue.concurrentPerform(iterations: 200) { iteration in
            do {
                if iteration % 10 == 0 {
                    try store.put([testAttestation(digest: testDigest(1_000 + iteration), signature: [1])])
                } else {
                    let found = try store.attestations(
                        repository: "registry.example.com/team/app",
                        digest: testDigest(iteration % images)
                    )
                    if found.count != 3 { failures.withLock { $0.append("iteration \(iteration): \(found.count)") } }
                }
            } catch {
                failures.withLock { $0.append("iteration \(iteration): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(try store.count() == images * 3 + 20)
    }

    // MARK: - Broken files and locations

    @Test func aFileThatIsNotSQLiteIsRefusedClearly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("store.db", "this is a text file, not a database, padded to be long enough\n")

        let error = try #require(throws: StoreError.self) { try AttestationStore(path: path) }
        #expect(error.code == .notADatabase)
        #expect(error.description.contains(path))
        #expect(error.reason.contains("not an SQLite database"))
    }

    @Test func aDamagedDatabaseIsRefusedClearly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        do {
            let store = try AttestationStore(path: path)
            try store.put((0..<200).map { testAttestation(digest: testDigest($0), signature: [UInt8($0 % 256)]) })
        }
        // Checkpointed into the main file when the last connection closed; overwrite its schema page.
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for index in 100..<min(bytes.count, 4096) { bytes[index] = 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let error = try #require(throws: StoreError.self) {
            let store = try AttestationStore(path: path)
            try store.checkIntegrity()
        }
        #expect([StoreError.Code.notADatabase, .integrityCheckFailed].contains(error.code))
        #expect(error.description.contains(path))
    }

    @Test func anotherApplicationsDatabaseIsNotTakenOver() throws {
        try #require(Python.isAvailable)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("other.db")
        _ = try Python.run(
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('CREATE TABLE notes (x)'); db.commit()",
            [path]
        )

        let error = try #require(throws: StoreError.self) { try AttestationStore(path: path) }
        #expect(error.code == .unknownSchema)
        #expect(error.reason.contains("notes"))
    }

    @Test func aMissingDirectoryIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("missing/deeper/store.db")

        let error = try #require(throws: StoreError.self) { try AttestationStore(path: path) }
        #expect(error.code == .directoryMissing)
        #expect(error.reason.contains(directory.file("missing/deeper")))

        let store = try AttestationStore(path: path, createDirectory: true)
        #expect(try store.count() == 0)
    }

    @Test func aParentThatIsAFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("plain", "x")

        let error = try #require(throws: StoreError.self) { try AttestationStore(path: file + "/store.db") }
        #expect(error.code == .directoryMissing)
        #expect(error.reason.contains("is not a directory"))
    }

    @Test func anUnwritableDirectoryIsNamed() throws {
        // /sys refuses file creation even to root, where permission bits would not.
        let path = "/sys/attestd-store-test-\(getpid()).db"
        let error = try #require(throws: StoreError.self) { try AttestationStore(path: path) }
        #expect(error.code == .notWritable)
        #expect(error.description.contains(path))
        #expect(error.reason.contains("cannot create the file in directory /sys"))
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores permission bits"))
    func aReadOnlyDirectoryIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer {
            chmod(directory.path, 0o700)
            directory.remove()
        }
        chmod(directory.path, 0o500)
        let error = try #require(throws: StoreError.self) { try AttestationStore(path: directory.file("store.db")) }
        #expect(error.code == .notWritable)
    }

    @Test func aDirectoryInPlaceOfTheFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = try #require(throws: StoreError.self) { try AttestationStore(path: directory.path) }
        #expect(error.reason.contains("is a directory"))
    }
}
