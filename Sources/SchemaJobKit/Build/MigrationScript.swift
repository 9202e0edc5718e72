import Foundation

/// Writes the psql script the Job runs, from `templates/scripts/migration.psql`:
/// each `-- schemajob:` marker line becomes the plan's files, in the plan's order.
/// The list is explicit, never a shell glob, so the order never depends on a locale.
public enum MigrationScript {
    static let applyMarker = "-- schemajob:apply "
    static let recordMarker = "-- schemajob:record files"

    /// The script, and the ConfigMaps of the statement lengths it does not hold.
    public struct Written {
        public var script: String
        /// Whether the script holds the statement lengths.
        public var lengthsInScript: Bool
        /// Empty unless the lengths are outside the script (`StatementLengths`).
        public var statementConfigMaps: [ConfigMapPlan]
    }

    /// `analysis` is the plan's set's: it knows the indexes a no-transaction file builds.
    /// The script holds the statement lengths.
    public static func render(plan: Plan, templates: TemplateSet, analysis: MigrationAnalysis) throws -> String {
        try render(plan: plan, templates: templates, analysis: analysis, fits: { _ in true }).script
    }

    /// The script with the statement lengths in it when `fits` says the scripts ConfigMap
    /// can hold that script; else made again with each phase's lengths in ConfigMaps of
    /// their own (`StatementLengths`), of at most `lengthsBudget` serialized bytes each.
    public static func render(plan: Plan, templates: TemplateSet, analysis: MigrationAnalysis,
                              lengthsBudget: Int = Planner.configMapDataBudget, fits: (String) throws -> Bool) throws -> Written {
        // Every file's digest, computed once on every core: the read checks and the
        // ledger rows both need them, in either script.
        let digests = plan.files.concurrentMap(\.sha256)
        let script = try render(plan: plan, templates: templates, analysis: analysis, digests: digests, lengthsOutside: false)
        if try fits(script.script) { return script }
        return try render(plan: plan, templates: templates, analysis: analysis, digests: digests, lengthsOutside: true,
                          lengthsBudget: lengthsBudget)
    }

    static func render(plan: Plan, templates: TemplateSet, analysis: MigrationAnalysis, digests: [String],
                       lengthsOutside: Bool, lengthsBudget: Int = Planner.configMapDataBudget) throws -> Written {
        let path = templates.displayPath(TemplateSet.migrationScript)
        let template = try templates.text(TemplateSet.migrationScript)
        var lines: [String] = []
        var markersSeen: Set<String> = []
        var watcherAwaited = false
        var statementConfigMaps: [ConfigMapPlan] = []
        for (index, line) in template.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix(applyMarker) {
                let phaseName = String(line.dropFirst(applyMarker.count)).trimmingWhitespace()
                guard let phase = Phase(rawValue: phaseName) else {
                    throw InputError(SourceLocation(path: path, line: index + 1, column: 1),
                                     "unknown phase '\(phaseName)' (schema or fixtures)")
                }
                markersSeen.insert(phase.rawValue)
                let members = zip(plan.files, digests).filter { $0.0.phase == phase }.map { file, digest in
                    QueryText.Batch.Member(
                        file: file, pieces: analysis.pieces(of: file) ?? QueryText.pieces(of: file.text), digest: digest,
                        announced: !file.runsOutsideTransaction)
                }
                var outside: QueryText.Batch.LengthsOutside? = nil
                if lengthsOutside && !members.isEmpty {
                    let lengths = try StatementLengths.configMaps(
                        QueryText.Batch.statementLengths(of: members), phase: phase, shortHash: plan.shortHash,
                        files: members.map(\.file), budget: lengthsBudget)
                    statementConfigMaps += lengths.configMaps
                    outside = lengths.outside
                }
                let batch = QueryText.Batch(members, directory: phase.rawValue, shownDirectory: phase.rawValue, lengthsOutside: outside)
                lines += apply(batch, analysis: analysis, awaitingWatcher: !watcherAwaited)
                watcherAwaited = watcherAwaited || !members.isEmpty
            } else if line == recordMarker {
                markersSeen.insert("record")
                lines.append(contentsOf: recordFiles(plan.files, digests: digests))
            } else {
                lines.append(String(line))
            }
        }
        for marker in ["schema", "fixtures", "record"] where !markersSeen.contains(marker) {
            let expected = marker == "record" ? recordMarker : applyMarker + marker
            throw InputError(SourceLocation(path: path), "the line '\(expected)' is missing")
        }
        return Written(script: lines.joined(separator: "\n"), lengthsInScript: !lengthsOutside, statementConfigMaps: statementConfigMaps)
    }

    /// The lines that run a phase: its files read by one backtick and checked by one
    /// query, their statements sent from one prepared statement, in order. A file that
    /// runs outside the transaction cuts the phase in segments, an `EXECUTE … \gexec`
    /// each: the transaction so far commits before it, its statements run one by one in
    /// autocommit, and a new transaction starts after it. `awaitingWatcher`: the run's
    /// first phase with files waits for the lock watcher once its files are checked.
    static func apply(_ batch: QueryText.Batch, analysis: MigrationAnalysis, awaitingWatcher: Bool = false) -> [String] {
        guard !batch.members.isEmpty else { return [] }
        // psql names a failed statement by the script line that sent it, here a
        // segment's one `\gexec`; with ECHO errors it also echoes the statement, which
        // starts with its own place, and migrate.sh reports that place. The files'
        // announcements are rows printed by a query: bare values, as `\echo` prints
        // (QUIET is on, so `\pset` itself prints nothing).
        var lines = ["\\set ECHO errors"] + batch.opening + ["\\pset tuples_only on", "\\pset format unaligned"]
        if awaitingWatcher { lines.append(watcherReady) }
        var next = 1
        for (index, member) in batch.members.enumerated() where member.file.runsOutsideTransaction {
            let rows = batch.statementRows(of: index)
            lines += batch.execute(next..<rows.lowerBound)
            // Commit what came before, run the file in autocommit, then go on in a new
            // transaction; the session's lock stays held throughout.
            lines += ["COMMIT;", "\\echo '  → \(member.file.name) (outside the transaction)'"]
            lines += analysis.concurrentIndexes(of: member.file).flatMap(dropIfInvalid)
            lines += batch.execute(rows) + ["BEGIN;"]
            next = rows.upperBound
        }
        lines += batch.execute(next..<batch.rowCount + 1)
        return lines + batch.closing + ["\\pset tuples_only off", "\\pset format aligned", "\\set ECHO none"]
    }

    /// The session waits until the lock watcher that migration.psql's `\!` line started
    /// (lock-watcher.sh) is watching: its process is alive and has written its first line,
    /// for at most a second. It reads only what migrate.sh and lock-watcher.sh share (the
    /// watcher's pid and notes in `$SCHEMAJOB_WORK`), so it waits for nothing when psql
    /// runs the script by hand or no watcher was started. The watcher's start (a psql start
    /// and a connection, about 50 ms) overlaps the ledger's statements and the reading and
    /// checking of the files. Of those, only the one-time `ALTER TABLE` of a ledger older
    /// than its `schemajob_version` column can queue behind a gate's read, and its wait
    /// lasts a lock timeout (100 ms on a first attempt, by default): longer than a watcher
    /// usually takes to start.
    static let watcherReady = #"\! [ -z "${SCHEMAJOB_WORK:-}" ] || [ ! -s "$SCHEMAJOB_WORK/watcher" ] || { read -r pid <"$SCHEMAJOB_WORK/watcher"; i=0; while [ "$i" -lt 50 ] && [ ! -s "$SCHEMAJOB_WORK/waits" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.02; i=$((i + 1)); done; }"#

    /// One ledger row per file, in the run's transaction; `:run_id` comes from the
    /// INSERT … RETURNING before it. `digests` are the files' `sha256`, in order.
    static func recordFiles(_ files: [MigrationFile], digests: [String]) -> [String] {
        guard !files.isEmpty else { return [] }
        var lines = ["INSERT INTO schemajob.run_files (run_id, position, phase, name, sha256) VALUES"]
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
