import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob test --rollback REV`, run as a user runs it, against the harness's
    /// server: REV's migration on the database this set upgraded must succeed (what it puts
    /// back is a warning), and this set again must equal a fresh install.
    @Suite struct RollbackProofTests {
        typealias Prove = ProveCommandTests
        static let cases = Repository.fixtures + "/rollback"

        static func rollback(_ name: String, extra: [String] = []) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.run(
                ["test", "--database", "\(cases)/\(name)/new", "--rollback", "\(cases)/\(name)/old", "--dsn", try Prove.dsn()]
                    + extra,
                environment: Prove.environment)
        }

        @Test func whatARollbackPutsBackIsAWarningObjectByObjectOldToNew() throws {
            let result = try Self.rollback("puts-back")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let old = "\(Self.cases)/puts-back/old"
            // PostgreSQL 15 qualifies a column in a view's definition (`gpu_types.max_gpus`); 18 does not.
            let lines = result.stdout.replacingOccurrences(of: "(gpu_types.max_gpus", with: "(max_gpus")
                .split(separator: "\n").map(String.init)
            #expect(lines == [
                "\(old)/fixtures/001_gpu_types.sql:1: warning: row gpu_types ('t4'): the rollback to \(old) puts back its values: max_gpus 2 → 4 [rollback-puts-back]",
                "\(old)/schema/001_gpu_types.sql:9: warning: column gpu_types.queue_priority: the rollback to \(old) puts back its default 5 → 1 [rollback-puts-back]",
                "\(old)/schema/001_gpu_types.sql:11: warning: function gpu_capacity(requested integer): the rollback to \(old) puts back its earlier body: `AS $function$ SELECT least(requested, 8) $function$` → `AS $function$ SELECT least(requested, 4) $function$` [rollback-puts-back]",
                "\(old)/schema/001_gpu_types.sql:15: warning: view offered_gpu_types: the rollback to \(old) puts back its earlier definition: `WHERE (max_gpus > 1);` → `WHERE (max_gpus > 0);` [rollback-puts-back]",
            ], "\(result.stdout)")
            #expect(result.stderr.contains("a rollback to \(old) runs on the upgraded database (it puts back 4 objects), and this set again equals a fresh install (4 warnings)"), "\(result.stderr)")
            #expect(try Prove.scratchDatabasesLeft(result.stderr) == "0\n")
        }

        @Test func aRollForwardThatLeavesTheRollbacksDefaultFailsWithTheStatementThatShouldSetIt() throws {
            let result = try Self.rollback("forward-not-restored")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let new = "\(Self.cases)/forward-not-restored/new", old = "\(Self.cases)/forward-not-restored/old"
            #expect(result.stdout.contains(
                "\(new)/schema/001_gpu_types.sql:10: error: column gpu_types.queue_priority: default 5 on a fresh install, 1 after a rollback to \(old) and this set again (the rollback left it so, and this set does not set it again) [roll-forward-differs]"),
                "\(result.stdout)")
            #expect(result.stdout.contains(
                "\(old)/schema/001_gpu_types.sql:9: warning: column gpu_types.queue_priority: the rollback to \(old) puts back its default 5 → 1 [rollback-puts-back]"),
                "\(result.stdout)")
            #expect(result.stderr.contains("test: not proven: 2 findings"), "\(result.stderr)")
            // The upgrade alone is fine: only the roll forward after a rollback differs.
            let upgrade = try SchemaJobExecutable.run(
                ["test", "--database", new, "--from", old, "--dsn", try Prove.dsn()], environment: Prove.environment)
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
        }

        @Test func aRollbackWhoseMigrationFailsOnTheUpgradedDatabaseNamesTheStatement() throws {
            let result = try Self.rollback("rollback-fails", extra: ["--format", "json"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let findings = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(findings.count == 1, "\(result.stdout)")
            let finding = try #require(findings.first)
            #expect(finding["rule"] as? String == "sql-failed")
            #expect((finding["path"] as? String) == "\(Self.cases)/rollback-fails/old/schema/001_disks.sql")
            #expect(finding["line"] as? Int == 7)
            let message = finding["message"] as? String ?? ""
            #expect(message.contains("fails as a rollback to \(Self.cases)/rollback-fails/old, on the database this set upgraded: ERROR: column \"size_gb\" does not exist"), "\(message)")
        }

        /// The bundled set as the release before, and the platform's next change on top
        /// (FACTS: a later file added `disks.pvc_name` the right way), in a git repository.
        @Test func theBundledSetRollsBackToItsPreviousCommitAndForwardAgain() throws {
            let directory = try TemporaryDirectory(prefix: "schemajob-rollback-git")
            let repository = directory.path + "/repo"
            try Repository.copy(Repository.database, to: repository + "/database")
            try Self.git(["init", "-q"], in: repository)
            try Self.git(["add", "."], in: repository)
            try Self.git(["commit", "-q", "-m", "the bundled set"], in: repository)
            try "-- Each disk's persistent volume claim, once it has one.\nALTER TABLE disks ADD COLUMN IF NOT EXISTS pvc_name TEXT;\n".write(
                toFile: repository + "/database/schema/010_add_pvc_name.sql", atomically: true, encoding: .utf8)
            try Self.git(["add", "."], in: repository)
            try Self.git(["commit", "-q", "-m", "disks.pvc_name"], in: repository)

            let result = try SchemaJobExecutable.run(
                ["test", "--rollback", "HEAD~1", "--dsn", try Prove.dsn()], in: repository, environment: Prove.environment)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty, "the earlier set puts nothing back: \(result.stdout)")
            #expect(result.stderr.contains("a rollback to HEAD~1 runs on the upgraded database (it puts back nothing), and this set again equals a fresh install"), "\(result.stderr)")
            #expect(try Prove.scratchDatabasesLeft(result.stderr) == "0\n")
        }

        @Test func aRevisionThatDoesNotExistOrHoldsNoDatabaseIsOneLineAndExit2() throws {
            let directory = try TemporaryDirectory(prefix: "schemajob-rollback-bad")
            let repository = directory.path + "/repo"
            try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
            try "the platform\n".write(toFile: repository + "/README.md", atomically: true, encoding: .utf8)
            try Self.git(["init", "-q"], in: repository)
            try Self.git(["add", "."], in: repository)
            try Self.git(["commit", "-q", "-m", "before database/"], in: repository)
            try Repository.copy(Repository.database, to: repository + "/database")
            try FileManager.default.createDirectory(atPath: repository + "/empty", withIntermediateDirectories: true)
            try Self.git(["add", "."], in: repository)
            try Self.git(["commit", "-q", "-m", "database/"], in: repository)

            let cases: [(argument: String, line: String)] = [
                ("no-such-release", "--rollback no-such-release: error: no such directory, and not a git revision of the repository here"),
                ("HEAD~1", "--rollback HEAD~1: error: database does not exist at HEAD~1"),
                ("empty", "empty/schema: error: no such directory: the schema files belong here"),
            ]
            for (argument, line) in cases {
                let result = try SchemaJobExecutable.run(
                    ["test", "--rollback", argument, "--dsn", try Prove.dsn()], in: repository, environment: Prove.environment)
                #expect(result.status == 2, "\(argument): \(result.stdout)\(result.stderr)")
                #expect(result.stderr == line + "\n", "\(argument)")
                #expect(result.stdout.isEmpty)
            }
        }

        static func git(_ arguments: [String], in repository: String) throws {
            let result = try SchemaJobExecutable.runProgram(
                "/usr/bin/env", ["git", "-C", repository, "-c", "user.name=t", "-c", "user.email=t@t.invalid"] + arguments)
            try #require(result.status == 0, "git \(arguments): \(result.stderr)")
        }
    }
}
