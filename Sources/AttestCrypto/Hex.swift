/// Lower-case hexadecimal spelling of bytes.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Spells bytes as lower-case hex.
    ///
    /// - Parameter bytes: The bytes.
    /// - Returns: Two lower-case hex digits per byte.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
