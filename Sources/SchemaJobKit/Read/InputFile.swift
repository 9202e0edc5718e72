import Foundation

/// How schemajob opens what it reads: `database/`, `--templates`, `--config`. Their
/// content goes into a cluster, often from a CI job that builds whatever a pull request
/// holds, so an entry may only be what it looks like:
///
/// - a symbolic link is refused, wherever it points: a link that stays inside the
///   directory today can be retargeted by the next commit, and one rule is easier to
///   trust than a resolver (git stores links as links, so a checkout keeps them);
/// - a file with more than one name (a hard link) is refused: its other name may lie
///   outside the directory and nothing tells which one is "the" file; git never makes
///   hard links, so a checkout never has them;
/// - a FIFO, socket or device is refused without being opened (a FIFO would block, a
///   device may act on open);
/// - the file is opened with `O_NOFOLLOW | O_NONBLOCK` and checked again on the open
///   descriptor (`fstat`, same device and inode as the `lstat`), so swapping the entry
///   between the check and the read is caught too.
///
/// The directory or file the user names is held to this too (a `database` that is a link
/// is refused); only the parent directories of a path the user typed resolve as usual.
enum InputFile {
    /// What `lstat` says an entry is.
    enum Kind: Equatable {
        case missing
        case directory
        case regularFile
        /// Anything else, with the words for the message (`a symbolic link`).
        case refused(String)
    }

    /// Why a file could not be read; the caller wraps it in its stage's error.
    struct Problem: Error {
        var message: String
    }

    static func kind(_ path: String) -> Kind {
        var status = stat()
        guard lstat(withoutTrailingSlashes(path), &status) == 0 else { return .missing }
        return kind(of: status)
    }

    private static func kind(of status: stat) -> Kind {
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG:
            // A directory's link count is its subdirectories; a file's is its names.
            if status.st_nlink > 1 {
                return .refused("a hard link (the file has \(status.st_nlink) names; copy it instead)")
            }
            return .regularFile
        case S_IFLNK: return .refused("a symbolic link (schemajob never follows links in its inputs)")
        case S_IFIFO: return .refused("a FIFO, not a regular file")
        case S_IFSOCK: return .refused("a socket, not a regular file")
        case S_IFCHR, S_IFBLK: return .refused("a device, not a regular file")
        default: return .refused("not a regular file")
        }
    }

    /// The bytes of a regular file that has exactly one name and is no link.
    static func read(_ path: String) throws(Problem) -> [UInt8] {
        var before = stat()
        guard lstat(withoutTrailingSlashes(path), &before) == 0 else {
            throw Problem(message: errno == ENOENT ? "no such file" : "cannot read the file: \(String(cString: strerror(errno)))")
        }
        if case .refused(let what) = kind(of: before) { throw Problem(message: "refused: \(what)") }
        guard kind(of: before) == .regularFile else { throw Problem(message: "refused: a directory, not a file") }

        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw Problem(message: "refused: a symbolic link (schemajob never follows links in its inputs)") }
            throw Problem(message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw Problem(message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        guard opened.st_dev == before.st_dev, opened.st_ino == before.st_ino else {
            throw Problem(message: "refused: the file changed while it was being read")
        }
        if case .refused(let what) = kind(of: opened) { throw Problem(message: "refused: \(what)") }

        return try readAll(descriptor, expected: Int(opened.st_size))
    }

    /// Reads to the end of the file straight into the array it returns: no scratch buffer
    /// to zero and copy out of, one allocation when the file is as long as `fstat` said.
    private static func readAll(_ descriptor: Int32, expected: Int) throws(Problem) -> [UInt8] {
        var bytes: [UInt8] = []
        var capacity = max(expected, 0) + 1  // one byte more, to see the end in the same read
        while true {
            var failure: Int32 = 0
            let filled = bytes.count
            var grown = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                if filled > 0 {
                    bytes.withUnsafeBytes { old in
                        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: old)
                    }
                }
                count = filled
                while count < capacity {
                    let read = Foundation.read(descriptor, buffer.baseAddress! + count, capacity - count)
                    if read == 0 { return }
                    if read < 0 {
                        if errno == EINTR || errno == EAGAIN { continue }
                        failure = errno
                        return
                    }
                    count += read
                    // As long as `fstat` said, and the read asked for a byte more: the file is
                    // taken as `fstat` saw it, without one more read to be told it ends (a
                    // system call per file). A file with no size (or one that shrank) reads on.
                    if count == expected && expected > 0 { return }
                }
            }
            if failure != 0 {
                throw Problem(message: "cannot read the file: \(String(cString: strerror(failure)))")
            }
            if grown.count < capacity {
                return grown
            }
            // The file grew since fstat, or reported no size: keep reading.
            swap(&bytes, &grown)
            capacity *= 2
        }
    }

    /// `lstat("link/")` follows the link: the slash asks for the directory behind it.
    private static func withoutTrailingSlashes(_ path: String) -> String {
        guard path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") else { return path }
        var path = Substring(path)
        while path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") { path = path.dropLast() }
        return String(path)
    }

    /// The names in a directory that is itself no link, unsorted.
    static func list(_ path: String) throws(Problem) -> [String] {
        switch kind(path) {
        case .directory: break
        case .missing: throw Problem(message: "no such directory")
        case .regularFile: throw Problem(message: "not a directory")
        case .refused(let what): throw Problem(message: "refused: \(what)")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw Problem(message: "cannot list the directory")
        }
    }
}
