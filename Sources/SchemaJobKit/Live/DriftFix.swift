import Foundation
import SQLSyntax

/// drift's fix: `FixSet`'s one ordered script for what the files declare and the live
/// database lacks or holds differently, as schema files the next deploy applies through
/// the Job like any other. Fixture rows are left to the fixtures, and what only the live
/// database has (undeclared: a warning) is never dropped.
///
/// Where the fix goes matters. Numbered after the last file, it runs after every
/// statement already in the files, and the next deploy fails before reaching it when
/// one of those statements needs what the fix adds: in the platform's case, an index
/// on a column the live table lacks sits in the same file as its
/// `CREATE TABLE IF NOT EXISTS`, which does nothing on the live database. Such columns
/// go to a second file that sorts first (`000_fix_…`, the fix slot lint allows), each
/// guarded so that a fresh install, where the table does not exist yet, skips it:
/// `ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c …`. Every other fix needs the
/// objects the files create, so it runs last.
struct DriftFix {
    static let lastName = "fix_drift.sql"
    static let firstName = "000_fix_drift_first.sql"

    /// The statements, in FixSet's order, each with the subject it closes.
    var fixSet: FixSet
    /// Of those, the ones that go to the file that sorts first.
    var first: [FixSet.Statement]
    var last: [FixSet.Statement]
    /// Lines for stderr: which column had to go first, and why.
    var notes: [String]

    var isEmpty: Bool { fixSet.isEmpty }

    /// `expected` is the fresh install, `actual` the live database, both as drift
    /// compares them; `declaredAt` is the statement that declares a subject.
    static func build(
        _ expected: CatalogSnapshot, _ actual: CatalogSnapshot, set: MigrationSet,
        declaredAt: (SnapshotSubject) -> SourceLocation?
    ) -> DriftFix {
        let whole = FixSet.build(from: expected, to: actual)
        var fix = DriftFix(fixSet: FixSet(statements: []), first: [], last: [], notes: [])
        for var statement in whole.statements where statement.stage != .row {
            // A rename's first subject is the declared name; anything else closes a
            // declared subject or only drops what the live database alone has.
            guard let subject = statement.subjects.first, expected.entries[subject] != nil else { continue }
            // The next deploy runs the set's CREATE INDEX IF NOT EXISTS again (the fix file
            // changes the hash): a copy here would only be built under a heavier lock.
            if statement.stage == .index, actual.entries[subject] == nil, let declared = declaredAt(subject),
                Self.createsIndexIfNotExists(at: declared, in: set)
            {
                continue
            }
            if statement.stage == .column, actual.entries[subject] == nil, statement.sql.hasPrefix("ALTER TABLE "),
                let declared = declaredAt(subject), let needed = neededEarlier(subject, declaredAt: declared, set: set)
            {
                statement.sql = "-- \(ChangeDescription.shown(subject.name)): \(needed.description) names it\n"
                    + "ALTER TABLE IF EXISTS " + statement.sql.dropFirst("ALTER TABLE ".count)
                fix.first.append(statement)
                fix.notes.append("drift: column \(ChangeDescription.shown(subject.name)) must exist before \(needed.description) runs, which would fail on the live database: its fix goes in a file that sorts first")
            } else {
                fix.last.append(statement)
            }
            fix.fixSet.statements.append(statement)
        }
        return fix
    }

    /// The files as they join the set: the first under its own name, the last numbered
    /// after the set's schema files (as `test --from` numbers its fix).
    func files(after set: MigrationSet) -> [MigrationFile] {
        let directory = set.files(in: .schema).first.map { ($0.displayPath as NSString).deletingLastPathComponent }
            ?? (set.directory as NSString).appendingPathComponent("schema")
        var files: [MigrationFile] = []
        if !first.isEmpty {
            files.append(MigrationFile(
                phase: .schema, name: Self.firstName, displayPath: (directory as NSString).appendingPathComponent(Self.firstName),
                text: Self.render(first, header: Self.firstHeader)))
        }
        if !last.isEmpty {
            var file = Proof.fixFile(Self.render(last, header: Self.lastHeader), after: set)
            let name = file.name.prefix { $0.isNumber } + "_" + Self.lastName
            file.displayPath = (directory as NSString).appendingPathComponent(name)
            file.name = name
            files.append(file)
        }
        return files
    }

    static let lastHeader = """
        -- Written by `schemajob drift --fix-file`: brings a database that drifted in line
        -- with a fresh install of the files before it. Every statement is idempotent, so
        -- a fresh install runs it as a no-op.

        """

    static let firstHeader = """
        -- Written by `schemajob drift --fix-file`: columns the live database lacks that an
        -- earlier file's statements need (an index, a view) before the file that declares
        -- them is reached. It sorts before every numbered file; on a fresh install the
        -- tables do not exist yet, so IF EXISTS skips each statement and the CREATE TABLE
        -- that follows declares the column as before.

        """

    static func render(_ statements: [FixSet.Statement], header: String) -> String {
        header + statements.map(\.sql).joined(separator: "\n") + "\n"
    }

    static func createsIndexIfNotExists(at location: SourceLocation, in set: MigrationSet) -> Bool {
        guard let file = set.files.first(where: { $0.displayPath == location.path }),
            let statement = SQLLexer.statements(in: file.text).first(where: { $0.line == location.line })
        else { return false }
        let words = statement.significantTokens.prefix(6).map { $0.text.uppercased() }
        guard words.first == "CREATE", let index = words.firstIndex(of: "INDEX") else { return false }
        return Array(words[(index + 1)...].drop { $0 == "CONCURRENTLY" }.prefix(3)) == ["IF", "NOT", "EXISTS"]
    }

    /// For a missing column: the first schema statement after the one that declares it
    /// that names it (an index, a view, a constraint). Such a statement fails on the live
    /// database before a fix numbered last could run.
    static func neededEarlier(_ subject: SnapshotSubject, declaredAt: SourceLocation, set: MigrationSet) -> SourceLocation? {
        guard let declaredLine = declaredAt.line else { return nil }
        let column = CatalogSnapshot.splitColumn(subject.name).1
        let files = set.files(in: .schema)
        guard let declaring = files.firstIndex(where: { $0.displayPath == declaredAt.path }) else { return nil }
        for file in files[declaring...] {
            for statement in SQLLexer.statements(in: file.text)
            where file.displayPath != declaredAt.path || statement.line > declaredLine {
                let names = statement.significantTokens.map { token in
                    token.kind == .quotedIdentifier ? SQLStatement.word(for: token) : token.text.lowercased()
                }
                if names.contains(column) { return SourceLocation(path: file.displayPath, line: statement.line) }
            }
        }
        return nil
    }
}
