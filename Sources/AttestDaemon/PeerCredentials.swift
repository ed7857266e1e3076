import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process on the other end of a Unix socket, as the kernel recorded it at `connect` (`SO_PEERCRED`).
struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// Layout-compatible with glibc's `struct ucred`, which Swift cannot see (it hides behind `_GNU_SOURCE`).
    struct RawCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The peer's process id.
    var pid: Int32
    /// The peer's effective user id.
    var uid: UInt32
    /// The peer's effective group id.
    var gid: UInt32

    /// `pid N uid N gid N`.
    var description: String { "pid \(pid) uid \(uid) gid \(gid)" }

    /// Reads the credentials of a connected Unix socket.
    ///
    /// - Parameter channel: an accepted child channel.
    /// - Returns: the credentials; fails when the channel is not a socket or the option is unavailable.
    static func read(from channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(
                DaemonError(.bind, "connection \(channel) does not expose socket options for SO_PEERCRED")
            )
        }
        #if os(Linux)
            let future: EventLoopFuture<RawCredentials> = provider.unsafeGetSocketOption(
                level: .socket,
                name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
            )
            return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
        #else
            return channel.eventLoop.makeFailedFuture(DaemonError(.bind, "SO_PEERCRED is only available on Linux"))
        #endif
    }

    /// Whether a peer may connect.
    ///
    /// - Parameters:
    ///   - allowed: the configured uids; empty means the daemon's own uid and root.
    ///   - ownUID: the daemon's effective uid.
    /// - Returns: `true` when the peer's uid is allowed.
    func isAllowed(by allowed: [UInt32], ownUID: UInt32) -> Bool {
        allowed.isEmpty ? (uid == 0 || uid == ownUID) : allowed.contains(uid)
    }
}
