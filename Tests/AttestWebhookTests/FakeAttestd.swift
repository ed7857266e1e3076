import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A Unix socket that accepts connections and then misbehaves: says nothing (a hung attestd) or answers with
/// bytes that are no frame (a broken one). Runs its accept loop on a plain thread.
final class FakeAttestd: Sendable {
    enum Behaviour: Sendable {
        case silent
        case garbage
    }

    private final class Accepted: Sendable {
        let descriptors = Mutex<[Int32]>([])
    }

    let path: String
    private let listener: Int32
    private let accepted = Accepted()

    init(path: String, behaviour: Behaviour) throws {
        self.path = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw WebhookFixture.FixtureError(description: "fake attestd cannot listen at \(path): errno \(errno)")
        }
        let accepted = self.accepted
        let thread = Thread {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 { return }
                accepted.descriptors.withLock { $0.append(fd) }
                if case .garbage = behaviour {
                    let reply = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
                    _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
            }
        }
        thread.start()
    }

    /// Stops accepting and closes every connection.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in accepted.descriptors.withLock({ $0 }) { close(fd) }
        unlink(path)
    }
}
