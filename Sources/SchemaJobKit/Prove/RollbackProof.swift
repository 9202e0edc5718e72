import Foundation

/// `schemajob test --rollback REV`: what a rollback to the release REV does to a database
/// this set upgraded, and whether deploying this set again restores it.
///
/// A rollback (`helm rollback`, `tofu apply` of the previous commit, Argo CD syncing an
/// older revision) renders REV's Job again, and the Job applies REV's files: their
/// `CREATE OR REPLACE` and fixture upserts put REV's function bodies, view definitions,
/// defaults and rows back over this set's, while what this set added stays. The proof
/// runs that on scratch databases, with the Job's own migration each time:
///   1. REV on an empty database, then this set (the upgrade `--from` builds);
///   2. REV again, as a rollback runs it (applied whatever the ledger holds): it must
///      succeed, and what it changes is reported object by object as warnings;
///   3. this set again, as the roll forward runs it: the result must equal a fresh
///      install of this set, or the roll forward leaves REV's state in place.
extension Proof {
    static func proveRollback(
        to earlier: MigrationSet, rendering earlierRendering: Rendering, from current: MigrationSet,
        rendering: Rendering, shown: String, fresh: CatalogSnapshot?, session: Session, into report: inout ProofReport
    ) throws {
        let database = try session.database()
        let installed = try session.apply(earlierRendering, to: database)
        guard installed.outcome == .done else {
            report.findings.append(failure(installed, set: earlier, when: "as the release \(shown) a rollback returns to, on an empty database"))
            return
        }
        let (upgrade, upgraded) = try session.apply(rendering, to: database, thenSnapshot: true)
        guard upgrade.outcome == .done, let upgraded else {
            report.findings.append(failure(upgrade, set: current, when: "as the next deploy after \(shown)"))
            return
        }
        // The upgraded state, kept for the replay that names the statements of REV behind
        // each warning (a template copy: nobody is connected to the database between runs).
        let beforeRollback = try session.server.copyDatabase(database)

        let (rollback, rolledBack) = try session.apply(earlierRendering, to: database, thenSnapshot: true)
        guard rollback.outcome == .done, let rolledBack else {
            report.findings.append(failure(rollback, set: earlier, when: "as a rollback to \(shown), on the database this set upgraded"))
            return
        }
        let putBack = upgraded.changes(to: rolledBack)
        var rollbackReplay: Replay?
        if !putBack.isEmpty {
            let replay = try Replay.run(
                earlier.files, on: session.server, database: beforeRollback, windowStart: session.windowStart)
            rollbackReplay = replay
            for change in putBack {
                let (object, message) = RollbackWords(shown: shown).describe(change)
                report.findings.append(Finding(
                    .rollbackPutsBack, at: replay.lastChange(of: change.subject) ?? SourceLocation(path: earlier.directory),
                    object: object, message, severity: .warning))
            }
        }

        let (rollForward, rolledForward) = try session.apply(rendering, to: database, thenSnapshot: true)
        guard rollForward.outcome == .done, let rolledForward else {
            report.findings.append(failure(rollForward, set: current, when: "as the roll forward after a rollback to \(shown)"))
            report.findings.sort(by: precedes)
            return
        }
        guard let fresh = try session.freshInstall(rendering, known: fresh) else { return }
        let differences = fresh.changes(to: rolledForward)
        let count = putBack.isEmpty ? "nothing" : putBack.count == 1 ? "1 object" : "\(putBack.count) objects"
        guard !differences.isEmpty else {
            report.proven.append(
                "a rollback to \(shown) runs on the upgraded database (it puts back \(count)), and this set again equals a fresh install")
            report.findings.sort(by: precedes)
            return
        }
        let words = ChangeDescription(
            expectedLabel: "on a fresh install", actualLabel: "after a rollback to \(shown) and this set again")
        let currentReplay = try replay(current, afterRuns: 0, rendering: rendering, session: session)
        for change in differences {
            var (object, message) = words.describe(change)
            if upgraded.entries[change.subject] == rolledForward.entries[change.subject] {
                message += " (so it is after the upgrade from \(shown) alone: see test --from \(shown))"
            } else if rolledBack.entries[change.subject] == rolledForward.entries[change.subject] {
                message += " (the rollback left it so, and this set does not set it again)"
            }
            let location = currentReplay.lastChange(of: change.subject)
                ?? rollbackReplay?.lastChange(of: change.subject) ?? SourceLocation(path: current.directory)
            report.findings.append(Finding(.rollForwardDiffers, at: location, object: object, message))
        }
        report.findings.sort(by: precedes)
    }
}

/// What a rollback changed on one object, as `old → new`: the state this set left, then
/// the one the earlier release's migration left over it.
struct RollbackWords {
    /// The release rolled back to, as the user named it.
    var shown: String

    func describe(_ change: SnapshotChange) -> (object: String, message: String) {
        let generic = ChangeDescription(expectedLabel: "with this set", actualLabel: "after the rollback to \(shown)")
        let (object, fallback) = generic.describe(change)
        guard let before = change.before, let after = change.after else {
            let row = (change.after ?? change.before)?.first.map { ": \($0)" } ?? ""
            let what = change.subject.kind == .row ? row : ""
            return (object, change.before == nil
                ? "the rollback to \(shown) adds it\(what)"
                : "the rollback to \(shown) removes it\(what)")
        }
        switch change.subject.kind {
        case .function, .view:
            // A function's definition is its record's last attribute; a view's is read by name
            // (its record also holds its relkind and its columns).
            let definition = { (record: [String]) in
                change.subject.kind == .view ? ViewState(record).definition : record.last ?? ""
            }
            let edits = LineDiff.edits(LineDiff.lines(definition(before)), LineDiff.lines(definition(after)))
            let removed = edits.compactMap { if case .removed(let line) = $0 { Self.trimmed(line) } else { nil } }
            let added = edits.compactMap { if case .added(let line) = $0 { Self.trimmed(line) } else { nil } }
            let noun = change.subject.kind == .function ? "body" : "definition"
            return (object, "the rollback to \(shown) puts back its earlier \(noun): \(Self.lines(removed)) → \(Self.lines(added))")
        case .column:
            let old = ColumnState(before), new = ColumnState(after)
            let fields = ColumnState.fields.filter { old[keyPath: $0.value] != new[keyPath: $0.value] }.map { field in
                "\(field.label) \(generic.shownValue(old[keyPath: field.value], of: field.value)) → \(generic.shownValue(new[keyPath: field.value], of: field.value))"
            }
            return (object, "the rollback to \(shown) puts back its \(fields.joined(separator: "; "))")
        case .row where before.count == 1 && after.count == 1:
            let old = Dictionary(CatalogSnapshot.columns(ofRow: before[0]), uniquingKeysWith: { first, _ in first })
            let new = Dictionary(CatalogSnapshot.columns(ofRow: after[0]), uniquingKeysWith: { first, _ in first })
            let columns = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }.map { column in
                "\(column) \(old[column] ?? "(no column)") → \(new[column] ?? "(no column)")"
            }
            return (object, "the rollback to \(shown) puts back its values: \(columns.joined(separator: "; "))")
        default:
            return (object, fallback)
        }
    }

    private static func trimmed(_ line: String) -> String {
        line.trimmingCharacters(in: .whitespaces)
    }

    /// Lines as one, each in backquotes; `(nothing)` for none.
    private static func lines(_ lines: [String]) -> String {
        let shown = lines.filter { !$0.isEmpty }
        return shown.isEmpty ? "(nothing)" : shown.map { "`\($0)`" }.joined(separator: " ")
    }

}
