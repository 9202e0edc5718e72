import Foundation

/// Writes files so a reader never sees half of one: the bytes go to a temporary file
/// beside the target, are flushed to disk, and replace the target with one rename.
/// If anything fails, the old file is left as it was.
public enum OutputFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    /// The text's UTF-8, written from where it lies (a render can be tens of MiB).
    public static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0), to: path) }
    }

    static func write(_ buffer: UnsafeRawBufferPointer, to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WriteError(location: SourceLocation(path: path), message: "directory \(directory) does not exist")
        }
        let temporary = directory + "/." + target.lastPathComponent + ".schemajob-\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw WriteError(location: SourceLocation(path: path), message: "cannot write: \(String(cString: strerror(errno)))")
        }
        var written = 0
        var failure: String?
        while written < buffer.count {
            let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                break
            }
            written += result
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw WriteError(location: SourceLocation(path: path), message: "cannot write: \(failure)")
        }
    }
}
