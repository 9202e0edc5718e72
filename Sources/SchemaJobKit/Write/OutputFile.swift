import Foundation

/// Writes files so a reader never sees half of one: the bytes go to a temporary file
/// beside the target, are flushed to disk, and replace the target with one rename.
/// If anything fails, the old file is left as it was.
public enum OutputFile {
    /// What `render --check -o FILE` prints: a unified diff from what is at `path` to
    /// `text`, empty when they are the same. Reads, never writes. A file that is not
    /// there (or cannot be read) is compared as empty, labelled `/dev/null`, so the diff
    /// shows every line a render would write.
    public static func unifiedDiff(_ text: String, against path: String) -> String {
        let old = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        return LineDiff.unified(
            old: old ?? "", new: text, oldLabel: old == nil ? "/dev/null" : "a/\(path)", newLabel: "b/\(path)")
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { descriptor in
            bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        }
    }

    /// The texts' UTF-8, one after the other, written from where they lie: a render can
    /// be tens of MiB, and is never joined into one more copy.
    public static func write(_ texts: [Substring], to path: String) throws {
        try write(to: path) { descriptor in
            for var text in texts {
                if let failure = text.withUTF8({ writeAll(UnsafeRawBufferPointer($0), to: descriptor) }) { return failure }
            }
            return nil
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write([text[...]], to: path)
    }

    /// Writes the whole buffer; the error's words when it cannot.
    static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
        var written = 0
        while written < buffer.count {
            let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            written += result
        }
        return nil
    }

    /// `body` writes the content to the temporary file and returns why it could not, if so.
    static func write(to path: String, _ body: (Int32) -> String?) throws {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(SourceLocation(path: path), "directory \(directory) does not exist")
        }
        let temporary = directory + "/." + target.lastPathComponent + ".schemajob-\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw InputError(SourceLocation(path: path), "cannot write: \(String(cString: strerror(errno)))")
        }
        var failure = body(descriptor)
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw InputError(SourceLocation(path: path), "cannot write: \(failure)")
        }
    }
}
