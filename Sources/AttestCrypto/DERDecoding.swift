internal import COpenSSL

/// Runs OpenSSL's `d2i_` key decoders and insists that they consume every byte.
///
/// OpenSSL's decoders stop at the end of the first structure and ignore what follows; a key with bytes
/// appended is refused here, naming the offset.
enum DERDecoding {
    /// Public key encodings.
    enum PublicFormat {
        /// X.509 SubjectPublicKeyInfo (`PUBLIC KEY`).
        case spki
        /// PKCS#1 `RSAPublicKey` (`RSA PUBLIC KEY`).
        case pkcs1RSA
    }

    /// Private key encodings.
    enum PrivateFormat {
        /// PKCS#8 `PrivateKeyInfo`, unencrypted (`PRIVATE KEY`).
        case pkcs8
        /// PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY`).
        case traditionalRSA
        /// SEC 1 `ECPrivateKey` (`EC PRIVATE KEY`).
        case traditionalEC
    }

    /// Decodes a public key.
    ///
    /// - Returns: A new `EVP_PKEY` the caller owns.
    /// - Throws: ``CryptoError`` `.malformedKey` or `.trailingData`.
    static func publicKey(_ der: [UInt8], what: String, format: PublicFormat) throws -> OpaquePointer {
        try decode(der, what: what, free: { EVP_PKEY_free($0) }) { cursor, length in
            switch format {
            case .spki: d2i_PUBKEY(nil, cursor, length)
            case .pkcs1RSA: d2i_PublicKey(COpenSSL_EVP_PKEY_RSA, nil, cursor, length)
            }
        }
    }

    /// Decodes a private key.
    ///
    /// - Returns: A new `EVP_PKEY` the caller owns.
    /// - Throws: ``CryptoError`` `.malformedKey` or `.trailingData`.
    static func privateKey(_ der: [UInt8], what: String, format: PrivateFormat) throws -> OpaquePointer {
        switch format {
        case .pkcs8:
            let info = try decode(der, what: what, free: { PKCS8_PRIV_KEY_INFO_free($0) }) { cursor, length in
                d2i_PKCS8_PRIV_KEY_INFO(nil, cursor, length)
            }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = EVP_PKCS82PKEY(info) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "\(what): the PKCS#8 structure holds no usable key")
            }
            return key
        case .traditionalRSA:
            return try decode(der, what: what, free: { EVP_PKEY_free($0) }) { cursor, length in
                d2i_PrivateKey(COpenSSL_EVP_PKEY_RSA, nil, cursor, length)
            }
        case .traditionalEC:
            return try decode(der, what: what, free: { EVP_PKEY_free($0) }) { cursor, length in
                d2i_PrivateKey(COpenSSL_EVP_PKEY_EC, nil, cursor, length)
            }
        }
    }

    private static func decode(
        _ der: [UInt8],
        what: String,
        free: (OpaquePointer) -> Void,
        decoder: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> OpaquePointer?
    ) throws -> OpaquePointer {
        guard !der.isEmpty else { throw CryptoError(.malformedKey, "\(what): empty DER") }
        return try der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let pointer = decoder(&cursor, buffer.count) else {
                throw OpenSSLErrorQueue.error(.malformedKey, "\(what): DER of \(der.count) bytes does not parse")
            }
            let consumed = cursor.map { $0 - buffer.baseAddress! } ?? 0
            guard consumed == buffer.count else {
                free(pointer)
                OpenSSLErrorQueue.drain()
                throw CryptoError(
                    .trailingData,
                    "\(what): \(buffer.count - consumed) trailing bytes after the DER structure ending at offset \(consumed)"
                )
            }
            return pointer
        }
    }
}
