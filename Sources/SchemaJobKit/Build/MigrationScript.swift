import Foundation

/// Writes the psql script the Job runs, from `templates/scripts/migration.psql`:
/// each `-- schemajob:` marker line becomes the plan's files, in the plan's order.
/// The list is explicit, never a shell glob, so the order never depends on a locale.
public enum MigrationScript {
    static let applyMarker = "-- schemajob:apply "
    static let recordMarker = "-- schemajob:record files"

    /// `analysis` is the plan's set's: it knows the indexes a no-transaction file builds.
    public static func render(plan: Plan, templates: TemplateSet, analysis: MigrationAnalysis) throws -> String {
        let path = templates.displayPath(TemplateSet.migrationScript)
        let template = try templates.text(TemplateSet.migrationScript)
        var lines: [String] = []
        var markersSeen: Set<String> = []
        for (index, line) in template.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix(applyMarker) {
                let phaseName = String(line.dropFirst(applyMarker.count)).trimmingWhitespace()
                guard let phase = Phase(rawValue: phaseName) else {
                    throw InputError(SourceLocation(path: path, line: index + 1, column: 1),
                                     "unknown phase '\(phaseName)' (schema or fixtures)")
                }
                markersSeen.insert(phase.rawValue)
                let files = plan.files.filter { $0.phase == phase }
                // psql names a failed statement by the script line that sent it, here a
                // file's one `\gexec`; with ECHO errors it also echoes the statement,
                // which starts with its own place, and migrate.sh reports that place.
                if !files.isEmpty { lines.append("\\set ECHO errors") }
                for file in files {
                    // The file's statements go to the server as query text (QueryText):
                    // psql never reads the file, so it cannot run a meta-command from it.
                    let run = QueryText.lines(running: file, pieces: analysis.pieces(of: file))
                    if file.runsOutsideTransaction {
                        // Commit what came before, run the file in autocommit, then go on
                        // in a new transaction; the session's lock stays held throughout.
                        lines += ["COMMIT;", "\\echo '  → \(file.name) (outside the transaction)'"]
                        lines += analysis.concurrentIndexes(of: file).flatMap(dropIfInvalid)
                        lines += run + ["BEGIN;"]
                    } else {
                        lines += ["\\echo '  → \(file.name)'"] + run
                    }
                }
                if !files.isEmpty { lines.append("\\set ECHO none") }
            } else if line == recordMarker {
                markersSeen.insert("record")
                lines.append(contentsOf: recordFiles(plan.files))
            } else {
                lines.append(String(line))
            }
        }
        for marker in ["schema", "fixtures", "record"] where !markersSeen.contains(marker) {
            let expected = marker == "record" ? recordMarker : applyMarker + marker
            throw InputError(SourceLocation(path: path), "the line '\(expected)' is missing")
        }
        return lines.joined(separator: "\n")
    }

    /// One ledger row per file, in the run's transaction; `:run_id` comes from the
    /// INSERT … RETURNING before it.
    static func recordFiles(_ files: [MigrationFile]) -> [String] {
        guard !files.isEmpty else { return [] }
        var lines = ["INSERT INTO schemajob.run_files (run_id, position, phase, name, sha256) VALUES"]
        // The one place a render needs every file's own digest: computed on every core.
        let digests = files.concurrentMap(\.sha256)
        for (index, file) in files.enumerated() {
            let separator = index == files.count - 1 ? ";" : ","
            lines.append("    (:run_id, \(index + 1), \(sqlLiteral(file.phase.rawValue)), \(sqlLiteral(file.name)), \(sqlLiteral(digests[index])))\(separator)")
        }
        return lines
    }

    /// Drops `index` (a `to_regclass` name) when an earlier, failed concurrent build left
    /// it invalid, so that the file's `CREATE INDEX CONCURRENTLY IF NOT EXISTS` builds it
    /// again instead of skipping it. A valid index is left alone.
    static func dropIfInvalid(_ index: String) -> [String] {
        [
            "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(\(sqlLiteral(index))) AND NOT indisvalid) AS invalid_index \\gset",
            "\\if :invalid_index",
            "\\echo \(sqlLiteral("    dropping index \(index): an earlier build failed and left it invalid; the file builds it again"))",
            "DROP INDEX CONCURRENTLY IF EXISTS \(index);",
            "\\endif",
        ]
    }

    static func sqlLiteral(_ text: String) -> String {
        // Quotes doubled in the stdlib (Foundation's search first counts the text in UTF-16):
        // a render makes one for every file's ledger row.
        let quote = UInt8(ascii: "'")
        var bytes: [UInt8] = [quote]
        bytes.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == quote { bytes.append(quote) }
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
