import AttestWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny POSIX Unix-socket server for client tests: each accepted connection runs a scripted function on its
/// own thread, which reads request frames and writes whatever bytes the test wants (well-formed or hostile).
final class ScriptedResponder: @unchecked Sendable {
    /// One accepted connection, used from its script thread only.
    final class Connection: @unchecked Sendable {
        let fd: Int32
        private var decoder = FrameDecoder()

        init(fd: Int32) { self.fd = fd }

        /// Reads the next request frame; nil at end of stream or on a broken stream.
        func readFrame() -> Frame? {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                if let frame = try? decoder.next() { return frame }
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { return nil }
                decoder.append(chunk[0..<count])
            }
        }

        /// Reads `count` request frames (fewer at end of stream).
        func readFrames(_ count: Int) -> [Frame] {
            var frames: [Frame] = []
            while frames.count < count, let frame = readFrame() { frames.append(frame) }
            return frames
        }

        /// Writes raw bytes.
        func write(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                offset += written
            }
        }

        /// Writes one response message for `requestID`.
        func respond<Message: WireMessage>(_ message: Message, to requestID: UInt64) {
            write(try! FrameEncoder.encode(message, requestID: requestID))
        }

        /// Answers a HELLO with default limits.
        func answerHello(_ frame: Frame) {
            respond(
                HelloResponse(
                    version: 1,
                    limits: .default,
                    features: [],
                    serverName: "scripted",
                    serverVersion: "0",
                    extensions: []
                ),
                to: frame.header.requestID
            )
        }

        func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    let path: String
    let directory: URL
    private let listener: Int32

    /// Starts listening on a fresh socket in a fresh temporary directory.
    /// - Parameter script: Run once per accepted connection, on its own thread; the connection is closed after.
    init(script: @escaping @Sendable (Connection) -> Void) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("attestclient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("s.sock").path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let listening = listener
        Thread.detachNewThread {
            while true {
                let fd = accept(listening, nil, nil)
                guard fd >= 0 else { return }
                Thread.detachNewThread {
                    let connection = Connection(fd: fd)
                    script(connection)
                    connection.close()
                    Glibc.close(fd)
                }
            }
        }
    }

    /// Stops accepting and removes the socket directory.
    func stop() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        try? FileManager.default.removeItem(at: directory)
    }
}
