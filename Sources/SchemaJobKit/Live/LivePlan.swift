import Foundation
import SQLSyntax

/// One statement of the next deploy, as it ran on the copy.
public struct PlanStep: Sendable, Equatable {
    public var location: SourceLocation
    /// The statement on one line, shortened.
    public var statement: String
    /// `creates index idx_x`, `alters column t.c`, `inserts 3 rows into gpu_types`; empty: a no-op.
    public var changes: [String]
    /// Existing table → the strongest lock the statement took there (`ACCESS EXCLUSIVE`).
    public var locks: [String: String]
    /// Existing tables the statement rewrote (a new relfilenode).
    public var rewrites: [String]
    /// The statement ran outside a transaction block, where its locks are not observed.
    public var unobserved = false
    /// psql's error, for the statement the replay stopped at.
    public var error: String?
}

public struct LivePlanReport: Sendable {
    public enum Outcome: Sendable { case nothingToDo, applies, wouldFail }
    public var outcome: Outcome
    /// "nothing to do: ..." or the ledger line.
    public var headline: String
    public var steps: [PlanStep]
    /// The Job's failure on the copy: the statement and the error as its log shows them.
    public var failure: Finding?
    public var notes: [String]
}

/// `schemajob plan`: the next deploy, run on a copy of the live database first. The
/// copy is built from `pg_dump --schema-only`, the ledger and bounded fixture-table rows
/// (`LiveCopy`); the Job's own migration runs there as the Job would (no re-apply), and
/// its outcome is the verdict. A second copy replays the files statement by statement,
/// each in a transaction of its own, to observe in `pg_locks` the lock each statement
/// took on the tables that existed before, and in `pg_class.relfilenode` whether it
/// rewrote them. Like `test`'s Replay, it explains the verdict; it never decides it.
public enum LivePlan {
    public static func run(_ request: LiveRequest, progress: (String) -> Void) throws -> LivePlanReport {
        let (set, rendering, live, version) = try request.open(as: "plan")
        let pgDump = try LiveCopy.pgDump(given: request.pgDump, serverMajor: version.liveMajor ?? 0, choice: request.postgres, path: request.environment["PATH"])
        progress("plan: reading the live database (\(live.description)) read-only, as application_name schemajob-plan")
        let reading = try live.read(rowTables: [])
        let ledger = Drift.ledgerLine(reading, hash: rendering.plan.hash).replacingOccurrences(of: "drift: ", with: "plan: ")
        if let run = reading.lastRun, run.hash == rendering.plan.hash {
            return LivePlanReport(
                outcome: .nothingToDo, headline: "plan: nothing to do: the Job will skip (applied at \(run.finishedAt))",
                steps: [], failure: nil, notes: [])
        }
        let tables = LiveCopy.fixtureTables(set)
        progress("plan: pg_dump \(try LiveCopy.version(of: pgDump)) (\(pgDump)) copies the live schema (PostgreSQL \(version.liveMajor ?? 0))")
        let copy = try LiveCopy.take(from: live, pgDump: pgDump, tables: tables, progress: progress)
        // A table the role may not read is not copied (its warning is among the notes).
        let copied = tables.filter { table in copy.tables.contains { $0.name == table } }
        progress("plan: copied the live schema (pg_dump --schema-only), the ledger and at most \(LiveCopy.rowBound) rows of \(copied.isEmpty ? "no fixture table" : copied.joined(separator: ", "))")

        let setup = try request.setup()
        let server = try ProofServer.open(
            dsn: request.scratchDSN, environment: Connection(environment: request.environment).baseEnvironment, version: version)
        defer { server.close() }
        progress(server.description.replacingOccurrences(of: "test: ", with: "plan: "))
        if let warning = server.warning { progress(warning) }
        let session = try Proof.Session(server: server, setup: setup ?? Proof.defaultSetup(on: server) { _ in })

        // The verdict: the Job's wait-for-postgres and migrate containers, as rendered.
        let verdictDatabase = try copy.restore(on: session)
        let job = try LocalMigration.apply(
            rendering, target: server.target(database: verdictDatabase), waitSeconds: 15, reapply: false, output: .capture)
        if job.outcome == .couldNotRun {
            throw InputError("plan", (job.message ?? "the migration did not run") + ": " + Proof.lastLines(job.output))
        }
        let failure = job.outcome == .done
            ? nil : Proof.failure(job, set: set, when: "as the next deploy, on a copy of the live database")

        let replayDatabase = try copy.restore(on: session)
        let steps = try replay(set, on: server, database: replayDatabase)
        return LivePlanReport(
            outcome: failure == nil ? .applies : .wouldFail, headline: ledger, steps: steps, failure: failure,
            notes: copy.notes)
    }

    static let lockRanks = [
        "AccessShareLock": (1, "ACCESS SHARE"), "RowShareLock": (2, "ROW SHARE"), "RowExclusiveLock": (3, "ROW EXCLUSIVE"),
        "ShareUpdateExclusiveLock": (4, "SHARE UPDATE EXCLUSIVE"), "ShareLock": (5, "SHARE"),
        "ShareRowExclusiveLock": (6, "SHARE ROW EXCLUSIVE"), "ExclusiveLock": (7, "EXCLUSIVE"),
        "AccessExclusiveLock": (8, "ACCESS EXCLUSIVE"),
    ]

    /// Each statement of the set in a transaction of its own, on the copy: its locks, the
    /// tables' relfilenodes and the rows it wrote are read before it commits, the
    /// catalog after. Stops at the first failing statement, as psql does.
    static func replay(_ set: MigrationSet, on server: ProofServer, database: String) throws -> [PlanStep] {
        let record = { (kind: String, fields: String) in "E'\\x1D' || '\(kind)' || E'\\x1F' || \(fields) || E'\\x1E'" }
        // The tables that exist before the deploy, by oid, so a table the deploy creates is not "existing".
        var script = """
            SET client_min_messages = warning;
            CREATE TEMPORARY TABLE schemajob_plan_existing AS
              SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relfilenode
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemajob')
                 AND n.nspname !~ '^pg_';

            """
        let observe = """
            SELECT \(record("lock", "e.name || E'\\x1F' || l.mode"))
              FROM pg_locks l JOIN schemajob_plan_existing e ON e.oid = l.relation
             WHERE l.pid = pg_backend_pid() AND l.granted;
            SELECT \(record("rewrite", "e.name"))
              FROM schemajob_plan_existing e JOIN pg_class c ON c.oid = e.oid WHERE c.relfilenode <> e.relfilenode;
            UPDATE schemajob_plan_existing e SET relfilenode = c.relfilenode FROM pg_class c WHERE c.oid = e.oid;
            SELECT \(record("rows", "quote_ident(schemaname) || '.' || quote_ident(relname) || E'\\x1F' || n_tup_ins || E'\\x1F' || n_tup_upd || E'\\x1F' || n_tup_del"))
              FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND relname <> 'schemajob_plan_existing';

            """
        let flush = """
            DO $$ BEGIN IF to_regproc('pg_stat_force_next_flush') IS NOT NULL THEN PERFORM pg_stat_force_next_flush(); END IF; END $$;

            """
        var locations: [(SourceLocation, String)] = []
        script += "SELECT \(record("step", "'0'"));\n" + CatalogSnapshot.catalogQuery + "\n"
        for file in set.files {
            for statement in SQLLexer.statements(in: file.text) {
                var text = statement.text
                let isMeta = statement.significantTokens.first?.kind == .psqlMeta
                if !statement.isTerminated && !isMeta { text += ";" }
                let words = statement.words.prefix(4).joined(separator: " ")
                let outside = file.runsOutsideTransaction || isMeta || words.hasPrefix("CREATE INDEX CONCURRENTLY")
                    || words.hasPrefix("CREATE UNIQUE INDEX CONCURRENTLY") || words.hasPrefix("DROP INDEX CONCURRENTLY")
                    || words.hasPrefix("REINDEX") || words.hasPrefix("VACUUM")
                let code = statement.tokens.drop(while: \.isTrivia).map(\.text).joined()
                let oneLine = code.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                locations.append((SourceLocation(path: file.displayPath, line: statement.line), oneLine.count > 100 ? oneLine.prefix(100) + "…" : oneLine))
                script += "SELECT \(record("step", "'\(locations.count)'"));\n"
                if outside {
                    script += "SELECT \(record("unobserved", "'yes'"));\n" + text + "\n"
                } else {
                    // PostgreSQL 15 keeps a session's row counts pending for up to a second
                    // after a commit, and pg_stat_xact_* shows them: flushed first, the
                    // counts read before COMMIT are this statement's alone.
                    script += flush + "BEGIN;\n" + text + "\n" + observe + "COMMIT;\n"
                }
                script += CatalogSnapshot.catalogQuery + "\n"
            }
        }
        let result = try server.run(script: script, database: database)
        var groups: [[[String]]] = []
        for record in CatalogSnapshot.records(in: result.stdout) {
            if record.first == "step" { groups.append([]) } else if !groups.isEmpty { groups[groups.count - 1].append(record) }
        }
        let own: Set<String> = ["lock", "rewrite", "rows", "unobserved"]
        let snapshots = groups.map { CatalogSnapshot(records: $0.filter { !own.contains($0.first ?? "") }) }
        var steps: [PlanStep] = []
        for (index, group) in groups.enumerated().dropFirst() where index - 1 < locations.count {
            let (location, statement) = locations[index - 1]
            var step = PlanStep(location: location, statement: statement, changes: [], locks: [:], rewrites: [])
            var ranks: [String: Int] = [:]
            for record in group {
                switch record.first {
                case "lock" where record.count >= 3:
                    guard let (rank, name) = lockRanks[record[2]], rank > ranks[record[1], default: 0] else { continue }
                    ranks[record[1]] = rank
                    step.locks[ChangeDescription.shown(record[1])] = name
                case "rewrite" where record.count >= 2: step.rewrites.append(ChangeDescription.shown(record[1]))
                case "rows" where record.count >= 5:
                    let table = ChangeDescription.shown(record[1])
                    for (count, verb) in [(record[2], "inserts"), (record[3], "updates"), (record[4], "deletes")] where count != "0" {
                        step.changes.append("\(verb) \(count) row\(count == "1" ? "" : "s") \(verb == "inserts" ? "into" : "in") \(table)")
                    }
                case "unobserved": step.unobserved = true
                default: break
                }
            }
            // A statement that failed has no catalog after it: psql stopped there.
            if group.contains(where: { !own.contains($0.first ?? "") }) {
                let catalog = snapshots[index - 1].changes(to: snapshots[index]).map { change -> String in
                    let verb = change.before == nil ? "creates" : change.after == nil ? "drops" : "alters"
                    return "\(verb) \(change.subject.kind) \(ChangeDescription.shown(change.subject.name))"
                }
                step.changes = catalog + step.changes
            } else if result.status != 0 {
                // psql names its own script's line, which means nothing to the reader.
                step.error = result.oneLineError().replacing(#/^psql:[^:]*:\d+: /#, with: "")
            }
            steps.append(step)
        }
        return steps
    }
}

/// How `plan` prints its steps.
public enum LivePlanFormat {
    public static func render(_ report: LivePlanReport, as format: FindingFormat) throws -> String {
        switch format {
        case .text:
            var text = ""
            for step in report.steps {
                text += "\(step.location.description): \(step.statement)\n"
                if let error = step.error {
                    text += "    fails: \(error)\n"
                } else {
                    text += "    " + (step.changes.isEmpty ? "no change" : step.changes.joined(separator: "; ")) + "\n"
                }
                if step.unobserved {
                    text += "    runs outside a transaction: its locks are not observed\n"
                }
                for table in step.locks.keys.sorted() {
                    let rewrite = step.rewrites.contains(table) ? "rewrites the table" : "no rewrite"
                    text += "    lock \(step.locks[table]!) on \(table); \(rewrite)\n"
                }
            }
            if let failure = report.failure {
                text += FindingFormat.textLines(failure, withFix: false)
            }
            return text
        case .json:
            return try JSONOutput.text(Encoded(report))
        case .github:
            var text = ""
            for step in report.steps where step.locks.values.contains("ACCESS EXCLUSIVE") || !step.rewrites.isEmpty {
                var properties = ["file=\(FindingFormat.githubProperty(step.location.path))"]
                if let line = step.location.line { properties.append("line=\(line)") }
                properties.append("title=plan")
                let locks = step.locks.keys.sorted().map { "lock \(step.locks[$0]!) on \($0)" + (step.rewrites.contains($0) ? ", rewrites it" : "") }
                text += "::notice \(properties.joined(separator: ","))::\(FindingFormat.githubData(step.statement + "\n" + locks.joined(separator: "\n")))\n"
            }
            if let failure = report.failure {
                text += FindingFormat.githubLine(failure) + "\n"
            }
            return text
        }
    }

    /// `{"steps": [...], "failure": finding or null}`; a step has the place, the
    /// statement, what it changed, the locks it took (table to mode) and the tables it
    /// rewrote. The failure is a finding as every command writes one.
    struct Encoded: Encodable {
        struct Step: Encodable {
            var path: String
            @JSONNullable var line: Int?
            @JSONNullable var column: Int?
            var statement: String
            var changes: [String]
            var locks: [String: String]
            var rewrites: [String]
        }

        var steps: [Step]
        @JSONNullable var failure: FindingFormat.Encoded?

        init(_ report: LivePlanReport) {
            steps = report.steps.map { step in
                Step(path: step.location.path, line: step.location.line, column: step.location.column, statement: step.statement,
                     changes: step.changes, locks: step.locks, rewrites: step.rewrites)
            }
            failure = report.failure.map { FindingFormat.Encoded($0) }
        }
    }
}
