internal import CLZ4

/// LZ4 block-format compression (liblz4 `LZ4_compress_default` / `LZ4_decompress_safe`).
///
/// Bodies use the raw block format, not the frame format: the uncompressed size travels beside the block
/// (see ``FrameEncoder``), so the decompressor can refuse oversized or mismatched sizes before and after
/// decoding.
public enum LZ4 {
    /// Compresses `input` into one LZ4 block.
    ///
    /// - Parameter input: at most `LZ4_MAX_INPUT_SIZE` (≈ 2 GiB) bytes.
    /// - Returns: the block; for incompressible input it is slightly larger than `input`.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { compress($0) }
    }

    /// Compresses the bytes in `source` into one LZ4 block.
    static func compress(_ source: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        precondition(source.count <= Int(CLZ4_LZ4_MAX_INPUT_SIZE), "LZ4 input over LZ4_MAX_INPUT_SIZE")
        let bound = Int(CLZ4_LZ4_COMPRESSBOUND(Int32(source.count)))
        return [UInt8](unsafeUninitializedCapacity: Swift.max(bound, 1)) { destination, initialized in
            let written = source.withMemoryRebound(to: CChar.self) { src in
                destination.withMemoryRebound(to: CChar.self) { dst in
                    LZ4_compress_default(src.baseAddress, dst.baseAddress, Int32(source.count), Int32(bound))
                }
            }
            // With a COMPRESSBOUND-sized destination LZ4_compress_default cannot fail.
            precondition(written > 0 || source.isEmpty, "LZ4_compress_default failed")
            initialized = Int(written)
        }
    }

    /// Decompresses one LZ4 block that must expand to exactly `declaredSize` bytes.
    ///
    /// The size is checked against `limit` before anything is allocated, and the decoder never writes past
    /// `declaredSize` bytes, so a hostile block cannot make this allocate or write more than the limit.
    ///
    /// - Parameters:
    ///   - input: the LZ4 block.
    ///   - declaredSize: the uncompressed size the sender declared.
    ///   - limit: the largest size this receiver accepts.
    /// - Returns: exactly `declaredSize` bytes.
    /// - Throws: ``WireStatus/decompressedTooLarge`` when `declaredSize > limit`; ``WireStatus/badCompression``
    ///   when `declaredSize` is 0, the block is corrupt, or it does not expand to exactly `declaredSize`.
    public static func decompress(
        _ input: some Collection<UInt8>,
        declaredSize: UInt32,
        limit: UInt32
    ) throws(WireError) -> [UInt8] {
        guard declaredSize <= limit else {
            throw WireError(
                .decompressedTooLarge,
                "LZ4 declared uncompressed size \(declaredSize) exceeds the limit \(limit)"
            )
        }
        guard declaredSize > 0 else {
            throw WireError(.badCompression, "LZ4 declared uncompressed size is 0")
        }
        guard input.count <= Int(Int32.max) else {
            throw WireError(.badCompression, "LZ4 block of \(input.count) bytes is too large to decode")
        }
        let capacity = Int(declaredSize)
        guard !input.isEmpty else {
            throw WireError(.badCompression, "LZ4 block is empty but declares \(declaredSize) bytes")
        }
        // Fall back to a contiguous copy for non-contiguous collections.
        let (output, written) =
            input.withContiguousStorageIfAvailable { decompress($0, capacity: capacity) }
            ?? Array(input).withUnsafeBufferPointer { decompress($0, capacity: capacity) }
        guard written >= 0 else {
            throw WireError(
                .badCompression,
                "LZ4 block of \(input.count) bytes is corrupt or expands past its declared size \(declaredSize)"
                    + " (decoder stopped at source offset \(-Int(written) - 1))"
            )
        }
        guard Int(written) == capacity else {
            throw WireError(
                .badCompression,
                "LZ4 block expands to \(written) bytes but declares \(declaredSize)"
            )
        }
        return output
    }

    private static func decompress(_ source: UnsafeBufferPointer<UInt8>, capacity: Int) -> ([UInt8], Int32) {
        var written: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { destination, initialized in
            written = source.withMemoryRebound(to: CChar.self) { src in
                destination.withMemoryRebound(to: CChar.self) { dst in
                    LZ4_decompress_safe(src.baseAddress, dst.baseAddress, Int32(source.count), Int32(capacity))
                }
            }
            initialized = written > 0 ? Int(written) : 0
        }
        return (output, written)
    }
}
