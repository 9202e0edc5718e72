import Foundation
import SchemaJobKit

/// The executable's only way to print: results to stdout, messages to stderr.
enum Terminal {
    static func output(_ text: String) {
        // Written from the string's own storage: a render's output is not copied again.
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            FileHandle.standardOutput.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
        }
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }

    /// Writes to stdout when `path` is nil or `-`, otherwise to the file, atomically.
    static func write(_ text: String, to path: String?) throws {
        if let path, path != "-" {
            try OutputFile.write(text, to: path)
        } else {
            output(text)
        }
    }
}
