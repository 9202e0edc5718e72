import Crypto

/// The project's one hasher: lower-case hex SHA-256.
public func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hasher = SHA256()
    hasher.update(data: Array(bytes))
    return sha256Hex(finishing: hasher)
}

/// The hex digest of a hasher that was fed piece by piece (the content hash streams
/// its fields rather than gather them into one buffer first).
func sha256Hex(finishing hasher: SHA256) -> String {
    hasher.finalize().map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
