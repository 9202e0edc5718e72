import Foundation

/// `--fix-file`: drift's fixing statements as a new schema file, which the next deploy
/// applies through the Job like any other file.
///
/// Where the fix goes matters. Numbered after the last file, it runs after every
/// statement already in the files, and the next deploy fails before reaching it when
/// one of those statements needs what the fix adds: in the platform's case, an index
/// on a column the live table lacks sits in the same file as its
/// `CREATE TABLE IF NOT EXISTS`, which does nothing on the live database. Such columns
/// go to a second file that sorts first (`000_…`), each guarded so that a fresh install,
/// where the table does not exist yet, skips it: `ALTER TABLE IF EXISTS t ADD COLUMN IF
/// NOT EXISTS c …`. Every other fix needs the objects the files create, so it runs last.
enum FixFile {
    static let lastName = "fix_drift.sql"
    static let firstName = "000_fix_drift_first.sql"

    /// Writes the file (or files); returns lines for stderr saying what went where.
    static func write(_ findings: [DriftFinding], set: MigrationSet, to path: String) throws -> [String] {
        let fixable = findings.filter { $0.isError && $0.fix != nil }
        let unfixable = findings.filter { $0.isError && $0.fix == nil }
        var notes: [String] = []
        if !unfixable.isEmpty {
            notes.append("drift: \(unfixable.count) of the differences have no mechanical fix (fixture rows, enum positions): see the findings")
        }
        guard !fixable.isEmpty else {
            notes.append("drift: nothing to write to \(path): no difference has a mechanical fix")
            return notes
        }
        var first: [(DriftFinding, String)] = [], last: [(DriftFinding, String)] = []
        for finding in fixable {
            let statement = idempotent(finding.fix!, subject: finding.subject)
            if let needed = neededEarlier(finding, set: set) {
                first.append((finding, "ALTER TABLE IF EXISTS " + statement.dropFirst("ALTER TABLE ".count)))
                notes.append("drift: \(finding.object) must exist before \(needed.description) runs, which would fail on the live database: its fix goes in a file that sorts first")
            } else {
                last.append((finding, statement))
            }
        }
        var isDirectory: ObjCBool = false
        let directoryGiven = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        let directory = directoryGiven ? path : (path as NSString).deletingLastPathComponent
        if !last.isEmpty {
            let target = directoryGiven ? directory + "/" + nextNumber(in: directory) + "_" + lastName : path
            try OutputFile.write(render(last, header: lastHeader), to: target)
            notes.append("drift: wrote \(last.count) fix\(last.count == 1 ? "" : "es") to \(target)")
        }
        if !first.isEmpty {
            let target = (directory.isEmpty ? "." : directory) + "/" + firstName
            try OutputFile.write(render(first, header: firstHeader), to: target)
            notes.append("drift: wrote \(first.count) fix\(first.count == 1 ? "" : "es") to \(target) (sorts before every numbered file; a fresh install skips them)")
        }
        notes.append("drift: prove them before the deploy: schemajob lint; schemajob test; schemajob plan")
        return notes
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

    static func render(_ fixes: [(DriftFinding, String)], header: String) -> String {
        header + fixes.map { finding, statement in
            "-- \(finding.object): \(finding.message.split(separator: "\n").first ?? "")\n\(statement)\n"
        }.joined(separator: "\n")
    }

    /// Every fix runs again on every deploy: an added constraint is dropped first when it exists.
    static func idempotent(_ fix: String, subject: SnapshotSubject?) -> String {
        guard subject?.kind == "constraint", !fix.contains("DROP CONSTRAINT IF EXISTS"),
            let subject
        else { return fix }
        let parts = CatalogSnapshot.splitQualified(ChangeDescription.shown(subject.name))
        let owner = parts.dropLast().joined(separator: "."), name = parts.last ?? ""
        return "ALTER TABLE \(owner) DROP CONSTRAINT IF EXISTS \(name);\n" + fix
    }

    /// For a missing column: the first schema statement after the one that declares it
    /// that names it (an index, a view, a constraint). Such a statement fails on the live
    /// database before a fix numbered last could run.
    static func neededEarlier(_ finding: DriftFinding, set: MigrationSet) -> SourceLocation? {
        guard finding.kind == .missing, let subject = finding.subject, subject.kind == "column",
            finding.fix?.hasPrefix("ALTER TABLE ") == true, let declaredAt = finding.location.line
        else { return nil }
        let column = CatalogSnapshot.splitColumn(subject.name).1
        let files = set.files(in: .schema)
        guard let declaring = files.firstIndex(where: { $0.displayPath == finding.location.path }) else { return nil }
        for file in files[declaring...] {
            for statement in SQLLexer.statements(in: file.text)
            where file.displayPath != finding.location.path || statement.line > declaredAt {
                let names = statement.significantTokens.map { token in
                    token.kind == .quotedIdentifier ? SQLStatement.word(for: token) : token.text.lowercased()
                }
                if names.contains(column) { return SourceLocation(path: file.displayPath, line: statement.line) }
            }
        }
        return nil
    }

    /// One more than the highest `NNN_` in the directory, as three digits.
    static func nextNumber(in directory: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let highest = names.filter { $0.hasSuffix(".sql") }.compactMap { Int($0.prefix(3)) }.max() ?? 0
        return String(format: "%03d", highest + 1)
    }
}
