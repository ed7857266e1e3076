import Foundation

/// A throwaway CA with a server certificate for 127.0.0.1/localhost and a client certificate, made with the
/// `openssl` CLI in a test's own directory.
struct TestCertificates {
    let caCertificate: String
    let serverCertificate: String
    let serverKey: String
    let clientCertificate: String
    let clientKey: String
    /// A second CA that signed nothing the server trusts, and a client certificate from it.
    let strangerCertificate: String
    let strangerKey: String

    static func make(in directory: String) async throws -> TestCertificates {
        func path(_ name: String) -> String { directory + "/" + name }
        try await openssl(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=attest-webhook test CA",
            "-keyout",
            path("ca.key"),
            "-out",
            path("ca.pem")
        )
        try await openssl(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=stranger CA",
            "-keyout",
            path("stranger-ca.key"),
            "-out",
            path("stranger-ca.pem")
        )
        try await leaf(
            "server",
            ca: "ca",
            directory: directory,
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
        )
        try await leaf("client", ca: "ca", directory: directory, extensions: "extendedKeyUsage=clientAuth\n")
        try await leaf("stranger", ca: "stranger-ca", directory: directory, extensions: "extendedKeyUsage=clientAuth\n")
        return TestCertificates(
            caCertificate: path("ca.pem"),
            serverCertificate: path("server.pem"),
            serverKey: path("server.key"),
            clientCertificate: path("client.pem"),
            clientKey: path("client.key"),
            strangerCertificate: path("stranger.pem"),
            strangerKey: path("stranger.key")
        )
    }

    private static func leaf(_ name: String, ca: String, directory: String, extensions: String) async throws {
        let base = directory + "/" + name
        try ("basicConstraints=CA:FALSE\n" + extensions).write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try await openssl(
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=\(name)",
            "-keyout",
            base + ".key",
            "-out",
            base + ".csr"
        )
        try await openssl(
            "x509",
            "-req",
            "-in",
            base + ".csr",
            "-CA",
            directory + "/\(ca).pem",
            "-CAkey",
            directory + "/\(ca).key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            base + ".ext",
            "-out",
            base + ".pem"
        )
    }

    private static func openssl(_ arguments: String...) async throws {
        let outcome = try await ProcessRunner.run("/usr/bin/openssl", arguments)
        guard outcome.status == 0 else {
            throw CertificateError(description: "openssl \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
    }

    struct CertificateError: Error, CustomStringConvertible {
        var description: String
    }
}
