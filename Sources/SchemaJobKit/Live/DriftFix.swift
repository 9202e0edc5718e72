import Foundation
import SQLSyntax

/// drift's fix: `FixSet`'s one ordered script for what the files declare and the live
/// database lacks or holds differently, as schema files the next deploy applies through
/// the Job like any other. Fixture rows are left to the fixtures, and what only the live
/// database has (undeclared: a warning) is never dropped.
///
/// Where the fix goes matters. Numbered after the last file, it runs after every
/// statement already in the files, and the next deploy fails before reaching it when
/// one of those statements needs what the fix adds: in the platform's case, indexes
/// and comments on columns the live table lacks sit in the same file as its
/// `CREATE TABLE IF NOT EXISTS`, which does nothing on the live database. Which
/// statements need a column is not read from the files (a name in another table's
/// statement looks the same): the proof decides (`Drift.prove`). Every fix starts last;
/// when the copy of the live schema fails on a statement that names a column the fix
/// adds, that column moves to a second file that sorts first (`000_fix_…`, the fix
/// slot lint allows), guarded so that a fresh install, where the table does not exist
/// yet, skips it: `ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c …`.
struct DriftFix {
    static let lastName = "fix_drift.sql"
    static let firstName = "000_fix_drift_first.sql"

    /// The statements, in FixSet's order, each with the subject it closes.
    var fixSet: FixSet
    /// Of those, the ones that go to the file that sorts first, as written there.
    var first: [FixSet.Statement] = []
    var last: [FixSet.Statement] = []
    /// The columns the live database lacks whose fix (`ALTER TABLE t ADD COLUMN …`) may move first.
    var movable: Set<SnapshotSubject> = []
    /// Lines for stderr: which column had to go first, and why.
    var notes: [String] = []

    var isEmpty: Bool { fixSet.isEmpty }

    /// `expected` is the fresh install, `actual` the live database, both as drift
    /// compares them; `declaredAt` is the statement that declares a subject.
    static func build(
        _ expected: CatalogSnapshot, _ actual: CatalogSnapshot, set: MigrationSet,
        declaredAt: (SnapshotSubject) -> SourceLocation?
    ) -> DriftFix {
        let whole = FixSet.build(from: expected, to: actual)
        var fix = DriftFix(fixSet: FixSet(statements: []))
        for statement in whole.statements where statement.stage != .row {
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
            if statement.stage == .column, actual.entries[subject] == nil, statement.sql.hasPrefix("ALTER TABLE ") {
                fix.movable.insert(subject)
            }
            fix.last.append(statement)
            fix.fixSet.statements.append(statement)
        }
        return fix
    }

    /// After the copy failed on `failed` (a statement of the set with the fix files):
    /// the columns still in the last file that the statement names move to the first,
    /// each with a comment naming the statement. Those on the statement's own table are
    /// taken when there are any (`ON reservations (fqdn)`), else every column of that
    /// name. Returns the columns moved; none when the statement is a fix file's own or
    /// names none of them: then the failure is what it is.
    mutating func moveFirst(neededBy failed: SourceLocation, in fixed: MigrationSet) -> [String] {
        guard let line = failed.line, let file = fixed.files.first(where: { $0.displayPath == failed.path }),
            !file.name.hasSuffix(Self.lastName), file.name != Self.firstName,
            let statement = SQLLexer.statements(in: file.text).first(where: { $0.line == line })
        else { return [] }
        let names = Set(statement.significantTokens.map { token in
            token.kind == .quotedIdentifier ? SQLStatement.word(for: token) : token.text.lowercased()
        })
        let named = last.filter { statement in
            guard let subject = statement.subjects.first, movable.contains(subject) else { return false }
            return names.contains(CatalogSnapshot.splitColumn(subject.name).1)
        }
        let onTable = named.filter { statement in
            let table = CatalogSnapshot.splitQualified(statement.subjects[0].name).dropLast().last ?? ""
            return names.contains(CatalogSnapshot.unquoted(table))
        }
        let moving = onTable.isEmpty ? named : onTable
        guard !moving.isEmpty else { return [] }
        let place = "\((file.displayPath as NSString).lastPathComponent):\(line)"
        var moved: [String] = []
        for var statement in moving {
            let subject = statement.subjects[0]
            movable.remove(subject)
            statement.sql = "-- \(ChangeDescription.shown(subject.name)): \(place) needs it\n"
                + "ALTER TABLE IF EXISTS " + statement.sql.dropFirst("ALTER TABLE ".count)
            first.append(statement)
            moved.append(ChangeDescription.shown(subject.name))
            notes.append("drift: column \(ChangeDescription.shown(subject.name)) must exist before \(failed.description) runs, which failed on the copy of the live schema without it: its fix goes in a file that sorts first")
        }
        last.removeAll { statement in moving.contains { $0.subjects == statement.subjects } }
        // The first file keeps FixSet's order, whatever order the proof moved them in.
        let order = Dictionary(fixSet.statements.enumerated().map { ($0.element.subjects, $0.offset) }) { a, _ in a }
        first.sort { order[$0.subjects, default: 0] < order[$1.subjects, default: 0] }
        return moved
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
        -- Written by `schemajob drift --fix-file`: columns the live database lacks that the
        -- files need before the fix numbered last is reached (each line names the statement
        -- that failed without it on a copy of the live schema). It sorts before every
        -- numbered file; on a fresh install the tables do not exist yet, so IF EXISTS skips
        -- each statement and the CREATE TABLE that follows declares the column as before.

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
}
