import Foundation
import Testing

/// `attach`, `import` and `check` against a real store file.
struct StoreCommandTests {
    /// A key, a configuration requiring it on `default`, and an empty store path.
    private struct World {
        let directory: TemporaryDirectory
        let key: String
        let pub: String
        let store: String
        let config: String

        init() throws {
            directory = try TemporaryDirectory()
            (key, pub) = try Fixtures.keygen(directory, name: "signer")
            store = directory.path("attestations.sqlite")
            config = try directory.write(
                try Fixtures.configuration(publicKeyPath: pub, storePath: store),
                to: "config.yaml"
            )
        }
    }

    @Test func attachThenCheckAdmits() throws {
        let world = try World()
        let (payload, signature) = try Fixtures.sign(world.directory, key: world.key)
        let attach = try CLI.attestctl(
            "attach",
            "--store",
            world.store,
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature,
            "--key-id",
            "my-key"
        )
        #expect(attach.status == 0, "\(attach)")
        #expect(attach.stdout.hasPrefix("stored: \(Fixtures.image)"))
        let again = try CLI.attestctl(
            "attach",
            "--store",
            world.store,
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("already stored"))

        let check = try CLI.attestctl("check", "--config", world.config, "--namespace", "default", Fixtures.image)
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.hasPrefix("\(Fixtures.image): admitted ("))
        #expect(check.stdout.contains("demo-attestor"))
    }

    @Test func attachOfATagImageOrNonBase64SignatureExitsTwo() throws {
        let world = try World()
        let (payload, signature) = try Fixtures.sign(world.directory, key: world.key)
        let tag = try CLI.attestctl(
            "attach",
            "--store",
            world.store,
            "--image",
            "alpine:3.11",
            "--payload",
            payload,
            "--signature",
            signature
        )
        #expect(tag.status == 2, "\(tag)")
        #expect(tag.stderr.contains("tag"))
        let bad = try world.directory.write("%%%", to: "bad.sig")
        let garbage = try CLI.attestctl(
            "attach",
            "--store",
            world.store,
            "--image",
            Fixtures.image,
            "--payload",
            payload,
            "--signature",
            bad
        )
        #expect(garbage.status == 2, "\(garbage)")
        #expect(garbage.stderr.contains("not base64"))
    }

    @Test func checkPrintsOneLinePerImageAndExitsOneWhenAnyIsDenied() throws {
        let world = try World()
        _ = try Fixtures.sign(world.directory, key: world.key, extra: ["--store", world.store])
        let unsigned = "alpine@\(Fixtures.digestA)"
        let check = try CLI.attestctl(
            "check",
            "--config",
            world.config,
            "--store",
            world.store,
            "alpine:3.11",
            unsigned,
            Fixtures.image
        )
        #expect(check.status == 1, "\(check)")
        let lines = check.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(check)")
        #expect(lines[0].hasPrefix("alpine:3.11: denied: image alpine:3.11 is not attested"))
        #expect(
            lines[1].hasPrefix(
                "\(unsigned): denied: image \(unsigned) is not attested; missing attestors: demo-attestor"
            )
        )
        #expect(lines[2].hasPrefix("\(Fixtures.image): admitted ("))
    }

    @Test func checkOutputJSONHasTheDocumentStructure() throws {
        let world = try World()
        _ = try Fixtures.sign(world.directory, key: world.key, extra: ["--store", world.store])
        let unsigned = "alpine@\(Fixtures.digestA)"
        let check = try CLI.attestctl(
            "check",
            "--config",
            world.config,
            "--output",
            "json",
            "--namespace",
            "default",
            Fixtures.image,
            unsigned
        )
        #expect(check.status == 1, "\(check)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any],
            "\(check)"
        )
        #expect(document["namespace"] as? String == "default")
        #expect(document["admitted"] as? Bool == false)
        let images = try #require(document["images"] as? [[String: Any]])
        try #require(images.count == 2)
        #expect(images[0]["image"] as? String == Fixtures.image)
        #expect(images[0]["admitted"] as? Bool == true)
        #expect(images[0]["reason"] as? String == "attested")
        #expect(images[0]["satisfiedAttestors"] as? [String] == ["demo-attestor"])
        #expect(images[1]["admitted"] as? Bool == false)
        #expect(images[1]["reason"] as? String == "not-attested")
        #expect(images[1]["message"] as? String == "image \(unsigned) is not attested")
        #expect(images[1]["missingAttestors"] as? [String] == ["demo-attestor"])
        #expect((images[1]["details"] as? [String])?.isEmpty == false)
    }

    @Test func checkAllAdmittedExitsZeroAndUnpolicedNamespaceAdmits() throws {
        let world = try World()
        _ = try Fixtures.sign(world.directory, key: world.key, extra: ["--store", world.store])
        let check = try CLI.attestctl("check", "--config", world.config, "--namespace", "other", "alpine:3.11")
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.hasPrefix("alpine:3.11: admitted ("))
    }

    @Test func checkWithUnusableInputExitsTwo() throws {
        let world = try World()
        let missingConfig = try CLI.attestctl("check", "--config", world.directory.path("absent.yaml"), Fixtures.image)
        #expect(missingConfig.status == 2, "\(missingConfig)")
        #expect(missingConfig.stderr.contains("absent.yaml"))
        // The configured store was never created.
        let missingStore = try CLI.attestctl("check", "--config", world.config, Fixtures.image)
        #expect(missingStore.status == 2, "\(missingStore)")
        #expect(missingStore.stderr.contains("does not exist"))
        let noImages = try CLI.attestctl("check", "--config", world.config)
        #expect(noImages.status != 0)
    }

    @Test func importOfJSONLinesReportsTheBadLineAndImportsTheGoodOne() throws {
        let world = try World()
        let (payload, signature) = try Fixtures.sign(world.directory, key: world.key)
        let payloadBase64 = Data(try world.directory.read("payload.json")).base64EncodedString()
        let signatureBase64 = String(decoding: try world.directory.read("payload.sig"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = (payload, signature)
        let good =
            #"{"image": "\#(Fixtures.image)", "payload": "\#(payloadBase64)", "signature": "\#(signatureBase64)", "keyId": "k1"}"#
        let bad = #"{"image": "alpine:3.11", "payload": "\#(payloadBase64)", "signature": "\#(signatureBase64)"}"#
        let file = try world.directory.write(bad + "\n" + good + "\n", to: "attestations.jsonl")

        let result = try CLI.attestctl("import", "--store", world.store, file)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("attestations.jsonl:1"), "\(result)")
        #expect(result.stdout.contains("1 imported"), "\(result)")
        #expect(result.stdout.contains("1 rejected"), "\(result)")

        let check = try CLI.attestctl("check", "--config", world.config, Fixtures.image)
        #expect(check.status == 0, "\(check)")
    }

    @Test func importOfAnUnreadableFileExitsTwo() throws {
        let world = try World()
        let result = try CLI.attestctl("import", "--store", world.store, world.directory.path("absent.jsonl"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("absent.jsonl"))
    }
}
