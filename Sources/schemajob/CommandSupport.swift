import Foundation
import SchemaJobKit

/// The executable's only way to print: results to stdout, messages to stderr.
enum Terminal {
    static func output<Text: StringProtocol>(_ text: Text) {
        // Written from the string's own storage: a render's output is not copied again.
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { buffer in
            guard let base = buffer.baseAddress else { return }
            FileHandle.standardOutput.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
        }
        if written == nil {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }

    /// Writes the pieces, in order, to stdout when `path` is nil or `-`, otherwise to
    /// the file, atomically.
    /// What `produce` hands over, written as it comes (to stdout, or atomically to `path`).
    static func write(to path: String?, _ produce: ((Substring) throws -> Void) throws -> Void) throws {
        if let path, path != "-" {
            try OutputFile.write(to: path, produce)
        } else {
            try produce { output($0) }
        }
    }
}

/// Ctrl-C or a CI timeout during a command that uses scratch databases: drop them and
/// stop the server first (they run in process groups of their own and never see it).
enum ScratchCleanup {
    static func install() -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ProofServer.closeAll()
                Foundation.exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}
