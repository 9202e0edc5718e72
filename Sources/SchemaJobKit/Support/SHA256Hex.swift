import Crypto

/// The project's one hasher: lower-case hex SHA-256.
public func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hasher = SHA256()
    // Contiguous bytes (an array, a native string's UTF-8) are hashed where they lie.
    let hashedInPlace: Void? = bytes.withContiguousStorageIfAvailable { buffer in
        hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
    }
    if hashedInPlace == nil {
        hasher.update(data: Array(bytes))
    }
    return sha256Hex(finishing: hasher)
}

/// The hex digest of a hasher that was fed piece by piece (the content hash streams
/// its fields rather than gather them into one buffer first).
func sha256Hex(finishing hasher: SHA256) -> String {
    let digest = hasher.finalize()
    let digits = Array("0123456789abcdef".utf8)
    return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { text in
        var index = 0
        for byte in digest {
            text[index] = digits[Int(byte >> 4)]
            text[index + 1] = digits[Int(byte & 0x0f)]
            index += 2
        }
        return index
    }
}
