import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob test`, run as a user runs it, against the harness's server through
    /// --dsn (so every case also proves --dsn), on the sets under Fixtures/prove/:
    /// each case is an `old/` and a `new/` database directory.
    @Suite struct ProveCommandTests {
        static let cases = Repository.fixtures + "/prove"

        /// The superuser's connection string: `test` creates and drops its own databases.
        static func dsn() throws -> String {
            let server = try #require(PostgresServer.current)
            return "postgresql://postgres:\(server.password)@127.0.0.1:\(server.port)/postgres"
        }

        /// Only PATH: no PG* variable reaches the command, so --dsn alone names the server.
        static let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]

        static func prove(_ name: String, from: Bool = true, extra: [String] = []) throws -> SchemaJobExecutable.Result {
            var arguments = ["test", "--database", "\(cases)/\(name)/new", "--dsn", try dsn()]
            if from { arguments += ["--from", "\(cases)/\(name)/old"] }
            return try SchemaJobExecutable.run(arguments + extra, environment: environment)
        }

        /// The scratch databases of the run whose stderr this is that still exist.
        static func scratchDatabasesLeft(_ stderr: String) throws -> String {
            let run = try #require(stderr.firstMatch(of: #/scratch databases schemajob_test_([0-9a-f]+)_1/#)?.1, "\(stderr)")
            return try #require(PostgresServer.current).superuserSQL(
                "SELECT count(*) FROM pg_database WHERE datname LIKE 'schemajob\\_test\\_\(run)\\_%'", database: "postgres")
        }

        @Test func aColumnAddedInsideCreateTableIfNotExistsMakesTheUpgradeDifferAndPrintsTheAlter() throws {
            let result = try Self.prove("column-added-inside-create-table")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/schema/003_disks.sql:2: error: column disks.disk_size:"), "\(result.stdout)")
            #expect(result.stdout.contains("exists on a fresh install (text), missing after the upgrade from"))
            #expect(result.stdout.contains("ALTER TABLE disks ADD COLUMN IF NOT EXISTS disk_size text;"), "\(result.stdout)")
            #expect(result.stdout.contains("[upgrade-differs]"))
            #expect(result.stderr.contains("test: running on the server --dsn names (PGDATABASE=postgres PGHOST=127.0.0.1 PGPORT="), "\(result.stderr)")
            #expect(!result.stderr.contains(try #require(PostgresServer.current).password), "the password is never printed")
        }

        @Test func aColumnAndAnIndexOnItAddedInsideCreateTableFailTheDeployAtTheIndex() throws {
            let result = try Self.prove("column-and-index-inside-create-table")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/schema/002_reservations.sql:13: error: statement `CREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);`"), "\(result.stdout)")
            #expect(result.stdout.contains("fails as the next deploy after"))
            #expect(result.stdout.contains("ERROR: column \"domain_name\" does not exist"), "\(result.stdout)")
            #expect(result.stdout.contains("[sql-failed]"))
        }

        @Test func aFixtureInsertWithoutOnConflictIntoAKeylessTableIsNotIdempotent() throws {
            let result = try Self.prove("fixture-insert-without-on-conflict", from: false)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/fixtures/001_announcements.sql:3: error: table announcements:"), "\(result.stdout)")
            #expect(result.stdout.contains("appears once after run 1, 2 times after run 2 (a duplicated row)"), "\(result.stdout)")
            #expect(result.stdout.contains("[not-idempotent]"))
            #expect(try Self.scratchDatabasesLeft(result.stderr) == "0\n", "the replay's databases are dropped too")
            #expect(result.stdout.contains("body: 'GPU reservations are open'"), "the row is shown")
        }

        @Test func aRenamedTriggerLeavesASecondTriggerOnUpgradedDatabases() throws {
            let result = try Self.prove("trigger-renamed")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/old/schema/001_disks.sql:17: error: trigger disks.disks_touch: exists after the upgrade from"), "\(result.stdout)")
            #expect(result.stdout.contains("DROP TRIGGER IF EXISTS disks_touch ON disks;"), "\(result.stdout)")
            #expect(!result.stdout.contains("trg_disks_last_updated:"), "the new trigger is on both sides")
        }

        @Test func aFunctionBodyChangedWithOrReplaceIsProven() throws {
            let result = try Self.prove("function-body-changed")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("test: proven: idempotent"), "\(result.stderr)")
            #expect(result.stderr.contains("an upgrade from \(Self.cases)/function-body-changed/old equals a fresh install"))
        }

        @Test func aColumnTypeChangedInCreateTableMakesTheUpgradeDiffer() throws {
            let result = try Self.prove("column-type-changed")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/schema/001_gpu_types.sql:2: error: column gpu_types.memory_gb: type numeric(8,1) on a fresh install, integer after the upgrade from"), "\(result.stdout)")
            #expect(result.stdout.contains("ALTER TABLE gpu_types ALTER COLUMN memory_gb TYPE numeric(8,1) USING memory_gb::numeric(8,1);"), "\(result.stdout)")
        }

        @Test func anEnumValueAddedInPlaceMakesTheUpgradeDiffer() throws {
            let result = try Self.prove("enum-value-added")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/schema/001_reservation_status.sql:3: error: enum value reservation_status 'cancelled': exists on a fresh install, missing after the upgrade"), "\(result.stdout)")
            #expect(result.stdout.contains("ALTER TYPE reservation_status ADD VALUE IF NOT EXISTS 'cancelled' AFTER 'active';"), "\(result.stdout)")
            #expect(result.stdout.contains("enum value reservation_status 'expired'"), "its position moved too")
        }

        @Test func aFixtureEditThatOnConflictDoNothingKeepsFromExistingDatabasesIsReported() throws {
            let result = try Self.prove("fixture-changed-but-kept")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/fixtures/001_gpu_types.sql:2: error: row gpu_types ('t4'): max_gpus 2 on a fresh install, 4 after the upgrade from"), "\(result.stdout)")
            #expect(!result.stdout.contains("created_at"), "DEFAULT NOW() is a generated value: \(result.stdout)")
            #expect(!result.stdout.contains("h100"), "an unchanged row is not reported")
        }

        @Test func everyCaseWithAnUnchangedSetIsProven() throws {
            for name in ["column-added-inside-create-table", "column-and-index-inside-create-table", "trigger-renamed",
                         "column-type-changed", "enum-value-added", "fixture-changed-but-kept"] {
                let result = try SchemaJobExecutable.run(
                    ["test", "--database", "\(Self.cases)/\(name)/new", "--from", "\(Self.cases)/\(name)/new", "--dsn", try Self.dsn()],
                    environment: Self.environment)
                #expect(result.status == 0, "\(name): \(result.stdout)\(result.stderr)")
                #expect(try Self.scratchDatabasesLeft(result.stderr) == "0\n", "no scratch database outlives its run")
            }
        }

        @Test func theBundledDatabaseIsProvenThroughTheDsnWithTheStandIn() throws {
            let result = try SchemaJobExecutable.run(["test", "--dsn", try Self.dsn()], environment: Self.environment)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("no pgmq extension: installing schemajob's stand-in"), "\(result.stderr)")
        }

        @Test func libpqVariablesNameTheServerWhenNoDsnIsGiven() throws {
            let server = try #require(PostgresServer.current)
            let variables = [
                "PGHOST": "127.0.0.1", "PGPORT": String(server.port), "PGUSER": "postgres", "PGPASSWORD": server.password,
            ]
            let result = try SchemaJobExecutable.run(
                ["test", "--database", "\(Self.cases)/column-type-changed/new"],
                environment: Self.environment.merging(variables) { _, given in given })
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("test: running on the server libpq's variables name (PGHOST=127.0.0.1 PGPORT=\(server.port) PGUSER=postgres)"), "\(result.stderr)")
            #expect(try Self.scratchDatabasesLeft(result.stderr) == "0\n")
        }

        @Test func jsonAndGithubFormatsNameTheFileAndLine() throws {
            let json = try Self.prove("column-type-changed", extra: ["--format", "json"])
            #expect(json.status == 1)
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            let finding = try #require(parsed?.first)
            #expect((finding["path"] as? String)?.hasSuffix("/new/schema/001_gpu_types.sql") == true)
            #expect(finding["line"] as? Int == 2)
            #expect(finding["object"] as? String == "column gpu_types.memory_gb")
            #expect(finding["rule"] as? String == "upgrade-differs")

            let github = try Self.prove("column-type-changed", extra: ["--format", "github"])
            #expect(github.status == 1)
            #expect(github.stdout.hasPrefix("::error file=\(Self.cases)/column-type-changed/new/schema/001_gpu_types.sql,line=2,title=upgrade-differs::column gpu_types.memory_gb"), "\(github.stdout)")
        }

        @Test func aGitRevisionIsAnEarlierState() throws {
            let directory = try TemporaryDirectory(prefix: "schemajob-prove-git")
            let repository = directory.path + "/repo"
            try Repository.copy(Self.cases + "/column-added-inside-create-table/old", to: repository + "/database")
            let git = { (arguments: [String]) throws in
                let result = try SchemaJobExecutable.runProgram(
                    "/usr/bin/env", ["git", "-C", repository, "-c", "user.name=t", "-c", "user.email=t@t.invalid"] + arguments)
                try #require(result.status == 0, "git \(arguments): \(result.stderr)")
            }
            try git(["init", "-q"])
            try git(["add", "."])
            try git(["commit", "-q", "-m", "old"])
            try FileManager.default.removeItem(atPath: repository + "/database/schema/003_disks.sql")
            try FileManager.default.copyItem(
                atPath: Self.cases + "/column-added-inside-create-table/new/schema/003_disks.sql",
                toPath: repository + "/database/schema/003_disks.sql")
            let result = try SchemaJobExecutable.run(
                ["test", "--from", "HEAD", "--dsn", try Self.dsn()], in: repository, environment: Self.environment)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.hasPrefix("database/schema/003_disks.sql:2: error: column disks.disk_size: exists on a fresh install (text), missing after the upgrade from HEAD"), "\(result.stdout)")
        }

        @Test func aServerThatDoesNotAnswerIsOneLineAndExit2() throws {
            let dsn = "postgresql://postgres@127.0.0.1:\(try PostgresServer.freePort())/postgres"
            let result = try SchemaJobExecutable.run(["test", "--dsn", dsn], environment: Self.environment)
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("cannot connect"), "\(result.stderr)")
        }

        @Test func aMissingSetupFileIsOneLineAndExit2() throws {
            let result = try SchemaJobExecutable.run(
                ["test", "--dsn", try Self.dsn(), "--setup", "no-such-setup.sql"], environment: Self.environment)
            #expect(result.status == 2)
            #expect(result.stderr == "no-such-setup.sql: error: cannot read the --setup file\n", "\(result.stderr)")
        }
    }
}

/// `schemajob test` with no flags: it starts its own server, as on a fresh clone.
@Suite struct ProveWithItsOwnServerTests {
    @Test func withNoServerNamedTestStartsItsOwnAndProvesTheBundledDatabase() throws {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let result = try SchemaJobExecutable.run(["test"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // The newest major at hand: the one this test process runs (PATH leads to it first).
        let newest = try PostgresServer.installation.get()
        #expect(result.stderr.contains("test: started postgres \(newest.version) for this run (the newest major at hand; \(newest.binaries), "), "\(result.stderr)")
        #expect(result.stderr.contains("test: proven: idempotent"), "\(result.stderr)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        let socketLine = result.stderr.split(separator: "\n").first { $0.contains("socket in ") } ?? ""
        let directory = socketLine.split(separator: "socket in ").last?.prefix { $0 != ")" } ?? ""
        #expect(!directory.isEmpty && !leftovers.contains(String(directory.dropFirst("/tmp/".count))), "its directory is removed")
    }
}
