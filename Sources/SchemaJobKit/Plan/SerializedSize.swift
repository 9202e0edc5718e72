/// How many bytes one ConfigMap entry can take once written out, in YAML or in JSON,
/// whichever is larger: what counts against the 1 MiB object limit is the serialized
/// object, not the sum of the files. The figure is an upper bound, never an estimate
/// that can fall short:
/// - YAML (libyaml, indent 2): a literal block indents every line by four spaces; a
///   file libyaml will not keep literal (trailing spaces, tabs, control characters)
///   becomes a double-quoted scalar where `"`, `\`, tab and line breaks take two bytes,
///   a control byte four (`\x01`) and a character it will not print raw up to ten.
/// - JSON (the API server's encoder): `"`, `\` and line breaks take two bytes, and
///   `<`, `>`, `&` and control characters six (`\u003c`): Go escapes them by default.
/// Each character is charged the most any of these forms spends on it.
enum SerializedSize {
    /// Key, quotes, `: |-2`, indentation and line break around the value.
    static let entryOverhead = 16

    static func entry(key: String, text: String) -> Int {
        key.utf8.count + entryOverhead + value(text)
    }

    static func value(_ text: String) -> Int {
        // The table is read once here: a static read in the loop checks its lazy
        // initialisation on every byte.
        let asciiCost = Self.asciiCost
        var text = text
        return text.withUTF8 { buffer in
            var size = 0
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte < 0x80 {
                    size += asciiCost[Int(byte)]
                    index += 1
                    continue
                }
                // A multi-byte character: printed raw when libyaml would, else escaped.
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                var scalar = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                var offset = 1
                while offset < length, index + offset < count {
                    scalar = scalar << 6 | UInt32(buffer[index + offset] & 0x3F)
                    offset += 1
                }
                size += Unicode.Scalar(scalar).map(LayoutRules.isLiteralSafe) == true ? length : 10
                index += length
            }
            return size
        }
    }

    private static let asciiCost: [Int] = (0..<128).map { byte -> Int in
        switch UInt8(byte) {
        // A line break: one byte, and four spaces of indentation on the next line.
        case UInt8(ascii: "\n"): 5
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): 6
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): 2
        case 0x20...0x7E: 1
        default: 6
        }
    }
}
