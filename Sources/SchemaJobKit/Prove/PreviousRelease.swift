import Foundation
import SQLSyntax

/// `test --from REV`, second half: the release built for REV keeps running on the
/// upgraded database. Every deploy runs both releases on one schema (the Job migrates,
/// then the new pods roll out while the old ones serve), and a rollback puts the old
/// one back on it. Decided by the catalogs, never by the SQL text: everything REV's
/// install has that an application touches (tables, columns with their type,
/// nullability and default, functions and procedures by signature and result, views
/// and their columns, enum values, sequences, types) must still be there after this
/// set ran, with a type the previous release can read and write.
///
/// What breaks it is named at the statement that broke it, found by replaying REV's
/// files then this set's statement by statement (`Replay`), only when something broke
/// or a contract marker needs deciding: a set that breaks nothing costs one snapshot.
enum PreviousRelease {
    /// One thing the previous release uses that the upgraded database took away or changed.
    struct Break: Equatable {
        var subject: SnapshotSubject
        var object: String
        var message: String
    }

    /// Everything `previous` (REV's install) has that `upgraded` breaks, in subject order.
    static func breaks(previous: CatalogSnapshot, upgraded: CatalogSnapshot) -> [Break] {
        var subjects = previous.entries.keys.filter { watched.contains($0.kind) }
        // A column the upgrade added is the previous release's business too: its INSERTs
        // do not name it.
        subjects += upgraded.entries.keys.filter { $0.kind == .column && previous.entries[$0] == nil }
        return subjects.sorted().compactMap { subject in
            problem(subject, previous: previous, upgraded: upgraded).map {
                Break(subject: subject, object: "\(subject.kind) \(ChangeDescription.shown(subject.name))", message: $0)
            }
        }
    }

    /// What an application reads, writes or calls.
    static let watched: Set<SnapshotKind> = [.table, .column, .function, .view, .enumValue, .sequence, .type]

    /// Why `subject` breaks the previous release on `upgraded`, or nil.
    static func problem(_ subject: SnapshotSubject, previous: CatalogSnapshot, upgraded: CatalogSnapshot) -> String? {
        let before = previous.entries[subject], after = upgraded.entries[subject]
        if subject.kind == .column, before == nil {
            let table = SnapshotSubject(kind: .table, name: CatalogSnapshot.splitColumn(subject.name).0)
            guard previous.entries[table] != nil, let after else { return nil }
            let column = ColumnState(after)
            guard !column.notNull.isEmpty, column.defaultExpression.isEmpty, column.identity.isEmpty, column.generated.isEmpty
            else { return nil }
            return "added NOT NULL without a default: the previous release's INSERTs do not name it, and fail"
        }
        guard let before else { return nil }
        guard let after else {
            if subject.kind == .column,
                upgraded.entries[SnapshotSubject(kind: .table, name: CatalogSnapshot.splitColumn(subject.name).0)] == nil
            {
                return nil  // The table's own break says it.
            }
            if subject.kind == .enumValue {
                return "removed (or renamed): the previous release still writes it"
            }
            // A trigger's function is called by its trigger, never by the application.
            if subject.kind == .function, ["trigger", "event_trigger"].contains(returns(before.first ?? "")) {
                return nil
            }
            if subject.kind == .function, let other = otherSignature(of: subject.name, in: upgraded) {
                return "its signature changed (now \(ChangeDescription.shown(other))): the previous release still calls the old one"
            }
            return "dropped or renamed: the previous release still uses it"
        }
        switch subject.kind {
        case .column:
            let old = ColumnState(before), new = ColumnState(after)
            if !widens(old.type, to: new.type) {
                return "type \(old.type) became \(new.type), which is not a widening: the previous release may not read or write it"
            }
            if old.notNull.isEmpty && !new.notNull.isEmpty {
                return "made NOT NULL: the previous release may still write NULL there"
            }
            if !new.notNull.isEmpty, !old.defaultExpression.isEmpty, new.defaultExpression.isEmpty, new.identity.isEmpty {
                return "lost its default while NOT NULL: the previous release's INSERTs that leave it out fail"
            }
        case .function:
            let old = returns(before.first ?? ""), new = returns(after.first ?? "")
            if old != new {
                return "its result changed from \(old) to \(new): the previous release reads the old one"
            }
        case .view:
            let old = ViewState(before).columns, new = Dictionary(
                ViewState(after).columns.map { (columnName($0), $0) }, uniquingKeysWith: { first, _ in first })
            for column in old {
                guard let now = new[columnName(column)] else {
                    return "column \(columnName(column)) is gone: the previous release still reads it"
                }
                if !widens(columnType(column), to: columnType(now)) {
                    return "column \(columnName(column)) is \(columnType(now)), was \(columnType(column)): not a widening"
                }
            }
        case .sequence:
            if let old = SequenceState(before), let new = SequenceState(after), !widens(old.type, to: new.type) {
                return "type \(old.type) became \(new.type): the previous release's values may not fit"
            }
        case .type:
            let old = TypeState(before), new = TypeState(after)
            if old.typtype != new.typtype {
                return "is no longer the same kind of type: the previous release still uses it as it was"
            }
            if let oldBase = old.domainBase, let newBase = new.domainBase, !oldBase.isEmpty, !widens(oldBase, to: newBase) {
                return "domain over \(oldBase) became one over \(newBase), which is not a widening"
            }
        default:
            break
        }
        return nil
    }

    /// Another function of the same schema and name, when `name(args)` is gone.
    static func otherSignature(of name: String, in snapshot: CatalogSnapshot) -> String? {
        let base = name.prefix { $0 != "(" }
        return snapshot.entries.keys.filter { $0.kind == .function && $0.name.prefix { $0 != "(" } == base }
            .map(\.name).sorted().first
    }

    /// The ` RETURNS …` line of `pg_get_functiondef` (a procedure has none).
    static func returns(_ definition: String) -> String {
        definition.split(separator: "\n").first { $0.hasPrefix(" RETURNS ") }
            .map { String($0.dropFirst(" RETURNS ".count)) } ?? "nothing"
    }

    static func columnName(_ line: String) -> String { String(line.prefix { $0 != " " }) }
    static func columnType(_ line: String) -> String { String(line.drop { $0 != " " }.dropFirst()) }

    /// Whether every value of `old` (as `format_type` writes it) is one of `new`, read and
    /// written the same way: more length, more digits, a larger integer, no limit.
    static func widens(_ old: String, to new: String) -> Bool {
        if old == new { return true }
        let oldArray = old.hasSuffix("[]"), newArray = new.hasSuffix("[]")
        guard oldArray == newArray else { return false }
        if oldArray { return widens(String(old.dropLast(2)), to: String(new.dropLast(2))) }
        let (oldName, oldModifiers) = parse(old), (newName, newModifiers) = parse(new)
        let integers = ["smallint": 5, "integer": 10, "bigint": 19]
        switch (oldName, newName) {
        case ("character varying", "character varying"), ("bit varying", "bit varying"):
            guard let newLength = newModifiers.first else { return true }
            guard let oldLength = oldModifiers.first else { return false }
            return newLength >= oldLength
        case ("character varying", "text"), ("text", "character varying"):
            return newModifiers.isEmpty
        case ("real", "double precision"):
            return true
        case ("numeric", "numeric"):
            guard newModifiers.count == 2 else { return newModifiers.isEmpty }
            guard oldModifiers.count == 2 else { return false }
            return newModifiers[1] >= oldModifiers[1] && newModifiers[0] - newModifiers[1] >= oldModifiers[0] - oldModifiers[1]
        default:
            if let oldDigits = integers[oldName] {
                if let newDigits = integers[newName] { return newDigits >= oldDigits }
                if newName == "numeric" {
                    return newModifiers.isEmpty || newModifiers.count == 2 && newModifiers[0] - newModifiers[1] >= oldDigits
                }
            }
            return false
        }
    }

    /// `character varying(50)` → (`character varying`, [50]); `numeric(10,2)` → (`numeric`, [10, 2]).
    static func parse(_ type: String) -> (String, [Int]) {
        guard type.hasSuffix(")"), let open = type.firstIndex(of: "(") else { return (type, []) }
        let modifiers = type[type.index(after: open)..<type.index(before: type.endIndex)]
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (String(type[..<open]), modifiers)
    }

    /// The whole check, as `Proof.proveUpgrade` runs it: made on the database where the
    /// earlier set ran, before this one runs there, then `prove` once the deploy succeeded.
    struct Check {
        var session: Proof.Session
        /// REV's install: the catalog only (no rows: an application's rows are its own).
        var previous: CatalogSnapshot
        /// How long reading it took, for the verdict's figure.
        var seconds: Double

        init(session: Proof.Session, database: String) throws {
            let start = Date()
            let result = try session.server.run(script: CatalogSnapshot.catalogQuery + "\n", database: database)
            guard result.status == 0 else {
                throw InputError("catalog snapshot", result.oneLineError())
            }
            self.session = session
            previous = CatalogSnapshot(records: CatalogSnapshot.records(in: result.stdout))
            seconds = Date().timeIntervalSince(start)
        }

        func prove(
            upgraded: CatalogSnapshot, earlier: MigrationSet, earlierRendering: Rendering, current: MigrationSet,
            rendering: Rendering, shown: String, into report: inout ProofReport
        ) throws {
            let start = Date()
            try PreviousRelease.prove(
                previous: previous, upgraded: upgraded, earlier: earlier, earlierRendering: earlierRendering,
                current: current, rendering: rendering, shown: shown, session: session, into: &report
            ) {
                let checked = previous.entries.keys.count { watched.contains($0.kind) }
                let milliseconds = Int(((seconds + Date().timeIntervalSince(start)) * 1000).rounded())
                return "\(checked) objects it uses checked in \(milliseconds) ms"
            }
        }
    }

    static func prove(
        previous: CatalogSnapshot, upgraded: CatalogSnapshot, earlier: MigrationSet, earlierRendering: Rendering,
        current: MigrationSet, rendering: Rendering, shown: String, session: Proof.Session, into report: inout ProofReport,
        cost: () -> String
    ) throws {
        let found = breaks(previous: previous, upgraded: upgraded)
        // A marker REV already has marked a step deployed before: it breaks nothing now.
        let shipped = Set(earlierRendering.analysis.contracts.map { "\($0.file) \($0.reason)" })
        let markers = rendering.analysis.contracts.filter { !shipped.contains("\($0.file) \($0.reason)") }
        guard !found.isEmpty || !markers.isEmpty else {
            report.proven.append("the release for \(shown) keeps running on the upgraded database (its tables, columns, functions, views, enum values and sequences are all there, none narrowed; \(cost()))")
            return
        }
        let database = try session.database()
        let replay = try Replay.run(
            earlier.files + current.files, on: session.server, database: database, windowStart: session.windowStart)
        let earlierSteps = earlier.files.reduce(0) { $0 + QueryText.pieces(of: $1.text).count }
        let byStatement = Dictionary(markers.map { ($0.statement, $0) }, uniquingKeysWith: { first, _ in first })
        var used: Set<SourceLocation> = []
        for item in found {
            // The first statement of this set after which the previous release is broken.
            let step = replay.steps.indices.dropFirst(earlierSteps).first {
                problem(item.subject, previous: previous, upgraded: replay.steps[$0].snapshot) != nil
            }
            let location = step.map { replay.steps[$0].location } ?? SourceLocation(path: current.directory)
            if let marker = byStatement[location] {
                used.insert(location)
                report.findings.append(Finding(
                    .contractStep, at: location, object: item.object,
                    "\(item.message) (the release for \(shown)); marked as a contract step: \(marker.reason)", severity: .warning))
            } else {
                report.findings.append(Finding(
                    .breaksPreviousRelease, at: location, object: item.object,
                    "\(item.message) (the release for \(shown), during the rollout and after a rollback); keep it until no running release uses it (expand/contract), or mark the statement -- schemajob:contract <reason>"))
            }
        }
        for marker in markers where !used.contains(marker.statement) {
            report.findings.append(Finding(
                .contractBreaksNothing, at: marker.location, object: "statement at line \(marker.statementLine)",
                "-- schemajob:contract marks a statement that breaks nothing the release for \(shown) uses (\(marker.reason)); move the marker to the statement that does, or remove it",
                severity: .warning))
        }
        report.findings.sort(by: Proof.precedes)
        if !report.findings.contains(where: { $0.rule == .proof(.breaksPreviousRelease) }) {
            report.proven.append(used.isEmpty
                ? "the release for \(shown) keeps running on the upgraded database (its tables, columns, functions, views, enum values and sequences are all there, none narrowed; \(cost()))"
                : "the release for \(shown) keeps running on the upgraded database, but for the contract steps marked (\(cost()))")
        }
    }
}
