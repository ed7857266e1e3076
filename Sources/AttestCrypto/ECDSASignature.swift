internal import COpenSSL

/// Conversions between the two ECDSA signature encodings in use: ASN.1 DER and raw r‖s (IEEE P1363).
enum ECDSASignature {
    /// Converts a raw r‖s signature (two equal-length big-endian integers) to ASN.1 DER.
    ///
    /// - Parameter raw: r‖s, an even number of bytes.
    /// - Returns: The DER `ECDSA-Sig-Value`, or `nil` when the input is empty, odd-length or OpenSSL fails.
    static func derFromRaw(_ raw: UnsafeRawBufferPointer) -> [UInt8]? {
        guard raw.count >= 2, raw.count % 2 == 0, let base = raw.baseAddress else { return nil }
        let half = Int32(raw.count / 2)
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard let r = BN_bin2bn(bytes, half, nil) else {
            OpenSSLErrorQueue.drain()
            return nil
        }
        guard let s = BN_bin2bn(bytes + Int(half), half, nil) else {
            BN_free(r)
            OpenSSLErrorQueue.drain()
            return nil
        }
        guard let signature = ECDSA_SIG_new() else {
            BN_free(r)
            BN_free(s)
            OpenSSLErrorQueue.drain()
            return nil
        }
        defer { ECDSA_SIG_free(signature) }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            OpenSSLErrorQueue.drain()
            return nil
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &out)
        guard length > 0, let out else {
            OpenSSLErrorQueue.drain()
            return nil
        }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
