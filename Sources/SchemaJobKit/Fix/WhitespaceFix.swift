import SQLSyntax

/// `lint --fix`: the one rewrite that is safe to make without a person looking,
/// trailing whitespace (spaces, tabs, and the CR of a CRLF line end) where PostgreSQL
/// reads it as whitespace. Inside a string literal, a quoted identifier or a dollar-quoted
/// body those bytes are data (a function's source, a default's text), so they stay,
/// and so does a psql meta-command line, whose arguments psql reads verbatim.
/// Everything else lint finds (tabs inside a line, other characters, names) is left
/// for a person.
public enum WhitespaceFix {
    /// One file whose bytes the fix changes.
    public struct Rewrite: Sendable {
        public var file: MigrationFile
        public var bytes: [UInt8]
        /// How many lines lost trailing whitespace.
        public var lineCount: Int
        /// True when `schema.sum` lists the file: the lock fails until it is re-locked.
        public var isLocked: Bool
    }

    /// What `--fix` would do to a set: the rewrites, and the locked files it leaves
    /// alone (all of them, unless `force`).
    public struct Plan: Sendable {
        public var rewrites: [Rewrite] = []
        public var refused: [Rewrite] = []
    }

    public static func plan(_ set: MigrationSet, force: Bool) -> Plan {
        let locked = lockedNames(set)
        var plan = Plan()
        for file in set.files {
            let (bytes, lineCount) = stripped(file.text)
            guard lineCount > 0 else { continue }
            let isLocked = file.phase == .schema && locked.contains(file.name)
            let rewrite = Rewrite(file: file, bytes: bytes, lineCount: lineCount, isLocked: isLocked)
            if isLocked && !force {
                plan.refused.append(rewrite)
            } else {
                plan.rewrites.append(rewrite)
            }
        }
        return plan
    }

    /// The names `schema.sum` lists, however the rest of it reads.
    static func lockedNames(_ set: MigrationSet) -> Set<String> {
        guard let text = set.schemaSum else { return [] }
        return Set(SchemaSum.parse(text, path: SchemaSum.path(for: set)).entries.map(\.name))
    }

    /// The text with trailing spaces, tabs and CRs removed from every line end that
    /// lies in code or in a comment; and how many lines changed.
    public static func stripped(_ text: String) -> (bytes: [UInt8], lineCount: Int) {
        let bytes = Array(text.utf8)
        var isData = [Bool](repeating: false, count: bytes.count)
        var offset = 0
        for token in SQLLexer.tokens(in: text) {
            let length = token.text.utf8.count
            switch token.kind {
            case .string, .quotedIdentifier, .dollarString, .psqlMeta:
                for index in offset..<offset + length { isData[index] = true }
            default:
                break
            }
            offset += length
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var lineCount = 0
        var lineStart = 0
        // Each line, with its end at the next LF or at the end of the text.
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: newline) ?? bytes.count
            var keep = lineEnd
            // A string, identifier or body never ends in whitespace (it ends at its
            // quote or delimiter), so the first protected byte ends the trailing run.
            while keep > lineStart, trailing.contains(bytes[keep - 1]), !isData[keep - 1] { keep -= 1 }
            if keep < lineEnd { lineCount += 1 }
            result += bytes[lineStart..<keep]
            guard lineEnd < bytes.count else { break }
            result.append(newline)
            lineStart = lineEnd + 1
        }
        return (result, lineCount)
    }
}

private let newline = UInt8(ascii: "\n")
private let trailing: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")]
