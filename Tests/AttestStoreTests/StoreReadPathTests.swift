import AttestCore
import Dispatch
import Foundation
import Testing

@testable import AttestStore

/// The raw read connections behind ``AttestationStore/attestations(repository:digest:)``: reused connections
/// must never serve stale data, blobs and NULLs must come back exactly, and failures must be errors.
struct StoreReadPathTests {
    private let repository = "registry.example.com/team/app"

    @Test func aReusedReadConnectionSeesEveryLaterCommit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let store = try AttestationStore(path: path)
        let other = try AttestationStore(path: path)
        // The first lookup opens a connection and leaves it idle; every later lookup reuses it.
        #expect(try store.attestations(repository: repository, digest: testDigest(1)).isEmpty)
        try store.put([testAttestation(signature: [1])])
        #expect(try store.attestations(repository: repository, digest: testDigest(1)).map(\.signature) == [[1]])
        try other.put([testAttestation(signature: [2])])
        #expect(try store.attestations(repository: repository, digest: testDigest(1)).map(\.signature) == [[1], [2]])
        try other.remove(repository: repository, digest: testDigest(1))
        #expect(try store.attestations(repository: repository, digest: testDigest(1)).isEmpty)
    }

    @Test func blobsAndNullKeyIDsComeBackExactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let large = [UInt8]((0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let records = [
            testAttestation(payload: String(repeating: "p", count: 200_000), signature: large, keyID: nil),
            testAttestation(payload: "{\"a\":\"\u{0}\"}", signature: [0, 0, 0], keyID: "", source: ""),
            testAttestation(signature: [9], keyID: "kms://projects/x/keys/é", source: "import:file.jsonl:7"),
        ]
        try store.put(records)
        let found = try store.attestations(repository: repository, digest: testDigest(1))
        #expect(Set(found) == Set(records))
        #expect(found.count == 3)
        #expect(found.first { $0.signature == large }?.keyID == nil)
        #expect(found.first { $0.signature == [0, 0, 0] }?.keyID == "")
    }

    @Test func lookupsWithUnusualKeysMatchOnlyExactBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        try store.put([testAttestation()])
        #expect(try store.attestations(repository: "", digest: "").isEmpty)
        #expect(try store.attestations(repository: repository.uppercased(), digest: testDigest(1)).isEmpty)
        #expect(try store.attestations(repository: repository + "\u{0}", digest: testDigest(1)).isEmpty)
        #expect(try store.attestations(repository: repository, digest: testDigest(1) + " ").isEmpty)
        #expect(try store.attestations(repository: repository, digest: testDigest(1)).count == 1)
    }

    @Test func concurrentReadersAndAWriterNeverSeeAPartialImage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"))
        let images = 32
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            if worker == 0 {
                // Each image's two attestations arrive in one transaction.
                for image in 0..<images {
                    do {
                        try store.put([
                            testAttestation(digest: testDigest(image), signature: [1]),
                            testAttestation(digest: testDigest(image), signature: [2]),
                        ])
                    } catch {
                        failures.add()
                    }
                }
                return
            }
            for round in 0..<400 {
                let count = (try? store.attestations(repository: repository, digest: testDigest(round % images)))?.count
                if count != 0 && count != 2 { failures.add() }
            }
        }
        #expect(failures.value == 0)
        for image in 0..<images {
            #expect(try store.attestations(repository: repository, digest: testDigest(image)).count == 2)
        }
    }

    @Test func aBatchedLookupAnswersEachImageInOrderAndSeesLaterCommits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let store = try AttestationStore(path: path)
        let other = try AttestationStore(path: path)
        try store.put([
            testAttestation(digest: testDigest(1), signature: [1]),
            testAttestation(digest: testDigest(3), signature: [3]),
            testAttestation(digest: testDigest(3), signature: [4]),
        ])
        let images = [(repository, testDigest(3)), (repository, testDigest(2)), (repository, testDigest(1))]
        let found = try store.attestations(images: images)
        #expect(
            found.map { $0.map(\.signature).sorted { $0.lexicographicallyPrecedes($1) } } == [[[3], [4]], [], [[1]]]
        )
        #expect(try store.attestations(images: []).isEmpty)
        #expect(try store.attestations(images: [(repository, testDigest(1))]) == [[testAttestation(signature: [1])]])
        // The batch's transaction ended: the next batch on the same connection sees a later commit.
        try other.put([testAttestation(digest: testDigest(2), signature: [2])])
        #expect(try store.attestations(images: images)[1].map(\.signature) == [[2]])
        // ... and the writer is never blocked by a reader left in a transaction.
        try other.remove(repository: repository, digest: testDigest(3))
        #expect(try store.attestations(images: images)[0].isEmpty)
    }

    @Test func aConnectionToGarbageOrNothingFailsWithSQLitesCode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = directory.file("garbage.db")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: garbage))
        let sql = "SELECT payload, signature, keyID, source FROM attestation WHERE repository = ? AND digest = ?"
        let notADatabase = #expect(throws: StoreReadConnection.Failure.self) {
            _ = try StoreReadConnection(path: garbage, sql: sql, busyTimeoutMilliseconds: 100)
        }
        #expect(notADatabase?.code == 26)  // SQLITE_NOTADB
        let missing = #expect(throws: StoreReadConnection.Failure.self) {
            _ = try StoreReadConnection(path: directory.file("absent.db"), sql: sql, busyTimeoutMilliseconds: 100)
        }
        #expect(missing?.code == 14)  // SQLITE_CANTOPEN: read-only connections never create the file
        #expect(!FileManager.default.fileExists(atPath: directory.file("absent.db")))
    }
}

/// A thread-safe counter for failures seen on worker threads.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
