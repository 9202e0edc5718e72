import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob apply` and `schemajob verify`, run as an operator runs them: the built
    /// executable, the caller's libpq variables (or --dsn), the repository's database/.
    @Suite struct ApplyVerifyCommandTests {
        /// Only what an operator's shell would set: PATH, and the libpq variables given.
        static func environment(_ variables: [String: String]) -> [String: String] {
            variables.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { given, _ in given }
        }

        static func libpqVariables(_ database: TestDatabase) -> [String: String] {
            [
                "PGHOST": "127.0.0.1", "PGPORT": String(database.server.port), "PGDATABASE": database.name,
                "PGUSER": PostgresServer.role, "PGPASSWORD": database.server.password,
            ]
        }

        static func currentHash() throws -> String {
            try SchemaJobExecutable.run(["hash"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        @Test func applyMigratesTheDatabaseThePGVariablesNameAndPrintsTheJobsLog() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let apply = try SchemaJobExecutable.run(["apply"], environment: Self.environment(Self.libpqVariables(database)))
            #expect(apply.status == 0, "\(apply.stderr)")
            #expect(apply.stdout.hasPrefix("PostgreSQL at 127.0.0.1:\(database.server.port) is ready.\n"))
            #expect(apply.stdout.contains("  → 009_add_availability_to_gpu_types.sql\n"))
            #expect(apply.stdout.hasSuffix("Migration completed successfully!\n==========================================\n"))
            let hash = try Self.currentHash()
            let runs = try database.rows("SELECT hash, pod FROM schemajob.runs")
            #expect(runs.map { $0[0] } == [hash])
            #expect(runs.first?[1].hasPrefix("schemajob-apply@") == true, "the ledger says where the run came from")
            #expect(try database.sql("SELECT count(*) FROM gpu_types") == "10\n")
        }

        @Test func applyOfAnAppliedHashSaysSoAndReapplyRunsItAgain() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let environment = Self.environment(Self.libpqVariables(database))
            try #require(try SchemaJobExecutable.run(["apply"], environment: environment).status == 0)
            let again = try SchemaJobExecutable.run(["apply"], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("Schema \(try Self.currentHash().prefix(10)) is already applied (run 1, "), "\(again.stdout)")
            let forced = try SchemaJobExecutable.run(["apply", "--reapply"], environment: environment)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(forced.stdout.contains("Migration completed successfully!"))
            // --reapply does not change the hash: both runs are the gate's hash.
            #expect(try database.sql("SELECT count(DISTINCT hash), count(*) FROM schemajob.runs") == "1|2\n")
        }

        @Test func verifyPassesRightAfterApply() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let environment = Self.environment(Self.libpqVariables(database))
            try #require(try SchemaJobExecutable.run(["apply"], environment: environment).status == 0)
            let verify = try SchemaJobExecutable.run(["verify"], environment: environment)
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout == "Schema \(try Self.currentHash().prefix(10)) is applied; every required table exists.\n")
        }

        @Test func applyAndVerifyTakeAConnectionString() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let server = database.server
            let dsn = "postgresql://\(PostgresServer.role):\(server.password)@127.0.0.1:\(server.port)/\(database.name)"
            let apply = try SchemaJobExecutable.run(["apply", "--dsn", dsn], environment: Self.environment([:]))
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let verify = try SchemaJobExecutable.run(["verify", "--dsn", dsn], environment: Self.environment([:]))
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        }

        @Test func verifyListsWhatIsMissingAndExits1() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let environment = Self.environment(Self.libpqVariables(database))
            let hash = try Self.currentHash()

            let before = try SchemaJobExecutable.run(["verify"], environment: environment)
            #expect(before.status == 1)
            #expect(before.stderr.contains("no finished migration for hash \(hash) in schemajob.runs"), "\(before.stderr)")
            #expect(before.stderr.contains("missing tables: api_users, api_keys, reservations"), "\(before.stderr)")

            try #require(try SchemaJobExecutable.run(["apply"], environment: environment).status == 0)
            try database.sql("DROP TABLE domain_mappings")
            let after = try SchemaJobExecutable.run(["verify"], environment: environment)
            #expect(after.status == 1)
            #expect(after.stderr == "missing tables: domain_mappings\n")
        }

        @Test func applyExits1WhenTheSQLFailsAndCommitsNothing() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let directory = try TemporaryDirectory(prefix: "schemajob-database")
            let copy = directory.path + "/database"
            try Repository.copy(Repository.database, to: copy)
            try "SELECT no_such_column FROM gpu_types;\n".write(
                toFile: copy + "/schema/010_broken.sql", atomically: true, encoding: .utf8)

            let apply = try SchemaJobExecutable.run(
                ["apply", "--database", copy], environment: Self.environment(Self.libpqVariables(database)))
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("010_broken.sql:1: ERROR:"), "\(apply.stderr)")
            #expect(apply.stderr.contains("schemajob: the migration failed"))
            #expect(try database.sql("SELECT to_regclass('schemajob.runs') IS NULL AND to_regclass('gpu_types') IS NULL") == "t\n")
        }

        @Test func applyAndVerifyExit2WhenNothingAnswers() throws {
            let environment = Self.environment([
                "PGHOST": "127.0.0.1", "PGPORT": String(try PostgresServer.freePort()), "PGUSER": "gpudev",
            ])
            let apply = try SchemaJobExecutable.run(["apply", "--wait", "2"], environment: environment)
            #expect(apply.status == 2)
            #expect(apply.stderr.contains("PostgreSQL did not answer within 2s"), "\(apply.stderr)")
            let verify = try SchemaJobExecutable.run(["verify"], environment: environment)
            #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        }
    }
}
