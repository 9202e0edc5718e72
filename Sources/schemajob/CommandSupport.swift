import Foundation
import SchemaJobKit

/// The executable's only way to print: results to stdout, messages to stderr.
enum Terminal {
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }

    /// Writes to stdout when `path` is nil or `-`, otherwise to the file, atomically.
    static func write(_ text: String, to path: String?) throws {
        if let path, path != "-" {
            try OutputFile.write(Array(text.utf8), to: path)
        } else {
            output(text)
        }
    }
}
