import Foundation

/// The one way schemajob writes a file the user names (`render -o` and `--output-dir`,
/// `sum`, `lint --fix`, `--fix-file`). A regular file (or a new one) is replaced so a
/// reader never sees half of it: the bytes go to a temporary file beside it, are flushed
/// to disk, and take its name with one rename; if anything fails, the old file is left as
/// it was. A symbolic link has its target replaced that way and stays a link. A character
/// device or a FIFO (`-o /dev/null`, `-o pipe`) is written into, never replaced: a rename
/// over `/dev/null` would leave a plain file there for every later `>/dev/null` on the
/// machine. `/dev/stdout` is this process's own stdout. A directory is refused.
public enum OutputFile {
    /// What `render --check -o FILE` prints: a unified diff from what is at `path` to
    /// `text`, empty when they are the same. Reads, never writes. A file that is not
    /// there (or cannot be read) is compared as empty, labelled `/dev/null`, so the diff
    /// shows every line a render would write. A link is compared through its target; a
    /// device, FIFO, descriptor or directory has no content to compare and is refused
    /// (reading a FIFO would take a reader's bytes, and `/dev/null` always reads empty).
    public static func unifiedDiff(_ text: String, against path: String) throws -> String {
        guard case .replaced(let target) = try destination(of: path) else {
            throw InputError(SourceLocation(path: path), "--check compares with a regular file, and this is not one (a device, a FIFO or a descriptor is only ever written into)")
        }
        let old = FileManager.default.contents(atPath: target).map { String(decoding: $0, as: UTF8.self) }
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
        try write(to: path) { emit in try texts.forEach(emit) }
    }

    /// The texts `produce` hands over, written as they come (a render's documents); the
    /// file is replaced only when all were written, and an error `produce` throws leaves
    /// it as it was.
    public static func write(to path: String, _ produce: ((Substring) throws -> Void) throws -> Void) throws {
        var thrown: Error?
        do {
            try write(to: path) { descriptor in
                var failure: String?
                do {
                    try produce { piece in
                        var piece = piece
                        if failure == nil {
                            failure = piece.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
                        }
                    }
                } catch {
                    thrown = error
                    return "\(error)"
                }
                return failure
            }
        } catch {
            throw thrown ?? error
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

    /// What a path names once its links are followed, and so how it is written.
    enum Destination: Equatable {
        /// A regular file, or no file yet: replaced (or made) with one rename in `path`'s
        /// directory. A link's target is what is replaced; the link stays a link.
        case replaced(path: String)
        /// A character device or a FIFO (`/dev/null`, a pipe a reader holds open): written
        /// into as it is. Renaming over it would put a plain file in its place.
        case writtenInto(path: String)
        /// `/dev/stdout`, `/dev/fd/N`: the descriptor this process already holds, so the
        /// shell's `>` or `>>` decides where the bytes go.
        case descriptor(Int32)
    }

    /// Where `path` leads: each link is followed by hand (its target is relative to the
    /// link's directory), so a link to a file that does not exist yet names the file
    /// to make. A directory, a socket or a block device is refused.
    static func destination(of path: String) throws -> Destination {
        var current = path
        for _ in 0..<40 {  // Linux's own limit on links in one lookup
            if let descriptor = heldDescriptor(current) { return .descriptor(descriptor) }
            var status = stat()
            guard lstat(current, &status) == 0 else {
                guard errno == ENOENT else {
                    throw InputError(SourceLocation(path: path), "cannot write: \(String(cString: strerror(errno)))")
                }
                return .replaced(path: current)
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG: return .replaced(path: current)
            case S_IFCHR, S_IFIFO: return .writtenInto(path: current)
            case S_IFLNK:
                guard let target = linkTarget(current) else {
                    throw InputError(SourceLocation(path: path), "cannot write: cannot read the link \(current)")
                }
                let directory = (current as NSString).deletingLastPathComponent
                current = target.hasPrefix("/") || directory.isEmpty ? target : directory.appendingSlash + target
            default:
                let what = switch status.st_mode & S_IFMT {
                case S_IFDIR: "a directory, not a file"
                case S_IFBLK: "a block device"
                default: "a socket"
                }
                throw InputError(SourceLocation(path: path), "cannot write: \(current == path ? "" : current + " is ")\(what); name a file")
            }
        }
        throw InputError(SourceLocation(path: path), "cannot write: too many levels of symbolic links")
    }

    /// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: a descriptor of this
    /// process (following the link would reach a `pipe:[…]` that is no path).
    static func heldDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count))
            }
            return nil
        }
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `body` writes the content and returns why it could not, if so.
    static func write(to path: String, _ body: (Int32) -> String?) throws {
        switch try destination(of: path) {
        case .replaced(let target):
            try replace(target, named: path, body)
        case .writtenInto(let target):
            // No O_CREAT, no O_TRUNC: the node stays what it is. A FIFO blocks here until
            // a reader opens it, as `>` in a shell does.
            let descriptor = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw InputError(SourceLocation(path: path), "cannot write: \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFCHR || status.st_mode & S_IFMT == S_IFIFO else {
                throw InputError(SourceLocation(path: path), "cannot write: the path changed while it was being opened")
            }
            if let failure = body(descriptor) {
                throw InputError(SourceLocation(path: path), "cannot write: \(failure)")
            }
        case .descriptor(let descriptor):
            if let failure = body(descriptor) {
                throw InputError(SourceLocation(path: path), "cannot write: \(failure)")
            }
        }
    }

    /// The bytes go to a temporary file beside `target`, are flushed, and take its name
    /// with one rename; a file that was there keeps its permission bits.
    static func replace(_ target: String, named path: String, _ body: (Int32) -> String?) throws {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(SourceLocation(path: path), "directory \(directory) does not exist")
        }
        var old = stat()
        let mode = stat(target, &old) == 0 ? mode_t(old.st_mode & 0o7777) : 0o644
        let temporary = directory + "/." + url.lastPathComponent + ".schemajob-\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw InputError(SourceLocation(path: path), "cannot write: \(String(cString: strerror(errno)))")
        }
        var failure = body(descriptor)
        if failure == nil && fchmod(descriptor, mode) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, target) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw InputError(SourceLocation(path: path), "cannot write: \(failure)")
        }
        // The rename is durable once the directory is flushed too.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

private extension String {
    var appendingSlash: String { hasSuffix("/") ? self : self + "/" }
}
