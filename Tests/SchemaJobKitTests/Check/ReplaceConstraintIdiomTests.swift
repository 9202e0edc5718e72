import Testing
@testable import SchemaJobKit

/// The replace idiom (drop the constraint, then add it, on every run) is idempotent;
/// an ADD CONSTRAINT with nothing before it is not, even in the same file.
@Suite struct ReplaceConstraintIdiomTests {
    static func lint(_ text: String) -> [Finding] {
        let file = MigrationFile(phase: .schema, name: "001_jobs.sql", displayPath: "database/schema/001_jobs.sql", text: text)
        return Linter.lint(MigrationSet(directory: "database", files: [file])).filter { $0.rule.id == "unguarded-add-constraint" }
    }

    @Test func theIdiomInADoBodyAndInPlainSQLIsCleanWhileAnUnguardedAddBesideItIsStillAnError() {
        let findings = Self.lint("""
            CREATE TABLE IF NOT EXISTS jobs (id bigint PRIMARY KEY, priority int, command text);
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'jobs_priority_check' AND conrelid = 'jobs'::regclass) THEN
                ALTER TABLE jobs DROP CONSTRAINT jobs_priority_check;
              END IF;
              ALTER TABLE jobs ADD CONSTRAINT jobs_priority_check CHECK (priority >= 0);
            END $$;
            ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_command_check;
            ALTER TABLE jobs ADD CONSTRAINT jobs_command_check CHECK (command <> '');
            ALTER TABLE jobs ADD CONSTRAINT jobs_unguarded_check CHECK (priority < 10);
            """)
        #expect(findings.map { $0.location.line } == [10], "\(findings)")
        #expect(findings.first?.isError == true)
    }

    @Test func aDropInAnEarlierDoBlockDoesNotCoverAnAddThatRunsOnlyUnderAnotherCondition() {
        let findings = Self.lint("""
            CREATE TABLE IF NOT EXISTS jobs (id bigint PRIMARY KEY, priority int);
            DO $$ BEGIN
              IF current_setting('server_version_num')::int >= 150000 THEN
                ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_priority_check;
              END IF;
              ALTER TABLE jobs ADD CONSTRAINT jobs_priority_check CHECK (priority >= 0);
            END $$;
            """)
        #expect(findings.map { $0.location.line } == [6])
    }
}
