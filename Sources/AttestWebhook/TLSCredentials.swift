import Foundation
public import NIOSSL
import Synchronization

/// The webhook's TLS server context, replaceable while it serves: new connections use the newest one.
///
/// Kubernetes renews serving certificates (cert-manager, a rotated Secret) by swapping the mounted files; a
/// webhook that read them once would serve the old certificate until it expires. Built from files, the
/// credentials can be re-read: ``reloadIfChanged()`` compares each file's identity (device, inode, size,
/// modification time, following symbolic links as the Secret volume's `..data` link is followed) and loads a
/// new context only when one changed. A new certificate and key that do not load (a half-written pair, a
/// key that does not match) leave the running context in place, so a bad renewal never stops the webhook.
public final class TLSCredentials: Sendable {
    /// The PEM files credentials are loaded from.
    public struct Files: Sendable, Hashable {
        /// The server certificate chain, leaf first.
        public var certificate: String
        /// The server's private key.
        public var key: String
        /// The CA client certificates must chain to, if clients must present one.
        public var clientCA: String?

        /// Names the files.
        ///
        /// - Parameters:
        ///   - certificate: the certificate chain file.
        ///   - key: the private key file.
        ///   - clientCA: the client CA file, or `nil` not to ask for client certificates.
        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }

        var paths: [String] { [certificate, key] + (clientCA.map { [$0] } ?? []) }
    }

    /// Where a file's current content lives, as far as a change is concerned.
    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    private struct State {
        var context: NIOSSLContext
        var identities: [FileIdentity?]
    }

    /// The files, when the credentials were loaded from files (and so can be reloaded).
    public let files: Files?
    private let state: Mutex<State>

    /// Credentials that never change.
    ///
    /// - Parameter configuration: the server TLS configuration.
    /// - Throws: NIOSSL's error when the configuration cannot make a context.
    public init(configuration: TLSConfiguration) throws {
        files = nil
        state = Mutex(State(context: try NIOSSLContext(configuration: configuration), identities: []))
    }

    /// Credentials loaded from PEM files, reloadable.
    ///
    /// - Parameter files: the certificate chain, key and optional client CA.
    /// - Throws: when a file cannot be read or the pair does not make a context.
    public init(files: Files) throws {
        self.files = files
        let identities = files.paths.map(Self.identity(of:))
        let context = try Self.load(files)
        state = Mutex(State(context: context, identities: identities))
    }

    /// The context new connections are served with.
    public var context: NIOSSLContext { state.withLock { $0.context } }

    /// Loads the files again if any of them changed since the last load.
    ///
    /// - Returns: `true` when new credentials were loaded, `false` when nothing changed (or they are not
    ///   file-backed).
    /// - Throws: when a changed file cannot be loaded; the running context is kept, and the next call tries
    ///   again.
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        guard let files else { return false }
        let identities = files.paths.map(Self.identity(of:))
        guard identities != state.withLock({ $0.identities }) else { return false }
        let context = try Self.load(files)
        state.withLock { $0 = State(context: context, identities: identities) }
        return true
    }

    private static func load(_ files: Files) throws -> NIOSSLContext {
        try NIOSSLContext(
            configuration: WebhookServer.tlsConfiguration(
                certificatePath: files.certificate,
                keyPath: files.key,
                clientCAPath: files.clientCA
            )
        )
    }

    /// The identity of the file a path leads to, or `nil` when it cannot be examined.
    static func identity(of path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(
            device: UInt64(status.st_dev),
            inode: UInt64(status.st_ino),
            size: Int64(status.st_size),
            modifiedSeconds: status.st_mtim.tv_sec,
            modifiedNanoseconds: status.st_mtim.tv_nsec
        )
    }
}
