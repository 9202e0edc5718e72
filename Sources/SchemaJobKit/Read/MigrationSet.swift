import Foundation

/// Which directory of `database/` a file came from; schema files run before fixtures.
public enum Phase: String, CaseIterable, Sendable, Codable, Comparable {
    case schema
    case fixtures

    public static func < (lhs: Phase, rhs: Phase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One SQL file, as read: its bytes, held once, as the text they decode to (the reader
/// refuses bytes that are not valid UTF-8, so the text's UTF-8 is the file, byte for byte).
public struct MigrationFile: Hashable, Sendable {
    public var phase: Phase
    /// The file name, which is also its ConfigMap key (`001_users_and_keys.sql`).
    public var name: String
    /// The path as the user would type it (`database/schema/001_users_and_keys.sql`),
    /// used in messages; never an absolute path unless the user gave one.
    public var displayPath: String
    public var text: String
    /// The file's bytes, exactly as read: a view of `text`, not a copy.
    public var bytes: String.UTF8View { text.utf8 }
    /// Lower-case hex SHA-256 of `bytes`, computed on each use: only the ledger rows of the
    /// migration script, `schema.sum` and `history` need it, never `hash`. Hold on to it
    /// rather than ask twice.
    public var sha256: String { sha256Hex(bytes) }

    /// The line that puts a file outside the run's transaction. It must stand among the
    /// comments before the file's first statement.
    public static let noTransactionDirective = "-- schemajob:no-transaction"

    /// True when the file opts out of the run's one transaction, for statements PostgreSQL
    /// refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`). Its statements
    /// then run one by one, each committed as it ends.
    public var runsOutsideTransaction: Bool {
        var text = text
        return text.withUTF8(Self.opensOutsideTransaction)
    }

    /// Line by line from the top over the bytes: only the opening comment lines are ever
    /// looked at, and an ASCII line (their usual case) is trimmed and compared as bytes.
    static func opensOutsideTransaction(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let dash = UInt8(ascii: "-")
        var start = 0
        while start < bytes.count {
            // A line ends at "\n", and the "\r" of a CRLF end is not part of it: a file
            // saved with Windows line ends (which lint warns of) opts out as it says.
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let cut = end > start && end < bytes.count && bytes[end - 1] == 0x0D ? end - 1 : end
            let line = UnsafeBufferPointer(rebasing: bytes[start..<cut])
            if line.contains(where: { $0 >= 0x80 }) {
                // Unicode spaces and combining marks: the Characters decide.
                let trimmed = trimmingSpaces(Substring(String(decoding: line, as: UTF8.self)))
                if trimmed == noTransactionDirective { return true }
                if !(trimmed.isEmpty || trimmed.hasPrefix("--")) { return false }
            } else {
                var first = 0, last = line.count
                while first < last && isSpace(line[first]) { first += 1 }
                while last > first && isSpace(line[last - 1]) { last -= 1 }
                let trimmed = UnsafeBufferPointer(rebasing: line[first..<last])
                if trimmed.elementsEqual(noTransactionDirective.utf8) { return true }
                if !(trimmed.isEmpty || (trimmed.count >= 2 && trimmed[0] == dash && trimmed[1] == dash)) { return false }
            }
            start = end + 1
        }
        return false
    }

    /// `trimmingCharacters(in: .whitespaces)` (tabs and Unicode spaces), without the trip
    /// through NSString that made it a fifth of a small render.
    static func trimmingSpaces(_ line: Substring) -> Substring {
        // An ASCII line (a comment's usual case) needs no scalar's properties looked up.
        if line.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = line.utf8
            func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
            else { return "" }
            return line[first...last]
        }
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = line.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return Substring(scalars[first...last])
    }

    public init(phase: Phase, name: String, displayPath: String, text: String) {
        self.phase = phase
        self.name = name
        self.displayPath = displayPath
        self.text = text
    }
}

/// Everything `database/` holds, in the order the Job applies it:
/// schema files then fixtures, each phase in byte order of the names.
public struct MigrationSet: Sendable {
    /// The directory as given (`database`), for messages.
    public var directory: String
    public var files: [MigrationFile]
    /// Entries the reader passed over (not `*.sql`, or not regular files), by display path.
    /// They are not applied; `lint` reports them.
    public var ignoredEntries: [String]
    /// `database/schema.sum` as read, when it exists (the append-only lock).
    public var schemaSum: String?

    public init(directory: String, files: [MigrationFile], ignoredEntries: [String] = [], schemaSum: String? = nil) {
        self.directory = directory
        self.files = files
        self.ignoredEntries = ignoredEntries
        self.schemaSum = schemaSum
    }

    public func files(in phase: Phase) -> [MigrationFile] {
        files.filter { $0.phase == phase }
    }
}
