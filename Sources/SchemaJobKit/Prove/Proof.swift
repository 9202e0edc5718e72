import Foundation
import SQLSyntax

/// What `schemajob test` proves, and with what.
public struct ProofRequest: Sendable {
    public var databaseDirectory: String
    /// An earlier `database/`: a directory or a git revision (`--from`).
    public var from: String?
    /// The release a rollback goes back to: a directory or a git revision (`--rollback`).
    public var rollback: String?
    public var dsn: String?
    /// SQL run first in every scratch database; nil: pgmq, or schemajob's stand-in for it.
    public var setupFile: String?
    /// `--fix-file`: where a proven upgrade fix is written (a directory: numbered after its last file).
    public var fixFile: String?
    /// The caller's environment: `PATH` and libpq's `PG*` variables.
    public var environment: [String: String]
    /// Limits on each scratch database (`--statement-timeout`, `--max-database-size`).
    public var bounds = ScratchBounds()
    /// `--postgres-bin` and `--allow-version-mismatch`: which server `test` starts.
    public var postgres = PostgresInstallation.Choice()

    public init(
        databaseDirectory: String = "database", from: String? = nil, dsn: String? = nil, setupFile: String? = nil,
        fixFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.fixFile = fixFile
        self.databaseDirectory = databaseDirectory
        self.from = from
        self.dsn = dsn
        self.setupFile = setupFile
        self.environment = environment
    }
}

/// `schemajob test`: proves on scratch databases, applying the set exactly as the Job
/// does (the rendered `migrate` container, its script, its one psql session), that
///   - a second and a third run change nothing: schema and rows are identical after
///     each run (idempotent);
///   - with `from`, the earlier set followed by this one gives the same database as
///     this one alone (upgrade = fresh install).
/// Differences are explained by a statement-by-statement replay (see `Replay`).
public enum Proof {
    /// Runs of the whole set on one database: the third runs the fixtures a third time.
    public static let runs = 3

    public static func run(_ request: ProofRequest, progress: (String) -> Void) throws -> ProofReport {
        let current = try DatabaseReader.read(directory: request.databaseDirectory)
        let earlier = try request.from.map { try EarlierDatabase.read($0, directory: request.databaseDirectory) }
        let rollback = try request.rollback.map {
            try EarlierDatabase.read($0, directory: request.databaseDirectory, option: "--rollback")
        }
        var setup: String?
        if let path = request.setupFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(path, "cannot read the --setup file")
            }
            setup = String(decoding: data, as: UTF8.self)
        }
        let renderRequest = RenderRequest(databaseDirectory: request.databaseDirectory)
        let rendering = try SchemaJob.render(current, settingsAndTemplatesOf: renderRequest)
        let earlierRendering = try earlier.map { try SchemaJob.render($0, settingsAndTemplatesOf: renderRequest) }
        let rollbackRendering = try rollback.map { try SchemaJob.render($0, settingsAndTemplatesOf: renderRequest) }

        let server = try ProofServer.open(
            dsn: request.dsn, environment: request.environment, version: ProofServer.Version(choice: request.postgres))
        defer { server.close() }
        server.bounds = request.bounds
        progress(server.description)
        if let warning = server.warning { progress(warning) }
        progress("test: scratch databases \(ProofServer.databasePrefix)\(server.run)_1, _2, ... are created there and dropped at the end")
        let session = Session(server: server, setup: try setup ?? defaultSetup(on: server, progress: progress))

        var report = ProofReport(findings: [], proven: [])
        let fresh = try proveIdempotent(current, rendering: rendering, session: session, into: &report)
        if let earlier, let earlierRendering, let from = request.from {
            try proveUpgrade(
                from: earlier, rendering: earlierRendering, to: current, rendering: rendering, shown: from,
                fresh: fresh, session: session, into: &report
            ) { try SchemaJob.render($0, settingsAndTemplatesOf: renderRequest) }
        }
        if let rollback, let rollbackRendering, let shown = request.rollback {
            try proveRollback(
                to: rollback, rendering: rollbackRendering, from: current, rendering: rendering, shown: shown,
                fresh: fresh, session: session, into: &report)
        }
        if let path = request.fixFile {
            try writeFix(report.fix, to: path, progress: progress)
        }
        return report
    }

    /// `--fix-file`: the fix set when it was proven, nothing otherwise (an unproven one
    /// is printed as a suggestion, never written as a file that would run on every deploy).
    static func writeFix(_ fix: ProofFix?, to path: String, progress: (String) -> Void) throws {
        guard let fix else {
            progress("test: nothing written to \(path): no upgrade fix (the upgrade equals a fresh install, or its differences have no statement)")
            return
        }
        guard fix.isProven else {
            progress("test: nothing written to \(path): the fix is unproven (see the suggestion)")
            return
        }
        let name = (fix.path as NSString).lastPathComponent.drop { $0.isNumber }.drop { $0 == "_" }
        let written = try FixFileOutput.write([FixFileOutput.File(name: String(name), text: fix.script, isNumbered: true)], to: path)
        progress("test: wrote the proven fix to \(written.joined(separator: ", "))")
    }

    /// The scratch server, the setup SQL and the run's time window, shared by every step.
    struct Session: Sendable {
        var server: ProofServer
        var setup: String
        /// When the proof began, on the server's clock.
        var windowStart: String
        /// Each rendering's pods, read once for all of its runs.
        let pods = PodsByRender()

        init(server: ProofServer, setup: String) {
            self.server = server
            self.setup = setup
            windowStart = server.openedAt
        }

        /// Within one session every rendering has the same settings and templates, so
        /// its content hash names it.
        final class PodsByRender: @unchecked Sendable {
            private var pods: [String: LocalPods] = [:]
            private let lock = NSLock()

            /// Starts reading `rendering`'s pods on a thread of its own, while the caller
            /// waits for something else (CREATE DATABASE takes hundreds of ms); `pods`
            /// then waits for it, or reads them itself when this failed.
            func prepare(_ rendering: Rendering, server: ProofServer) {
                nonisolated(unsafe) let rendering = rendering
                let started = DispatchSemaphore(value: 0)
                Thread { [self] in
                    lock.lock()
                    started.signal()
                    defer { lock.unlock() }
                    guard pods[rendering.plan.hash] == nil else { return }
                    pods[rendering.plan.hash] = try? LocalMigration.localPods(
                        rendering, target: server.target(database: ProofServer.databasePrefix), output: .capture)
                }.start()
                // The lock is the thread's until the pods are read: a caller of `pods` waits for them.
                started.wait()
            }

            func pods(_ rendering: Rendering, server: ProofServer, database: String) throws -> LocalPods {
                var made = try lock.withLock {
                    if let made = pods[rendering.plan.hash] { return made }
                    let made = try LocalMigration.localPods(rendering, target: server.target(database: database), output: .capture)
                    pods[rendering.plan.hash] = made
                    return made
                }
                // The scratch databases differ only in their name.
                made.environmentOverrides["PGDATABASE"] = database
                return made
            }
        }

        func database() throws -> String {
            try server.createDatabase(setup: setup)
        }

        func snapshot(_ database: String) throws -> CatalogSnapshot {
            let result = try server.run(script: CatalogSnapshot.query(windowStart: windowStart), database: database)
            guard result.status == 0 else {
                throw InputError("catalog snapshot", result.oneLineError())
            }
            return CatalogSnapshot(records: CatalogSnapshot.records(in: result.stdout))
        }

        /// A fresh install's snapshot: `known` (the idempotence proof's first run), else one
        /// made now on an empty database; nil when the set fails there (already a finding).
        func freshInstall(_ rendering: Rendering, known: CatalogSnapshot?) throws -> CatalogSnapshot? {
            if let known { return known }
            let database = try database()
            guard try apply(rendering, to: database).outcome == .done else { return nil }
            return try snapshot(database)
        }

        /// The Job's `migrate` container, pointed at `database`. Always with re-apply: the
        /// Job skips a hash that is its ledger's newest run, and the proof is precisely that
        /// running the files again changes nothing. Without `wait-for-postgres`: the
        /// server has answered this proof's own queries a moment before.
        func apply(_ rendering: Rendering, to database: String) throws -> LocalMigration.Report {
            try apply(rendering, to: database, thenSnapshot: false).report
        }

        /// `apply`, then, when the run is done, the snapshot of `database`: taken while the
        /// watch has its last look at the finished run, since both only read it. A bound
        /// passed still wins over whatever the snapshot saw (or failed to see, its session
        /// ended with the run's).
        func apply(
            _ rendering: Rendering, to database: String, thenSnapshot: Bool
        ) throws -> (report: LocalMigration.Report, snapshot: CatalogSnapshot?) {
            let watch = ScratchWatch(server: server, database: database, bounds: server.bounds)
            let applied = Result {
                try LocalMigration.apply(pods.pods(rendering, server: server, database: database), waitSeconds: nil, reapply: true)
            }
            var snapshot: Result<CatalogSnapshot, any Error>?
            let breach: ScratchWatch.Breach?
            if thenSnapshot, case .success(let report) = applied, report.outcome == .done {
                nonisolated(unsafe) var taken: Result<CatalogSnapshot, any Error>?
                let done = DispatchSemaphore(value: 0)
                Thread {
                    taken = Result { try self.snapshot(database) }
                    done.signal()
                }.start()
                breach = watch.stop()
                done.wait()
                snapshot = taken
            } else {
                breach = watch.stop()
            }
            switch breach {
            case .size(let megabytes):
                throw InputError(
                    "schemajob test",
                    "the scratch database grew to \(megabytes) MiB, past --max-database-size \(server.bounds.maximumDatabaseMegabytes); the run was ended")
            case .time:
                throw InputError(
                    "schemajob test",
                    "a statement ran past --statement-timeout \(server.bounds.statementTimeoutSeconds) (the file changed statement_timeout); the run was ended")
            case nil:
                break
            }
            let report = try applied.get()
            if report.outcome == .couldNotRun {
                throw InputError(
                    "schemajob test", (report.message ?? "the migration did not run") + ": " + lastLines(report.output))
            }
            return (report, try snapshot?.get())
        }
    }

    /// pgmq when the server has it, otherwise the stand-in built into schemajob.
    static func defaultSetup(on server: ProofServer, progress: (String) -> Void) throws -> String {
        if server.hasPgmq {
            progress("test: the server has the pgmq extension: CREATE EXTENSION pgmq in each scratch database")
            return "CREATE EXTENSION IF NOT EXISTS pgmq;\n"
        }
        progress("test: the server has no pgmq extension: installing schemajob's stand-in (templates/\(TemplateSet.pgmqStandIn)) in each scratch database; --setup FILE installs something else")
        return try TemplateSet.embedded().text(TemplateSet.pgmqStandIn)
    }

    /// Returns the snapshot after the first run on an empty database (a fresh install),
    /// when that run succeeded.
    @discardableResult
    static func proveIdempotent(
        _ set: MigrationSet, rendering: Rendering, session: Session, into report: inout ProofReport
    ) throws -> CatalogSnapshot? {
        session.pods.prepare(rendering, server: session.server)
        let database = try session.database()
        var snapshots: [CatalogSnapshot] = []
        for run in 1...runs {
            let (applied, snapshot) = try session.apply(rendering, to: database, thenSnapshot: true)
            guard applied.outcome == .done, let snapshot else {
                let when = run == 1 ? "on an empty database" : "on run \(run) of \(runs)"
                report.findings.append(failure(applied, set: set, when: when))
                return snapshots.first
            }
            snapshots.append(snapshot)
            guard run > 1 else { continue }
            let changes = snapshots[run - 2].changes(to: snapshots[run - 1])
            guard changes.isEmpty else {
                let replay = try replay(set, afterRuns: run - 1, rendering: rendering, session: session)
                let words = ChangeDescription(expectedLabel: "after run \(run - 1)", actualLabel: "after run \(run)")
                for change in changes {
                    let (object, message) = words.describe(change)
                    report.findings.append(Finding(
                        .notIdempotent,
                        at: replay.lastChange(of: change.subject) ?? SourceLocation(path: set.directory),
                        object: object, message))
                }
                report.findings.sort(by: precedes)
                return snapshots.first
            }
        }
        report.proven.append("idempotent (\(runs) runs of the Job's migration, schema and rows identical after each)")
        return snapshots.first
    }

    static func proveUpgrade(
        from earlier: MigrationSet, rendering earlierRendering: Rendering, to current: MigrationSet,
        rendering: Rendering, shown: String, fresh: CatalogSnapshot?, session: Session, into report: inout ProofReport,
        render: (MigrationSet) throws -> Rendering
    ) throws {
        let upgraded = try session.database()
        let old = try session.apply(earlierRendering, to: upgraded)
        guard old.outcome == .done else {
            report.findings.append(failure(old, set: earlier, when: "as the earlier set \(shown), on an empty database"))
            return
        }
        // REV's install, what the previous release runs on, before this set changes it.
        let previous = try PreviousRelease.Check(session: session, database: upgraded)
        let deploy = try session.apply(rendering, to: upgraded)
        guard deploy.outcome == .done else {
            var finding = failure(deploy, set: current, when: "as the next deploy after \(shown)")
            // The deploy rolled back, so the database is as the earlier set left it: the
            // columns a fresh install has and it lacks are what the statement needed.
            if let fresh, let missing = finding.message.firstMatch(of: #/column "([^"]+)" does not exist/#)?.1 {
                let actual = try session.snapshot(upgraded)
                let changes = fresh.changes(to: actual).filter {
                    $0.subject.kind == .column && $0.after == nil
                        && CatalogSnapshot.splitColumn($0.subject.name).1 == String(missing)
                }
                let fixes = changes.flatMap { FixSet.fixes(for: $0, expected: fresh, actual: actual) }.map(\.sql)
                if !fixes.isEmpty {
                    finding.fix = "suggestion (unproven), between the CREATE TABLE and this statement (the column exists on a fresh install only):\n"
                        + fixes.joined(separator: "\n")
                }
            }
            report.findings.append(finding)
            return
        }
        let fresh = try session.freshInstall(rendering, known: fresh)
        guard fresh != nil else { return }
        let actual = try session.snapshot(upgraded)
        try previous.prove(
            upgraded: actual, earlier: earlier, earlierRendering: earlierRendering, current: current,
            rendering: rendering, shown: shown, into: &report)
        let changes = fresh!.changes(to: actual)
        guard !changes.isEmpty else {
            report.proven.append("an upgrade from \(shown) equals a fresh install")
            return
        }
        let words = ChangeDescription(expectedLabel: "on a fresh install", actualLabel: "after the upgrade from \(shown)")
        let fixSet = FixSet.build(from: fresh!, to: actual)
        if !fixSet.isEmpty {
            let outcome = try proveFix(fixSet.script, appendedTo: current, upgraded: upgraded, session: session, render: render)
            let remainingWords = ChangeDescription(
                expectedLabel: "on a fresh install", actualLabel: "after the upgrade with the fix")
            report.fix = ProofFix(
                script: fixSet.script, path: outcome.path, isProven: outcome.isProven,
                remaining: outcome.failure.map { [$0] } ?? outcome.remaining.map { change in
                    let (object, message) = remainingWords.describe(change)
                    return "\(object): \(message)"
                })
        }
        let currentReplay = try replay(current, afterRuns: 0, rendering: rendering, session: session)
        // The earlier set then this one, on one database, as an upgrade runs them: what
        // only the upgraded side has was made there, perhaps under another name since.
        var upgradeReplay: Replay?
        let earlierSteps = earlier.files.reduce(0) { $0 + SQLLexer.statements(in: $1.text).count }
        // A rename is one finding, about the name a fresh install has.
        let renamedFrom = fixSet.renamedFrom
        let renamedAway = Set(renamedFrom.values)
        func upgradeOrigin(_ subject: SnapshotSubject) throws -> (location: SourceLocation, isEarlier: Bool)? {
            if upgradeReplay == nil {
                let database = try session.database()
                upgradeReplay = try Replay.run(
                    earlier.files + current.files, on: session.server, database: database, windowStart: session.windowStart)
            }
            guard let replay = upgradeReplay, let step = replay.origin(of: subject) else { return nil }
            return (replay.steps[step].location, step < earlierSteps)
        }
        for change in changes where !renamedAway.contains(change.subject) {
            var location = change.before == nil ? nil : currentReplay.lastChange(of: change.subject)
            var madeEarlier = false
            if location == nil, let origin = try upgradeOrigin(change.subject) {
                location = origin.location
                madeEarlier = origin.isEarlier
            }
            var (object, message) = words.describe(change)
            if let old = renamedFrom[change.subject] {
                message = "exists on a fresh install; after the upgrade from \(shown) it is named \(ChangeDescription.shown(old.name)), with the same definition"
                if let origin = try upgradeOrigin(old) {
                    message += " (made by \(origin.location.description)\(origin.isEarlier ? " of the earlier set" : ""))"
                }
            }
            report.findings.append(Finding(
                .upgradeDiffers, at: location ?? SourceLocation(path: current.directory),
                object: object, message + (madeEarlier ? " (made by the earlier set \(shown))" : ""),
                fix: fixSet.sql(for: change.subject)))
        }
        report.findings.sort(by: precedes)
    }

    /// A fresh scratch database with the Job run `afterRuns` times, then the set replayed.
    static func replay(_ set: MigrationSet, afterRuns: Int, rendering: Rendering, session: Session) throws -> Replay {
        let database = try session.database()
        for _ in 0..<afterRuns {
            _ = try session.apply(rendering, to: database)
        }
        return try Replay.run(set.files, on: session.server, database: database, windowStart: session.windowStart)
    }

    /// A run that failed: the statement psql names in the Job's log, in the set's words.
    static func failure(_ report: LocalMigration.Report, set: MigrationSet, when: String) -> Finding {
        let pattern = #/psql:\S*?/(schema|fixtures)/([^/:\s]+):(\d+): (ERROR|FATAL):\s+(?:[0-9A-Z]{5}: )?(.*)/#
        for line in report.output.split(separator: "\n") {
            guard let match = line.firstMatch(of: pattern), let psqlLine = Int(match.3),
                let file = set.files.first(where: { $0.phase.rawValue == match.1 && $0.name == match.2 })
            else { continue }
            let statement = SQLLexer.statements(in: file.text).last { $0.line <= psqlLine }
            let code = statement.map { $0.tokens.drop(while: \.isTrivia).map(\.text).joined() } ?? ""
            let text = code.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let shortened = text.count > 100 ? text.prefix(100) + "…" : Substring(text)
            return Finding(
                .sqlFailed, at: SourceLocation(path: file.displayPath, line: statement?.line ?? psqlLine),
                object: "statement `\(shortened)`",
                "fails \(when): \(match.4): \(match.5) (the Job's log: \(file.displayPath):\(psqlLine): \(match.4))")
        }
        return Finding(
            .sqlFailed, at: SourceLocation(path: set.directory), object: "the migration",
            "fails \(when): \(report.message ?? "") \(lastLines(report.output))")
    }

    static func lastLines(_ output: String) -> String {
        output.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    static func precedes(_ lhs: Finding, _ rhs: Finding) -> Bool {
        let left = (lhs.location.path, lhs.location.line ?? 0, lhs.object ?? "")
        let right = (rhs.location.path, rhs.location.line ?? 0, rhs.object ?? "")
        return left < right
    }
}
