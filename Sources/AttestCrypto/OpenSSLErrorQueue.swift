internal import COpenSSL

/// Reads and clears OpenSSL's per-thread error queue.
///
/// Every failing OpenSSL call leaves entries on the calling thread's queue; left there they would be
/// reported against a later, unrelated call. Every failure path in this module drains the queue.
enum OpenSSLErrorQueue {
    /// Empties the queue and returns the first (oldest) error string, if any.
    ///
    /// - Returns: OpenSSL's text for the first queued error, or `nil` when the queue was empty.
    @discardableResult
    static func drain() -> String? {
        let first = ERR_get_error()
        defer { ERR_clear_error() }
        guard first != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Drains the queue and builds an error whose reason ends with OpenSSL's first error string.
    ///
    /// - Parameters:
    ///   - code: The error code to raise.
    ///   - what: What was being done, for example `"parsing the DER SubjectPublicKeyInfo"`.
    /// - Returns: The error, ready to throw.
    static func error(
        _ code: CryptoError.Code,
        _ what: String,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        if let detail = drain() {
            return CryptoError(code, "\(what) (OpenSSL: \(detail))", file: file, line: line)
        }
        return CryptoError(code, what, file: file, line: line)
    }
}
