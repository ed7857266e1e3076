import Foundation
import Testing

/// Whether `strace` can trace a child here (containers may forbid ptrace).
enum Tracing {
    static let straceWorks: Bool = {
        guard let strace = CLI.which("strace"), let truePath = CLI.which("true") else { return false }
        return (try? CLI.run(strace, ["-o", "/dev/null", truePath]).status) == 0
    }()
}

/// The private key must never exist on disk with wider permissions than 0600, not even for a moment.
@Suite(.enabled(if: Tracing.straceWorks, "needs a working strace (ptrace permitted)"))
struct KeyFilePermissionTests {

    /// The first quoted path argument of a traced call, and the second one for `rename`.
    private static func quoted(_ line: Substring) -> [String] {
        line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
    }

    @Test(arguments: ["ed25519", "rsa-pss-sha256"])
    func privateKeyIsCreatedWithMode0600(_ algorithm: String) throws {
        let directory = try TemporaryDirectory()
        let trace = directory.path("trace")
        let prefix = directory.path("signer")
        let result = try CLI.run(
            CLI.which("strace")!,
            [
                "-f", "-o", trace, "-e", "trace=open,openat,creat,rename,renameat,renameat2,link,linkat",
                try CLI.attestctlPath(), "keygen", "--alg", algorithm, "--out", prefix,
            ]
        )
        #expect(result.status == 0, "\(result)")
        let lines = String(decoding: try directory.read("trace"), as: UTF8.self).split(separator: "\n")
        // Follow renames back from the final name to the file that was created.
        var name = prefix + ".key"
        for line in lines.reversed() where line.contains("rename") || line.contains("link") {
            let paths = Self.quoted(line)
            if paths.count == 2, paths[1] == name { name = paths[0] }
        }
        let creation = lines.first { line in
            line.contains("O_CREAT") && Self.quoted(line).first == name
        }
        let created = try #require(creation, "no creation of \(name) in the trace")
        #expect(created.contains(", 0600)"), "private key created as: \(created)")
    }
}
