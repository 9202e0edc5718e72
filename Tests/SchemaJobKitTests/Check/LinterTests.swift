import Foundation
import Testing
@testable import SchemaJobKit

@Suite struct LinterTests {
    @Test func theBundledDatabaseLintsClean() throws {
        let directory = CheckFixtures.repositoryRoot.appendingPathComponent("database").path
        let set = try DatabaseReader.read(directory: directory)
        #expect(set.files(in: .schema).count == 9)
        #expect(set.schemaSum != nil, "the bundled database ships its schema.sum")
        let findings = Linter.lint(set)
        #expect(findings.isEmpty, "\(findings.map(FindingFormat.textLine))")
    }

    @Test func anIndexOnATableAnEarlierFileCreatedIsALockWarningUnlessBuiltConcurrently() {
        let set = MigrationSet(directory: "database", files: [
            CheckFixtures.schema("001_tags.sql", "CREATE TABLE IF NOT EXISTS tags (name text);\n"),
            CheckFixtures.schema("002_tags_index.sql", "CREATE INDEX IF NOT EXISTS idx_tags_name ON tags (name);\n"),
            CheckFixtures.schema("003_tags_index.sql", "-- schemajob:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tags_name2 ON tags (name);\n"),
            CheckFixtures.schema("004_notes.sql", "CREATE TABLE IF NOT EXISTS notes (body text);\nCREATE INDEX IF NOT EXISTS idx_notes_body ON notes (body);\n"),
        ])
        let findings = Linter.lint(set)
        #expect(findings.map(\.rule.id) == ["index-not-concurrent"], "\(findings.map(FindingFormat.textLine))")
        #expect(findings.first?.location.path == "database/schema/002_tags_index.sql")
        #expect(findings.first?.severity == .warning)
    }

    @Test func theBundledFilesWouldDrawLockWarningsIfTheyWereNotDeployed() throws {
        let directory = CheckFixtures.repositoryRoot.appendingPathComponent("database").path
        var set = try DatabaseReader.read(directory: directory)
        set.schemaSum = nil
        let findings = Linter.lint(set)
        #expect(findings.allSatisfy { $0.severity == .warning }, "\(findings.map(FindingFormat.textLine))")
        let byRule = Dictionary(grouping: findings, by: \.rule.id).mapValues { Set($0.map { $0.location.path.split(separator: "/").last! }) }
        #expect(byRule["replace-trigger"]?.contains("002_reservations.sql") == true, "\(byRule)")
        #expect(byRule["index-not-concurrent"] == ["008_add_expiry_tracking.sql", "009_add_availability_to_gpu_types.sql"], "\(byRule)")
    }

    @Test func aCreateTableInACommentIsNotAFinding() {
        #expect(CheckFixtures.lint("-- CREATE TABLE t (id int);\n/* CREATE TABLE u (id int); */\nSELECT 1;\n").isEmpty)
    }

    @Test func aCreateTableInCodeIsAFindingAtTheStatement() {
        let findings = CheckFixtures.lint("SELECT 1;\n\n  CREATE TABLE t (id int);\n")
        #expect(findings.map(\.rule.id) == ["create-if-not-exists"])
        #expect(findings.first?.location == SourceLocation(path: "database/schema/001_test.sql", line: 3, column: 3))
        #expect(findings.first?.message.contains("CREATE TABLE t") == true)
    }

    @Test func aFindingInsideADOBlockPointsIntoTheFile() {
        let sql = "DO $$\nBEGIN\n    IF true THEN\n        ALTER TABLE t\n            ADD CONSTRAINT c CHECK (x > 0) NOT VALID;\n    END IF;\nEND $$;\n"
        let findings = CheckFixtures.lint(sql)
        #expect(findings.map(\.rule.id) == ["unguarded-add-constraint"])
        #expect(findings.first?.location.line == 5)
        #expect(findings.first?.location.column == 13)
    }

    @Test func anAllowSilencesOneRuleForOneStatement() {
        let allowed = CheckFixtures.lint("-- schemajob:allow truncate\nTRUNCATE a;\nTRUNCATE b;\n")
        #expect(allowed.map(\.rule.id) == ["truncate"])
        #expect(allowed.first?.location.line == 3)
    }

    @Test func statementRulesApplyToFixturesToo() {
        let findings = CheckFixtures.lint("INSERT INTO t VALUES (1);\nDELETE FROM t;\n", phase: .fixtures)
        #expect(findings.map(\.rule.id) == ["insert-without-on-conflict", "delete-without-where"])
        #expect(findings.allSatisfy { $0.location.path == "database/fixtures/001_test.sql" })
    }

    @Test func fileNamesMustBeNumberedSnakeCase() {
        let names = ["001_ok.sql", "002_also_ok_2.sql", "3_short.sql", "004-dash.sql", "005_Upper.sql", "000_zero.sql",
                     "006_.sql", "007__double.sql", "abc_words.sql"]
        let set = MigrationSet(directory: "database", files: names.map { CheckFixtures.schema($0, "SELECT 1;\n") })
        let flagged = Linter.lint(set).filter { $0.rule.id == "file-name" }.map { $0.location.path }
        #expect(flagged == names.dropFirst(2).map { "database/schema/\($0)" }.sorted(by: DatabaseReader.byteOrder))
        #expect(Linter.lint(set).filter { $0.rule.id == "file-name" }.allSatisfy { $0.location.line == nil })
    }

    @Test func zeroIsTheFixSlotThatOnlyAFixFileMayTake() {
        let set = MigrationSet(directory: "database", files: ["000_fix_drift_first.sql", "000_fixtures.sql", "001_a.sql"].map {
            CheckFixtures.schema($0, "SELECT 1;\n")
        })
        #expect(Linter.lint(set).filter { $0.rule.id == "file-name" }.map(\.location.path) == ["database/schema/000_fixtures.sql"])
    }

    @Test func twoFilesWithOneNumberInOneDirectoryAreFound() {
        let set = MigrationSet(directory: "database", files: [
            CheckFixtures.schema("001_a.sql", "SELECT 1;\n"),
            CheckFixtures.schema("001_b.sql", "SELECT 1;\n"),
            CheckFixtures.file(.fixtures, "001_rows.sql", "SELECT 1;\n"),
        ])
        let findings = Linter.lint(set)
        #expect(findings.map(\.rule.id) == ["duplicate-number"])
        #expect(findings.first?.location.path == "database/schema/001_b.sql")
        #expect(findings.first?.message.contains("001_a.sql") == true)
    }

    @Test func entriesThatAreNotSQLFilesAreFound() throws {
        let root = try CheckFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try CheckFixtures.write("SELECT 1;\n", to: root.appendingPathComponent("schema/001_a.sql"))
        try CheckFixtures.write("notes\n", to: root.appendingPathComponent("schema/notes.txt"))
        try CheckFixtures.write("SELECT 1;\n", to: root.appendingPathComponent("fixtures/001_rows.sql.bak"))
        let set = try DatabaseReader.read(directory: root.path)
        let findings = Linter.lint(set)
        #expect(findings.map(\.rule.id) == ["not-sql", "not-sql"])
        #expect(Set(findings.map { URL(fileURLWithPath: $0.location.path).lastPathComponent }) == ["notes.txt", "001_rows.sql.bak"])
    }

    @Test func trailingWhitespaceIsFoundAtItsFirstColumn() {
        let findings = CheckFixtures.lint("SELECT 1;  \nSELECT '\u{FEFF}';\t\nSELECT 3;\r\nSELECT 4;\n")
        let trailing = findings.filter { $0.rule.id == "trailing-whitespace" }
        #expect(trailing.map { [$0.location.line, $0.location.column] } == [[1, 10], [2, 12], [3, 10]])
        #expect(trailing.last?.message.contains("CRLF") == true)
        let unsafe = findings.filter { $0.rule.id == "unsafe-character" }
        #expect(unsafe.map { [$0.location.line, $0.location.column] } == [[2, 9]])
    }

    @Test func printableNonASCIITextIsNotAFinding() {
        // libyaml keeps it in the literal block; the render test shows the same bytes.
        #expect(CheckFixtures.lint("SELECT 'café', '日本';\n").isEmpty)
    }

    @Test func findingsComeSortedByPathLineAndColumn() {
        let set = MigrationSet(directory: "database", files: [
            CheckFixtures.schema("002_b.sql", "CREATE TABLE b (id int);\n"),
            CheckFixtures.schema("001_a.sql", "SELECT 1;\nTRUNCATE a; TRUNCATE c;\n"),
        ])
        let findings = Linter.lint(set)
        #expect(findings.map { "\($0.location.path):\($0.location.line!):\($0.location.column!)" } == [
            "database/schema/001_a.sql:2:1", "database/schema/001_a.sql:2:13", "database/schema/002_b.sql:1:1",
        ])
    }

    @Test func everyRuleHasAnIDAReasonAndAHint() {
        #expect(Set(LintRule.all.map(\.id)).count == LintRule.all.count)
        for rule in LintRule.all {
            #expect(!rule.reason.isEmpty && !rule.hint.isEmpty, "\(rule.id)")
            #expect(rule.id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(rule.id)")
        }
    }
}

/// A file that starts with `-- schemajob:no-transaction` runs outside the run's transaction.
@Suite struct NoTransactionFileTests {
    static let concurrently = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_t_a ON t (a);\n"

    @Test func concurrentlyIsAFindingInsideTheRunsTransaction() {
        #expect(CheckFixtures.lint(Self.concurrently).map(\.rule.id) == ["non-transactional"])
    }

    @Test func concurrentlyIsAllowedInANoTransactionFile() {
        #expect(CheckFixtures.lint("-- Built without blocking writes.\n-- schemajob:no-transaction\n" + Self.concurrently).isEmpty)
    }

    @Test func theDirectiveCountsOnlyBeforeTheFirstStatement() {
        let file = CheckFixtures.schema("001_t.sql", "SELECT 1;\n-- schemajob:no-transaction\n" + Self.concurrently)
        #expect(!file.runsOutsideTransaction)
        #expect(Linter.lint(MigrationSet(directory: "database", files: [file])).map(\.rule.id) == ["non-transactional"])
    }

    /// The directive is read over the bytes for ASCII lines and by Characters otherwise:
    /// both ways, among the opening comments and blank lines only.
    @Test func theDirectiveIsFoundAmongTheOpeningCommentsHoweverTheyAreWritten() {
        let opens = [
            "-- schemajob:no-transaction\n", "\n\n  \t-- schemajob:no-transaction \t\n", "-- café: built late\n-- schemajob:no-transaction\n",
            "\u{00A0}-- schemajob:no-transaction\u{2003}\n", "--\n-- schemajob:no-transaction\n", "-- a\r\n-- b\n-- schemajob:no-transaction\n",
            "-- schemajob:no-transaction\r\n", "-- a\r\n\r\n  -- schemajob:no-transaction \r\n",
        ]
        for head in opens {
            #expect(CheckFixtures.schema("001_t.sql", head + Self.concurrently).runsOutsideTransaction, "\(head.debugDescription)")
        }
        let stays = [
            "", "-- schemajob:no-transactions\n", "-- schemajob:no-transaction;\n", "- -- schemajob:no-transaction\n",
            "x\n-- schemajob:no-transaction\n", "-\u{301}- café\n-- schemajob:no-transaction\n",
            "/* */\n-- schemajob:no-transaction\n", "-- schemajob:no-transaction\r\r\n", "x\r\n-- schemajob:no-transaction\r\n",
        ]
        for head in stays {
            #expect(!CheckFixtures.schema("001_t.sql", head + Self.concurrently).runsOutsideTransaction, "\(head.debugDescription)")
        }
    }

    @Test func aNoTransactionFileMayStillNotEndTheTransactionItself() {
        let findings = CheckFixtures.lint("-- schemajob:no-transaction\nCOMMIT;\n" + Self.concurrently)
        #expect(findings.map(\.rule.id) == ["transaction-control"])
    }
}
