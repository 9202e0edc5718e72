import Foundation

/// What `schemajob drift` and `schemajob plan` read, and where they build their scratch databases.
public struct LiveRequest: Sendable {
    /// The files, settings and templates, as `render` reads them.
    public var render: RenderRequest
    /// The live database: `--dsn`, else libpq's `PG*` variables, else the settings.
    public var dsn: String?
    /// Where the fresh install (drift) or the copy (plan) is built: a server named here, else a throwaway one.
    public var scratchDSN: String?
    public var setupFile: String?
    /// drift's `--fix-file`: a file, or a directory (the next free number there).
    public var fixFile: String?
    /// `--pg-dump`: a pg_dump at least as new as the live server (plan; drift proving its fix).
    public var pgDump: String?
    /// `--postgres-bin` and `--allow-version-mismatch`: the scratch server must be the live server's major.
    public var postgres = PostgresInstallation.Choice()
    public var environment: [String: String]

    public init(
        render: RenderRequest, dsn: String? = nil, scratchDSN: String? = nil, setupFile: String? = nil,
        fixFile: String? = nil, pgDump: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.render = render
        self.dsn = dsn
        self.scratchDSN = scratchDSN
        self.setupFile = setupFile
        self.fixFile = fixFile
        self.pgDump = pgDump
        self.environment = environment
    }

    /// The files, their rendering, and the live database, which answered: an unreachable
    /// server is known before a scratch server is started for nothing.
    func open(as command: String) throws -> (MigrationSet, Rendering, LiveDatabase, ProofServer.Version) {
        let set = try DatabaseReader.read(directory: render.databaseDirectory)
        let rendering = try SchemaJob.render(set, settingsAndTemplatesOf: render)
        let live = try LiveDatabase(
            target: Connection(environment: environment, dsn: dsn),
            settings: rendering.plan.settings, applicationName: "schemajob-\(command)")
        // The first query also says the server's major, which the scratch server must match.
        let versionNumber = try live.run("SELECT current_setting('server_version_num');\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let version = ProofServer.Version(choice: postgres, liveMajor: (Int(versionNumber) ?? 0) / 10000, command: command)
        if let live = version.liveMajor, live < PostgresInstallation.oldestMajor {
            throw InputError(dsn == nil ? "PG* variables" : "--dsn", "the live server is PostgreSQL \(live), older than \(PostgresInstallation.oldestMajor), the oldest major schemajob supports")
        }
        return (set, rendering, live, version)
    }

    /// The `--setup` file's SQL; nil without one (pgmq, or the stand-in, as in `test`).
    func setup() throws -> String? {
        guard let path = setupFile else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, "cannot read the --setup file")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `schemajob drift`: does the live database equal a fresh install of these files?
/// The fresh install is built exactly as `test` builds one (the Job's own script on a
/// scratch database); the live database is only read (`LiveDatabase`); the two are
/// compared with `test`'s catalog comparison (`CatalogSnapshot`), in `test`'s words
/// (`ChangeDescription`), and the fix is `test`'s (`FixSet`), proven as `test` proves it.
public enum Drift {
    public static func run(_ request: LiveRequest, progress: (String) -> Void) throws -> DriftReport {
        let (set, rendering, live, version) = try request.open(as: "drift")
        progress("drift: reading the live database (\(live.description)) read-only, as application_name schemajob-drift")

        let fresh = try FreshInstall.build(
            set, rendering: rendering, scratchDSN: request.scratchDSN, setup: try request.setup(),
            environment: request.environment, version: version, progress: progress)
        defer { fresh.session.server.close() }
        let clock = ContinuousClock(), readStart = clock.now
        let reading = try live.read(rowTables: fresh.rowTables)
        let seconds = Self.seconds(clock.now - readStart)
        progress(String(
            format: "drift: read the live database in %.2f s (catalogs of %d objects, the ledger, rows of %d fixture table%@)",
            seconds, reading.snapshot.entries.count, fresh.rowTables.count, fresh.rowTables.count == 1 ? "" : "s"))

        // The catalogs need no privilege; rows do. A fixture table the role may not read
        // is said once and its rows left out of both sides.
        for table in reading.unreadable {
            progress("drift: warning: " + LiveDatabase.grantHint(rowsOf: table, not: "compared"))
        }
        let excluded = Exclusions(
            schemas: fresh.setupSchemas.union(reading.extensionSchemas), relations: reading.extensionRelations)
        var expected = excluded.apply(to: fresh.snapshot)
        expected.entries = expected.entries.filter { subject, _ in
            subject.kind != .row || !reading.unreadable.contains(String(subject.name.prefix { $0 != " " }))
        }
        let actual = excluded.apply(to: generatedLeftOut(reading.snapshot, like: expected))
        let differences = driftBetween(expected, actual)
        let replay = differences.contains { $0.before != nil }
            ? try Proof.replay(set, afterRuns: 0, rendering: rendering, session: fresh.session) : nil
        let declaredAt = { (subject: SnapshotSubject) in replay?.lastChange(of: subject) }
        let fix = DriftFix.build(expected, actual, set: set, declaredAt: declaredAt)
        var findings = findingsBetween(
            differences, set: set, fixes: fix.fixSet, declaredAt: declaredAt, liveName: live.description)
        findings.sort(by: precedes)

        var report = DriftReport(findings: findings, ledger: ledgerLine(reading, hash: rendering.plan.hash))
        report.lockedRelations = reading.lockedRelations
        let unfixable = findings.filter { $0.isError && $0.fix == nil }.count
        if unfixable > 0, request.fixFile != nil {
            report.fixNotes.append("drift: \(unfixable) of the differences have no statement in the fix (fixture rows are the fixtures' to set; a table or an index the files create IF NOT EXISTS comes with the next deploy; an enum value cannot move): see the findings")
        }
        if fix.isEmpty {
            if let path = request.fixFile { report.fixNotes.append("drift: nothing to write to \(path): no difference has a mechanical fix") }
        } else if let path = request.fixFile {
            let (proof, proven, notes) = try prove(fix, set: set, request: request, live: live, fresh: fresh, exclusions: excluded, progress: progress)
            report.fix = proof
            report.fixNotes += notes
            if proof.isProven {
                let files = proven.files(after: set)
                let written = try FixFileOutput.write(files.map { file in
                    FixFileOutput.File(
                        name: file.name == DriftFix.firstName ? file.name : DriftFix.lastName, text: file.text,
                        isNumbered: file.name != DriftFix.firstName)
                }, to: path)
                for (file, target) in zip(files, written) {
                    let count = file.name == DriftFix.firstName ? proven.first.count : proven.last.count
                    let first = file.name == DriftFix.firstName ? " (sorts before every numbered file; a fresh install skips them)" : ""
                    report.fixNotes.append("drift: wrote \(count) fix\(count == 1 ? "" : "es") to \(target)\(first)")
                }
                report.fixNotes.append("drift: before the deploy: schemajob lint; schemajob test; schemajob plan")
            } else {
                report.fixNotes.append("drift: nothing written to \(path): the fix is unproven (see the suggestion)")
            }
        } else {
            report.unprovenFixes = "drift --fix-file PATH tries them on a copy of the live schema and writes them when they close the differences"
        }
        return report
    }

    /// The fix proven the one way fixes are proven (`Proof.proveFix`): on a copy of the
    /// live schema (pg_dump, restored on the scratch server, as `plan` makes one), the
    /// Job's migration of the set with the fix files runs twice, a fresh install of the
    /// same set once, and the two are compared as drift compares. When no copy can be
    /// made (pg_dump older than the server, a table the role cannot read), the fix is a
    /// suggestion, with the reason.
    ///
    /// The proof also places the fix: every statement starts in the file numbered last,
    /// where it runs after everything the files hold; when the copy fails on a statement
    /// that names a column the fix adds (an index in the file whose `CREATE TABLE IF NOT
    /// EXISTS` declared it, a no-op on the live table), that column moves to the file that
    /// sorts first and the proof runs again, until it holds or a failure moves nothing.
    /// Each round is a fresh copy of the one restored live schema; there are at most as
    /// many rounds as columns, plus one.
    static func prove(
        _ fix: DriftFix, set: MigrationSet, request: LiveRequest, live: LiveDatabase, fresh: FreshInstall,
        exclusions: Exclusions, progress: (String) -> Void
    ) throws -> (ProofFix, DriftFix, [String]) {
        let shown = { (files: [MigrationFile]) in files.map { ProofFix.File(path: $0.displayPath, script: $0.text) } }
        let clock = ContinuousClock(), start = clock.now
        var fix = fix
        var outcome: FixOutcome
        var rounds = 0
        do {
            let pgDump = try LiveCopy.pgDump(
                given: request.pgDump, serverMajor: nil, choice: request.postgres, path: request.environment["PATH"])
            let copy = try LiveCopy.take(from: live, pgDump: pgDump, tables: LiveCopy.fixtureTables(set), progress: progress)
            let database = try copy.restore(on: fresh.session)
            while true {
                rounds += 1
                let files = fix.files(after: set)
                outcome = try Proof.proveFix(
                    adding: files, to: set, upgraded: database, session: fresh.session,
                    render: { try SchemaJob.render($0, settingsAndTemplatesOf: request.render) }
                ) { freshInstall, copy in
                    let expected = exclusions.apply(to: freshInstall)
                    // Rows are the fixtures' (the deploy runs them on the copy too), not the fix's.
                    return driftBetween(expected, exclusions.apply(to: generatedLeftOut(copy, like: expected)))
                        .filter { $0.subject.kind != .row && $0.before != nil }
                }
                var fixed = set
                fixed.files += files
                guard let failed = outcome.failedAt, !fix.moveFirst(neededBy: failed, in: fixed).isEmpty else { break }
            }
        } catch let error as InputError {
            let files = fix.files(after: set)
            let unproven = ProofFix(files: shown(files), isProven: false, remaining: ["not tried: " + error.diagnosticLine], copyOf: "the live schema")
            return (unproven, fix, fix.notes)
        }
        let seconds = Self.seconds(clock.now - start)
        let words = ChangeDescription(expectedLabel: "on a fresh install", actualLabel: "on the copy with the fix")
        let proof = ProofFix(
            files: shown(fix.files(after: set)), isProven: outcome.isProven,
            remaining: outcome.failure.map { [$0] } ?? outcome.remaining.map { change in
                let (object, message) = words.describe(change)
                return "\(object): \(message)"
            }, copyOf: "the live schema")
        let tried = String(
            format: "drift: the fix was tried on a copy of the live schema in %.2f s, %d round%@ (%d column%@ moved to the file that sorts first): %@",
            seconds, rounds, rounds == 1 ? "" : "s", fix.first.count, fix.first.count == 1 ? "" : "s",
            proof.isProven ? "proven" : "unproven")
        return (proof, fix, fix.notes + [tried])
    }

    /// What differs between the fresh install and the live database that is drift:
    /// rows the live database has beyond the fixtures are the application's data, and
    /// extensions come with the database image, not with the files.
    static func driftBetween(_ expected: CatalogSnapshot, _ actual: CatalogSnapshot) -> [SnapshotChange] {
        expected.changes(to: actual).filter { change in
            !(change.before == nil && [.row, .`extension`].contains(change.subject.kind))
        }
    }

    /// Every difference, in the words `test` uses, with the file that declares it and
    /// its part of the fix.
    static func findingsBetween(
        _ differences: [SnapshotChange], set: MigrationSet, fixes: FixSet,
        declaredAt: (SnapshotSubject) -> SourceLocation?, liveName: String
    ) -> [Finding] {
        // A table missing (or undeclared) as a whole is one finding, not one per column.
        let wholeTables = Set(differences.filter { $0.subject.kind == .table && ($0.before == nil || $0.after == nil) }.map(\.subject.name))
        let changes = differences.filter { change in
            guard [.column, .constraint, .index, .trigger].contains(change.subject.kind) else { return true }
            let table = change.subject.kind == .index
                ? (change.before ?? change.after).flatMap(IndexState.init)?.table ?? ""
                : CatalogSnapshot.splitQualified(change.subject.name).prefix(2).joined(separator: ".")
            return !wholeTables.contains(table) || (change.before != nil && change.after != nil)
        }
        let words = ChangeDescription(expectedLabel: "on a fresh install", actualLabel: "in the live database")
        let livePlace = SourceLocation(path: "live database (\(liveName))")
        return changes.map { change in
            var (object, message) = words.describe(change)
            let kind: ProofKind
            if change.subject.kind == .row {
                kind = .fixtureRow
                message += change.after == nil
                    ? " (the fixtures insert it on the next deploy)"
                    : " (the next deploy's fixtures set it only if they update on conflict)"
            } else if change.before == nil {
                kind = .undeclared
            } else if change.after == nil {
                kind = .missingInLive
            } else {
                kind = .differsInLive
            }
            let location = kind == .undeclared
                ? livePlace : (declaredAt(change.subject) ?? SourceLocation(path: set.directory))
            return Finding(
                kind, at: location, object: object, message,
                fix: kind == .fixtureRow ? nil : fixes.sql(for: change.subject), severity: kind == .undeclared ? .warning : .error)
        }
    }

    /// A fixture value the run generates (`DEFAULT NOW()`) is "(generated)" in the fresh
    /// install; the live database's value for that column of that row is not compared.
    static func generatedLeftOut(_ live: CatalogSnapshot, like fresh: CatalogSnapshot) -> CatalogSnapshot {
        var result = live
        for (subject, rows) in fresh.entries where subject.kind == .row && rows.count == 1 {
            guard let liveRows = live.entries[subject], liveRows.count == 1 else { continue }
            let generated = Set(CatalogSnapshot.columns(ofRow: rows[0]).filter { $0.1 == "'(generated)'" || $0.1 == "(generated)" }.map(\.0))
            guard !generated.isEmpty else { continue }
            var values: [String: String] = [:]
            for (column, value) in CatalogSnapshot.columns(ofRow: liveRows[0]) {
                values[column] = generated.contains(column) ? CatalogSnapshot.columns(ofRow: rows[0]).first { $0.0 == column }!.1 : value
            }
            result.entries[subject] = [CatalogSnapshot.render(values)]
        }
        return result
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func ledgerLine(_ reading: LiveDatabase.Reading, hash: String) -> String {
        let files = "these files hash to \(hash.prefix(ContentHash.shortLength))"
        if reading.ledgerUnreadable {
            return "drift: the ledger (schemajob.runs) is not readable by this role (grant USAGE ON SCHEMA schemajob and SELECT ON schemajob.runs, or pg_read_all_data); \(files)"
        }
        guard reading.hasLedger else {
            return "drift: the live database has no ledger (schemajob.runs): no schemajob migration ran there; \(files)"
        }
        guard let run = reading.lastRun else { return "drift: the ledger holds no run; \(files)" }
        let same = run.hash == hash ? " (the same: the Job would skip)" : ""
        return "drift: last migrated with hash \(run.hash.prefix(ContentHash.shortLength)) at \(run.finishedAt) by \(run.pod ?? "an unnamed pod"); \(files)\(same)"
    }

    static func precedes(_ lhs: Finding, _ rhs: Finding) -> Bool {
        (lhs.isError ? 0 : 1, lhs.location.path, lhs.location.line ?? 0, lhs.object ?? "")
            < (rhs.isError ? 0 : 1, rhs.location.path, rhs.location.line ?? 0, rhs.object ?? "")
    }
}

/// What is nobody's drift: objects in schemas the setup SQL or an extension made
/// (pgmq and its queue tables), and relations an extension owns. schemajob's ledger
/// schema is never in a snapshot.
struct Exclusions {
    var schemas: Set<String>
    var relations: Set<String>

    func apply(to snapshot: CatalogSnapshot) -> CatalogSnapshot {
        var result = snapshot
        result.entries = snapshot.entries.filter { !excludes($0.key) }
        return result
    }

    func excludes(_ subject: SnapshotSubject) -> Bool {
        switch subject.kind {
        case .`extension`: return false
        case .schema: return schemas.contains(subject.name)
        default:
            let parts = CatalogSnapshot.splitQualified(subject.name)
            guard let schema = parts.first else { return false }
            if schemas.contains(schema) { return true }
            guard parts.count > 1 else { return false }
            let relation = schema + "." + parts[1].prefix { $0 != " " && $0 != "(" }
            return relations.contains(relation)
        }
    }
}

/// A fresh install of the files on a scratch database, built as `test` builds one.
struct FreshInstall {
    var session: Proof.Session
    var database: String
    var snapshot: CatalogSnapshot
    /// Schemas the setup SQL made (pgmq, or the stand-in's): the environment, not the files.
    var setupSchemas: Set<String>
    /// The tables the fixtures write (quote_ident'ed `schema.table`).
    var rowTables: [String]

    static func build(
        _ set: MigrationSet, rendering: Rendering, scratchDSN: String?, setup: String?,
        environment: [String: String], version: ProofServer.Version, progress: (String) -> Void
    ) throws -> FreshInstall {
        let command = version.command
        // libpq's variables name the live database here, never the scratch server.
        let scratchEnvironment = Connection(environment: environment).baseEnvironment
        let server = try ProofServer.open(dsn: scratchDSN, environment: scratchEnvironment, version: version)
        func relabel(_ line: String) {
            progress(line.hasPrefix("test: ") ? "\(command): " + line.dropFirst("test: ".count) : line)
        }
        do {
            relabel(server.description)
            if let warning = server.warning { progress(warning) }
            let session = try Proof.Session(server: server, setup: setup ?? Proof.defaultSetup(on: server, progress: relabel))
            session.pods.prepare(rendering, server: server)
            let database = try session.database()
            let baseline = try session.snapshot(database)
            let (applied, installed) = try session.apply(rendering, to: database, thenSnapshot: true)
            guard applied.outcome == .done, let snapshot = installed else {
                let failure = Proof.failure(applied, set: set, when: "on an empty database")
                throw InputError(failure.location.description, "the files do not install on an empty database, so there is nothing to compare with: \(failure.object ?? "") \(failure.message)")
            }
            // Every new database has `public`; any other schema there came from the setup.
            let setupSchemas = Set(baseline.entries.keys.filter { $0.kind == .schema }.map(\.name)).subtracting(["public"])
            let exclusions = Exclusions(schemas: setupSchemas, relations: [])
            let rowTables = Set(snapshot.entries.keys.filter { $0.kind == .row && !exclusions.excludes($0) }.map { subject in
                String(subject.name.prefix { $0 != " " })
            })
            return FreshInstall(
                session: session, database: database, snapshot: snapshot, setupSchemas: setupSchemas,
                rowTables: rowTables.sorted())
        } catch {
            server.close()
            throw error
        }
    }
}
