import Foundation

/// The `read` stage: turns a `database/` directory into a `MigrationSet`.
/// Every problem with the files themselves is found here, with the file and line.
public enum DatabaseReader {
    /// The characters Kubernetes allows in a ConfigMap key (letters, digits, `-`, `.`, `_`);
    /// a file name is used as one.
    static func isConfigMapKeyCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
    static let maximumKeyLength = 253
    public static let schemaSumName = "schema.sum"

    public static func read(directory: String) throws -> MigrationSet {
        switch InputFile.kind(directory) {
        case .directory: break
        case .missing, .regularFile:
            throw InputError(SourceLocation(path: directory), "no such directory (give another with --database)")
        case .refused(let what):
            throw InputError(SourceLocation(path: directory), "refused: \(what)")
        }
        var files: [MigrationFile] = []
        var ignored: [String] = []
        for phase in Phase.allCases {
            let phaseDirectory = join(directory, phase.rawValue)
            if InputFile.kind(phaseDirectory) == .missing {
                if phase == .schema {
                    throw InputError(SourceLocation(path: phaseDirectory), "no such directory: the schema files belong here")
                }
                continue
            }
            let names: [String]
            do {
                names = try InputFile.list(phaseDirectory)
            } catch {
                throw InputError(SourceLocation(path: phaseDirectory), error.message)
            }
            var sqlFiles: [(name: String, path: String)] = []
            for name in names.sorted(by: byteOrder) {
                let path = join(phaseDirectory, name)
                // A hidden name is never applied (nor followed): a reviewer's `ls` does not
                // show it, and editors keep lock files (`.#001_x.sql`, a dangling link) there.
                guard name.hasSuffix(".sql"), !name.hasPrefix(".") else {
                    ignored.append(path)
                    continue
                }
                sqlFiles.append((name, path))
            }
            // Read and checked as UTF-8 on every core (a pass over every byte, before any
            // other stage can start); the first bad file in name order is the one reported.
            for read in sqlFiles.concurrentMap({ file in Result { try readFile(phase: phase, name: file.name, path: file.path) } }) {
                files.append(try read.get())
            }
            if phase == .schema && !files.contains(where: { $0.phase == .schema }) {
                throw InputError(SourceLocation(path: phaseDirectory), "no .sql files: there is nothing to migrate")
            }
        }
        let sumPath = join(directory, schemaSumName)
        var schemaSum: String?
        if InputFile.kind(sumPath) != .missing {
            let bytes = try readBytes(sumPath)
            guard let text = String(validatingUTF8Bytes: bytes) else {
                throw InputError(SourceLocation(path: sumPath), "cannot read the file as UTF-8")
            }
            schemaSum = text
        }
        return MigrationSet(directory: directory, files: files, ignoredEntries: ignored, schemaSum: schemaSum)
    }

    static func readFile(phase: Phase, name: String, path: String) throws -> MigrationFile {
        let bytes = try readSQLBytes(path)
        // Every allowed character is one ASCII byte, so bytes and characters count alike.
        guard name.utf8.count <= maximumKeyLength, name.utf8.allSatisfy(isConfigMapKeyCharacter) else {
            throw InputError(
                SourceLocation(path: path),
                "file name is not a valid ConfigMap key (letters, digits, '-', '_', '.'; at most \(maximumKeyLength) characters)")
        }
        guard let text = String(validatingUTF8Bytes: bytes) else {
            let (line, column) = firstInvalidUTF8Position(bytes)
            throw InputError(SourceLocation(path: path, line: line, column: column), "file is not valid UTF-8")
        }
        try checkContent(bytes, path: path)
        return MigrationFile(
            phase: phase, name: name, displayPath: path, text: text)
    }

    /// A file's bytes, by `InputFile`'s rules (no links, no special files).
    static func readBytes(_ path: String) throws -> [UInt8] {
        do {
            return try InputFile.read(path)
        } catch {
            throw InputError(SourceLocation(path: path), error.message)
        }
    }

    /// A `*.sql` entry's bytes. It is meant to be applied: anything but a plain file is an
    /// error, never something passed over in silence. What else it is, is asked only once
    /// reading failed (one `lstat` fewer per file).
    static func readSQLBytes(_ path: String) throws -> [UInt8] {
        do {
            return try InputFile.read(path)
        } catch {
            switch InputFile.kind(path) {
            case .directory: throw InputError(SourceLocation(path: path), "refused: a directory named like an SQL file")
            case .missing: throw InputError(SourceLocation(path: path), "cannot read the file: it disappeared")
            case .refused(let what): throw InputError(SourceLocation(path: path), "refused: \(what)")
            case .regularFile: throw InputError(SourceLocation(path: path), error.message)
            }
        }
    }

    /// Bytes psql would not run as written: nothing at all (a file that applies nothing is
    /// a placeholder or a lost edit), a UTF-8 byte order mark (psql sends it to the server
    /// as part of the first statement, a syntax error), and a NUL byte (psql reads lines
    /// as C strings and drops the rest of the line without a word).
    static func checkContent(_ bytes: [UInt8], path: String) throws {
        if bytes.isEmpty {
            throw InputError(SourceLocation(path: path), "file is empty: write its SQL, or delete it")
        }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw InputError(SourceLocation(path: path, line: 1, column: 1),
                             "file starts with a UTF-8 byte order mark, which psql would send as SQL: save it without one")
        }
        // memchr: the bytes are looked through a word at a time.
        let nulOffset = bytes.withUnsafeBytes { buffer in
            memchr(buffer.baseAddress!, 0, buffer.count).map { $0 - UnsafeMutableRawPointer(mutating: buffer.baseAddress!) }
        }
        if let nul = nulOffset {
            let line = 1 + bytes[..<nul].lazy.filter { $0 == 0x0A }.count
            let lineStart = bytes[..<nul].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            throw InputError(SourceLocation(path: path, line: line, column: nul - lineStart + 1),
                             "file holds a NUL byte, which psql cannot read")
        }
    }

    /// Names sort by their UTF-8 bytes, never by the locale: `B.sql` before `a.sql` everywhere.
    public static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let length = min(left.count, right.count)
                let common = length == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, length)
                return common != 0 ? common < 0 : left.count < right.count
            }
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Line and column (in bytes, from 1) of the first byte that breaks UTF-8.
    static func firstInvalidUTF8Position(_ bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, index - lineStart + 1)
            }
            let end = index + length
            if end > bytes.count || String(validatingUTF8Bytes: Array(bytes[index..<end])) == nil {
                return (line, index - lineStart + 1)
            }
            if byte == 0x0A {
                line += 1
                lineStart = end
            }
            index = end
        }
        return (line, index - lineStart + 1)
    }
}

extension String {
    /// Strict decoding: nil when the bytes are not valid UTF-8 (no replacement characters).
    /// The standard library's own: one pass that validates in bulk (ASCII runs a word at a
    /// time) as it copies.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}
