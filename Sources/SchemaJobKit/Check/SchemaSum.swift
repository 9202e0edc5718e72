/// `database/schema.sum`, the append-only lock: the checksums of the schema files
/// that have been deployed. A deployed file must never change, because a database
/// that already ran it would never run the new text (`CREATE TABLE IF NOT EXISTS`
/// skips an existing table) and the databases would drift apart unnoticed.
///
/// The format, one line per schema file in the order they run, then one more:
///
///     <sha256 of the file's bytes>  <file name>
///     …
///     sum <sha256 of every line above, each with its "\n">
///
/// The file lines are what `sha256sum` writes, so `cd database/schema &&
/// sha256sum -c ../schema.sum` checks them too (it skips the last line with a
/// warning). The last line catches a hand edit of the lines above, as atlas.sum
/// does. Fixtures are not listed: they are edited in place by design.
public enum SchemaSum {
    public struct Entry: Sendable, Hashable {
        public var sha256: String
        public var name: String
        /// The line of `schema.sum` it is on.
        public var line: Int
    }

    static let totalPrefix = "sum "

    /// The lock for every schema file of `set`, as it is now.
    public static func render(for set: MigrationSet) -> String {
        let body = set.files(in: .schema).map { "\($0.sha256)  \($0.name)\n" }.joined()
        return body + totalPrefix + sha256Hex(Array(body.utf8)) + "\n"
    }

    /// Where `set`'s lock file is, or would be.
    public static func path(for set: MigrationSet) -> String {
        DatabaseReader.join(set.directory, DatabaseReader.schemaSumName)
    }

    /// The lock's findings: a listed file that changed or is gone, and a sum file
    /// edited by hand. Files not listed yet are fine (they are new), and so is a
    /// set with no `schema.sum` at all (nothing is deployed yet).
    /// The names `schema.sum` locks: deployed files, which lint gives no advice they could
    /// not follow (a locked file that changed is an error of its own).
    static func lockedNames(_ set: MigrationSet) -> Set<String> {
        guard let text = set.schemaSum else { return [] }
        return Set(parse(text, path: path(for: set)).entries.map(\.name))
    }

    public static func verify(_ set: MigrationSet) -> [Finding] {
        guard let text = set.schemaSum else { return [] }
        let sumPath = path(for: set)
        let (entries, problems) = parse(text, path: sumPath)
        var findings = problems
        let files = Dictionary(set.files(in: .schema).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in entries {
            guard let file = files[entry.name] else {
                findings.append(Finding(
                    .schemaSumMissingFile, at: SourceLocation(path: sumPath, line: entry.line, column: 1),
                    "\(entry.name) is locked in \(DatabaseReader.schemaSumName) but is no longer in \(DatabaseReader.join(set.directory, "schema"))"))
                continue
            }
            if file.sha256 != entry.sha256 {
                findings.append(Finding(
                    .schemaSumChanged, at: SourceLocation(path: file.displayPath),
                    "\(file.name) changed after it was deployed (\(DatabaseReader.schemaSumName) line \(entry.line) has sha256 \(entry.sha256.prefix(12))…, the file has \(file.sha256.prefix(12))…)"))
            }
        }
        return findings
    }

    /// The entries that read well, and a `schema-sum-tampered` finding for
    /// everything that does not: a malformed line, a name listed twice, a missing
    /// or wrong last line.
    public static func parse(_ text: String, path: String) -> (entries: [Entry], problems: [Finding]) {
        // Split the scalars: Swift reads "\r\n" as one Character. A CRLF from a checkout
        // that converts line endings is tolerated; the hashes do not change.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            Substring(line.last == "\r" ? line.dropLast() : line)
        }
        if lines.last == "" { lines.removeLast() }
        var entries: [Entry] = []
        var problems: [Finding] = []
        func tampered(_ line: Int, _ message: String) {
            problems.append(Finding(.schemaSumTampered, at: SourceLocation(path: path, line: line, column: 1), message))
        }
        guard let last = lines.last, last.hasPrefix(totalPrefix) else {
            tampered(max(lines.count, 1), "the last line is not 'sum <sha256>': the file was edited or cut short")
            return (parseEntries(lines[...], tampered: tampered), problems)
        }
        let body = lines.dropLast()
        entries = parseEntries(body, tampered: tampered)
        let expected = sha256Hex(Array(body.map { $0 + "\n" }.joined().utf8))
        if last.dropFirst(totalPrefix.count) != expected {
            tampered(lines.count, "the last line does not checksum the lines above: the file was edited by hand")
        }
        return (entries, problems)
    }

    private static func parseEntries(_ lines: ArraySlice<Substring>, tampered: (Int, String) -> Void) -> [Entry] {
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let hash = line.prefix(64)
            let separator = line.dropFirst(64).prefix(2)
            let name = String(line.dropFirst(66))
            guard hash.count == 64, hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), separator == "  ", !name.isEmpty else {
                tampered(number, "line \(number) is not '<sha256>  <file name>'")
                continue
            }
            guard seen.insert(name).inserted else {
                tampered(number, "\(name) is listed twice")
                continue
            }
            entries.append(Entry(sha256: String(hash), name: name, line: number))
        }
        return entries
    }
}
