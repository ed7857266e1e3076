#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks and prepares the place where the listening socket is created.
///
/// The socket's directory must exist, be a directory, and not be writable by everyone unless it has the
/// sticky bit (like `/tmp`): in a world-writable directory without it, another user could replace the
/// socket between our checks and a client's `connect`. An existing file at the path is removed only when it
/// is a socket nobody listens on (a stale socket of a daemon that died); a live socket is left alone and
/// the start fails, and a file that is not a socket is never removed.
enum ServerSocketPath {
    /// The longest path `sockaddr_un.sun_path` holds, without its terminating NUL.
    static let maximumLength = 107

    /// Validates the path and its directory, and removes a stale socket.
    ///
    /// - Parameter path: the absolute socket path.
    /// - Throws: ``DaemonError`` with ``DaemonError/Code/socketPath``, ``DaemonError/Code/socketDirectory`` or
    ///   ``DaemonError/Code/socketInUse``, naming the path and what is wrong with it.
    static func prepare(_ path: String) throws(DaemonError) {
        guard path.hasPrefix("/") else {
            throw DaemonError(.socketPath, "socket path \"\(path)\" is not absolute")
        }
        guard path.utf8.count <= maximumLength, !path.utf8.contains(0) else {
            throw DaemonError(
                .socketPath,
                "socket path \"\(path)\" has \(path.utf8.count) bytes; a Unix socket path holds at most \(maximumLength)"
            )
        }
        let directory = parent(of: path)
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw DaemonError(.socketDirectory, "socket directory \(directory): \(errorText(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw DaemonError(.socketDirectory, "socket directory \(directory) is not a directory")
        }
        if info.st_mode & S_IWOTH != 0 && info.st_mode & S_ISVTX == 0 {
            throw DaemonError(
                .socketDirectory,
                "socket directory \(directory) is writable by every user and has no sticky bit (mode "
                    + String(info.st_mode & 0o7777, radix: 8) + "); use a directory only the daemon's users can write"
            )
        }
        var existing = stat()
        guard lstat(path, &existing) == 0 else { return }
        guard existing.st_mode & S_IFMT == S_IFSOCK else {
            throw DaemonError(.socketPath, "\(path) exists and is not a socket; refusing to replace it")
        }
        if isListening(path) {
            throw DaemonError(.socketInUse, "another process is listening on \(path)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw DaemonError(.socketPath, "cannot remove the stale socket \(path): \(errorText(errno))")
        }
    }

    /// Sets the socket file's permission bits.
    ///
    /// - Parameters:
    ///   - path: the bound socket.
    ///   - mode: the permission bits, e.g. `0o660`.
    /// - Throws: ``DaemonError`` with ``DaemonError/Code/bind`` when `chmod` fails.
    static func setMode(_ path: String, mode: UInt16) throws(DaemonError) {
        guard chmod(path, mode_t(mode & 0o777)) == 0 else {
            throw DaemonError(.bind, "cannot set mode \(String(mode, radix: 8)) on \(path): \(errorText(errno))")
        }
    }

    /// The inode of the file at a path, to remove only our own socket at exit.
    ///
    /// - Parameter path: the path.
    /// - Returns: the device and inode, or `nil` when there is no file.
    static func identity(of path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Whether something accepts connections on the socket at `path`.
    ///
    /// - Parameter path: a socket path of at most ``maximumLength`` bytes.
    /// - Returns: `true` when `connect` succeeds.
    static func isListening(_ path: String) -> Bool {
        #if canImport(Darwin)
            let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// The directory part of an absolute path (`/` for `/x`).
    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
