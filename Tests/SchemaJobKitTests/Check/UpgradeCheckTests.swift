import Foundation
import Testing
@testable import SchemaJobKit

/// `schemajob lint --from`: what a database made from an earlier state of the files will
/// not get. The fixtures under `Fixtures/upgrade/<case>/{old,new}` are two states of one
/// `database/`.
@Suite struct UpgradeCheckTests {
    static func fixture(_ name: String) -> String { Repository.fixtures + "/upgrade/" + name }

    static func findings(_ name: String) throws -> [Finding] {
        let new = try DatabaseReader.read(directory: fixture(name) + "/new")
        let old = try EarlierDatabase.read(fixture(name) + "/old", directory: fixture(name) + "/new")
        return Linter.lint(new, from: old).filter { $0.rule.id.hasPrefix("upgrade-") }
    }

    @Test func aColumnAddedInsideCreateTableIfNotExistsNamesTheTableTheColumnTheFileAndTheAlter() throws {
        let result = try SchemaJobExecutable.run(["lint", "--database", "new", "--from", "old"], in: Self.fixture("disk_column_added"))
        #expect(result.status == 1)
        #expect(LintCommandTests.lines(result.stdout) == [
            "new/schema/003_disks.sql:8:3: error: disks.disk_size was added inside CREATE TABLE IF NOT EXISTS disks in 003_disks.sql since old: databases where the table exists never get it; put ALTER TABLE disks ADD COLUMN IF NOT EXISTS disk_size TEXT; in a new schema file [upgrade-column-added]",
        ])
        #expect(result.stderr == "lint: 1 error in 2 files\n")
    }

    @Test func aColumnAndAnIndexOnItAddedInsideReservationsIsOneFindingThatWarnsOfTheIndex() throws {
        let found = try Self.findings("reservation_column_and_index")
        try #require(found.count == 1, "\(found.map(FindingFormat.textLine))")
        let finding = found[0]
        #expect(finding.rule.id == "upgrade-column-added")
        #expect(finding.location.line == 9 && finding.location.column == 5)
        #expect(finding.message.hasPrefix("reservations.domain_name was added inside CREATE TABLE IF NOT EXISTS reservations in 002_reservations.sql"))
        #expect(finding.message.contains("never get it, and there CREATE INDEX IF NOT EXISTS idx_reservations_domain_name (line 14) fails the deploy: column \"domain_name\" does not exist;"))
        #expect(finding.message.hasSuffix("put ALTER TABLE reservations ADD COLUMN IF NOT EXISTS domain_name VARCHAR(255); in 002_reservations.sql right after the CREATE TABLE (before line 14), or in a new schema file together with the statement at line 14, moved there after it"))
        #expect(finding.hint == finding.message.components(separatedBy: "does not exist; ").last)
    }

    @Test func aChangedTypeDefaultNullabilityConstraintAndEnumValueAreEachNamed() throws {
        let found = try Self.findings("changed_in_place").map { "\($0.location.line ?? 0):\($0.location.column ?? 0) \($0.rule.id): \($0.message)" }
        let alters = found.map { line in line.components(separatedBy: "; put ").last ?? "" }
        #expect(found.count == 5, "\(found)")
        #expect(found.map { $0.prefix { $0 != ":" } } == ["4", "11", "12", "13", "15"])
        #expect(alters == [
            "ALTER TYPE gpu_tier ADD VALUE IF NOT EXISTS 'flagship' AFTER 'standard'; in a new schema file",
            "ALTER TABLE gpu_types ALTER COLUMN max_gpus TYPE BIGINT; in a new schema file",
            "ALTER TABLE gpu_types ALTER COLUMN memory_gb SET DEFAULT 16; in a new schema file",
            "ALTER TABLE gpu_types ALTER COLUMN description SET NOT NULL; in a new schema file",
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'gpu_types_max_gpus_check' AND conrelid = 'gpu_types'::regclass) THEN ALTER TABLE gpu_types ADD CONSTRAINT gpu_types_max_gpus_check CHECK (max_gpus >= 0); END IF; END $$; in a new schema file",
        ])
        #expect(found[1].contains("(type INTEGER → BIGINT)"))
    }

    @Test func editsAnExistingDatabaseTakesInItsStrideFindNothing() throws {
        #expect(try Self.findings("harmless_edits").isEmpty)
        // Without the file that adds the column to older databases, the column is found.
        let new = try DatabaseReader.read(directory: Self.fixture("harmless_edits") + "/new")
        var withoutFix = new
        withoutFix.files.removeAll { $0.name == "002_add_available_gpus.sql" }
        let old = try DatabaseReader.read(directory: Self.fixture("harmless_edits") + "/old")
        #expect(Linter.lint(withoutFix, from: old).map(\.rule.id) == ["upgrade-column-added"])
    }

    /// lint's hints are per finding and unproven: the flag points to `test --from`, which
    /// writes one proven script, and nothing is written.
    @Test func lintFromRefusesFixFileAndNamesTestFromInstead() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-lint-fix-file")
        let result = try SchemaJobExecutable.run(
            ["lint", "--database", "new", "--from", "old", "--fix-file", directory.path], in: Self.fixture("disk_column_added"))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("use schemajob test --from old --fix-file \(directory.path)"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func anUnchangedSetHasNoUpgradeFindings() throws {
        for name in ["disk_column_added", "reservation_column_and_index", "changed_in_place"] {
            let old = try DatabaseReader.read(directory: Self.fixture(name) + "/old")
            #expect(Linter.lint(old, from: old).isEmpty)
        }
        let bundled = try DatabaseReader.read(directory: Repository.database)
        #expect(Linter.lint(bundled, from: bundled).isEmpty)
    }

    @Test func aRemovedOrRenamedSchemaFileIsAnError() {
        let first = CheckFixtures.schema("001_users.sql", "CREATE TABLE IF NOT EXISTS users (id int);\n")
        let second = CheckFixtures.schema("002_disks.sql", "CREATE TABLE IF NOT EXISTS disks (id int);\n")
        let old = MigrationSet(directory: "old", files: [first, second])
        var renamed = second
        renamed.name = "003_disks.sql"
        let findings = Linter.lint(MigrationSet(directory: "database", files: [renamed]), from: old)
        #expect(findings.map(\.rule.id) == ["upgrade-file-removed", "upgrade-file-removed"])
        #expect(findings.allSatisfy { $0.isError })
        #expect(findings.map(\.message) == [
            "001_users.sql is gone: existing databases keep what it made, fresh installs never get it",
            "002_disks.sql was renamed to 003_disks.sql: existing databases ran it as 002_disks.sql, and run it again at a new place in the order",
        ])
    }

    @Test func fromAGitRevisionOrBranchReadsTheDatabaseAsCommitted() throws {
        let repository = try TemporaryDirectory(prefix: "schemajob-git")
        let path = repository.path
        func git(_ arguments: String...) throws {
            let result = try SchemaJobExecutable.runProgram(
                "/usr/bin/env", ["git", "-c", "user.name=schemajob", "-c", "user.email=dev@schemajob.invalid"] + arguments, in: path)
            try #require(result.status == 0, "git \(arguments): \(result.stderr)")
        }
        try git("init", "-q", "-b", "main")
        try Repository.copy(Self.fixture("disk_column_added") + "/old", to: path + "/database")
        try git("add", "database")
        try git("commit", "-q", "-m", "disks")
        try git("branch", "released")
        try FileManager.default.removeItem(atPath: path + "/database/schema/003_disks.sql")
        try FileManager.default.copyItem(atPath: Self.fixture("disk_column_added") + "/new/schema/003_disks.sql",
                                         toPath: path + "/database/schema/003_disks.sql")
        let expected = "database/schema/003_disks.sql:8:3: error: disks.disk_size was added inside CREATE TABLE IF NOT EXISTS disks in 003_disks.sql since %@:database"

        // Uncommitted: the working tree against the last commit.
        let head = try SchemaJobExecutable.run(["lint", "--from", "HEAD"], in: path)
        #expect(head.status == 1)
        #expect(head.stdout.hasPrefix(expected.replacing("%@", with: "HEAD")), "\(head.stdout)\(head.stderr)")

        try git("commit", "-q", "-am", "disk_size")
        let previous = try SchemaJobExecutable.run(["lint", "--from", "HEAD~1"], in: path)
        #expect(previous.status == 1)
        #expect(previous.stdout.hasPrefix(expected.replacing("%@", with: "HEAD~1")), "\(previous.stdout)\(previous.stderr)")
        let branch = try SchemaJobExecutable.run(["lint", "--from", "released"], in: path)
        #expect(branch.stdout.hasPrefix(expected.replacing("%@", with: "released")))
        // From a subdirectory, with --database pointing back up.
        try FileManager.default.createDirectory(atPath: path + "/tools", withIntermediateDirectories: true)
        let nested = try SchemaJobExecutable.run(["lint", "--database", "../database", "--from", "released"], in: path + "/tools")
        #expect(nested.status == 1)
        #expect(nested.stdout.hasPrefix("../database/schema/003_disks.sql:8:3: error: disks.disk_size"), "\(nested.stdout)\(nested.stderr)")
        let same = try SchemaJobExecutable.run(["lint", "--from", "HEAD"], in: path)
        #expect(same.status == 0 && same.stdout.isEmpty, "\(same.stdout)")
    }

    @Test func fromSomethingThatIsNeitherADirectoryNorARevisionExitsTwoInOneLine() throws {
        let outside = try TemporaryDirectory(prefix: "schemajob-nogit")
        try Repository.copy(Self.fixture("disk_column_added") + "/new", to: outside.path + "/database")
        for reference in ["no-such-thing", "--weird"] {
            let result = try SchemaJobExecutable.run(["lint", "--from=\(reference)"], in: outside.path)
            #expect(result.status == 2, "\(reference)")
            #expect(result.stdout.isEmpty)
            #expect(LintCommandTests.lines(result.stderr).count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("--from \(reference): error: "), "\(result.stderr)")
        }
        let inRepository = try SchemaJobExecutable.run(["lint", "--from", "no-such-branch"])
        #expect(inRepository.status == 2)
        #expect(inRepository.stderr == "--from no-such-branch: error: no such directory, and not a git revision of the repository here\n")
    }
}
