import Foundation

/// The `read` stage: turns a `database/` directory into a `MigrationSet`.
/// Every problem with the files themselves is found here, with the file and line.
public enum DatabaseReader {
    /// The characters Kubernetes allows in a ConfigMap key; a file name is used as one.
    static let configMapKeyCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
    static let maximumKeyLength = 253
    public static let schemaSumName = "schema.sum"

    public static func read(directory: String) throws -> MigrationSet {
        let fileManager = FileManager.default
        guard isDirectory(directory) else {
            throw ReadError(SourceLocation(path: directory), "no such directory (give another with --database)")
        }
        var files: [MigrationFile] = []
        var ignored: [String] = []
        for phase in Phase.allCases {
            let phaseDirectory = join(directory, phase.rawValue)
            guard isDirectory(phaseDirectory) else {
                if phase == .schema {
                    throw ReadError(SourceLocation(path: phaseDirectory), "no such directory: the schema files belong here")
                }
                continue
            }
            let names: [String]
            do {
                names = try fileManager.contentsOfDirectory(atPath: phaseDirectory)
            } catch {
                throw ReadError(SourceLocation(path: phaseDirectory), "cannot list directory")
            }
            for name in names.sorted(by: byteOrder) {
                let path = join(phaseDirectory, name)
                guard name.hasSuffix(".sql"), isRegularFile(path) else {
                    ignored.append(path)
                    continue
                }
                files.append(try readFile(phase: phase, name: name, path: path))
            }
            if phase == .schema && !files.contains(where: { $0.phase == .schema }) {
                throw ReadError(SourceLocation(path: phaseDirectory), "no .sql files: there is nothing to migrate")
            }
        }
        let sumPath = join(directory, schemaSumName)
        var schemaSum: String?
        if isRegularFile(sumPath) {
            guard let data = fileManager.contents(atPath: sumPath), let text = String(data: data, encoding: .utf8) else {
                throw ReadError(SourceLocation(path: sumPath), "cannot read the file as UTF-8")
            }
            schemaSum = text
        }
        return MigrationSet(directory: directory, files: files, ignoredEntries: ignored, schemaSum: schemaSum)
    }

    static func readFile(phase: Phase, name: String, path: String) throws -> MigrationFile {
        guard name.count <= maximumKeyLength, name.allSatisfy({ configMapKeyCharacters.contains($0) }) else {
            throw ReadError(
                SourceLocation(path: path),
                "file name is not a valid ConfigMap key (letters, digits, '-', '_', '.'; at most \(maximumKeyLength) characters)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(SourceLocation(path: path), "cannot read the file")
        }
        let bytes = [UInt8](data)
        guard let text = String(validatingUTF8Bytes: bytes) else {
            let (line, column) = firstInvalidUTF8Position(bytes)
            throw ReadError(SourceLocation(path: path, line: line, column: column), "file is not valid UTF-8")
        }
        return MigrationFile(
            phase: phase, name: name, displayPath: path, bytes: bytes, text: text, sha256: sha256Hex(bytes))
    }

    /// Names sort by their UTF-8 bytes, never by the locale: `B.sql` before `a.sql` everywhere.
    public static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
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
    /// The standard library's decoding validates in bulk (ASCII runs a word at a time) and
    /// replaces what is invalid, so the bytes are valid exactly when nothing was replaced.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let unchanged = text.utf8.withContiguousStorageIfAvailable { decoded in
            decoded.count == bytes.count && memcmp(decoded.baseAddress!, bytes, bytes.count) == 0
        } ?? text.utf8.elementsEqual(bytes)
        guard unchanged else { return nil }
        self = text
    }
}
