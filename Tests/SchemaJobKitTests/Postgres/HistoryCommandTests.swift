import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob history`, run as an operator runs it, against a database that two
    /// deploys of different hashes migrated.
    @Suite struct HistoryCommandTests {
        typealias Command = ApplyVerifyCommandTests

        /// A copy of database/ migrated twice: as bundled, then with one more schema file.
        static func migratedTwice(_ database: TestDatabase) throws -> (directory: TemporaryDirectory, copy: String, hashes: [String]) {
            let directory = try TemporaryDirectory(prefix: "schemajob-history")
            let copy = directory.path + "/database"
            try Repository.copy(Repository.database, to: copy)
            let environment = Command.environment(Command.libpqVariables(database))
            var hashes: [String] = []
            for step in 0..<2 {
                if step == 1 {
                    try "CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);\n".write(
                        toFile: copy + "/schema/010_audit_events.sql", atomically: true, encoding: .utf8)
                }
                let apply = try SchemaJobExecutable.run(["apply", "--database", copy], environment: environment)
                try #require(apply.status == 0, "\(apply.stderr)")
                hashes.append(try SchemaJobExecutable.run(["hash", "--database", copy]).stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try #require(hashes[0] != hashes[1])
            return (directory, copy, hashes)
        }

        @Test func historyListsBothRunsNewestFirstWithTheirFileCounts() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy, hashes) = try Self.migratedTwice(database)
            defer { _ = directory }
            let environment = Command.environment(Command.libpqVariables(database))

            let json = try SchemaJobExecutable.run(["history", "--database", copy, "--format", "json"], environment: environment)
            #expect(json.status == 0, "\(json.stderr)")
            let runs = try JSONDecoder().decode([Ledger.Run].self, from: Data(json.stdout.utf8))
            #expect(runs.map(\.hash) == [hashes[1], hashes[0]])
            #expect(runs.map(\.fileCount) == [11, 10])
            #expect(runs.allSatisfy { $0.user == PostgresServer.role && $0.pod?.hasPrefix("schemajob-apply@") == true })
            #expect(runs.allSatisfy { $0.durationSeconds >= 0 && $0.finishedAt >= $0.startedAt })
            let version = try SchemaJobExecutable.run(["--version"])
            #expect(version.status == 0 && version.stdout == SchemaJob.version + "\n", "\(version.stdout)\(version.stderr)")
            #expect(runs.allSatisfy { $0.schemajobVersion == SchemaJob.version }, "the ledger records the schemajob that wrote the Job")

            let text = try SchemaJobExecutable.run(["history", "--database", copy], environment: environment)
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("HASH "))
            #expect(lines[1].hasPrefix(String(hashes[1].prefix(10))) && lines[1].hasSuffix(" 11"))
            #expect(lines[2].hasPrefix(String(hashes[0].prefix(10))) && lines[2].hasSuffix(" 10"))
        }

        @Test func historyOfOneHashComparesItsFilesWithTheLocalDatabaseDirectory() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy, hashes) = try Self.migratedTwice(database)
            defer { _ = directory }
            let environment = Command.environment(Command.libpqVariables(database))
            // Since the first run: 010 was added (and ran in the second), a fixture edited.
            let fixture = copy + "/fixtures/001_initial_gpu_types.sql"
            try (String(contentsOfFile: fixture, encoding: .utf8) + "-- edited\n").write(toFile: fixture, atomically: true, encoding: .utf8)

            let result = try SchemaJobExecutable.run(
                ["history", "--database", copy, "--hash", String(hashes[0].prefix(7)), "--format", "json"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            struct Answer: Decodable { var run: Ledger.Run; var files: [Ledger.RunFile] }
            let answer = try JSONDecoder().decode(Answer.self, from: Data(result.stdout.utf8))
            #expect(answer.run.hash == hashes[0])
            let status = Dictionary(uniqueKeysWithValues: answer.files.map { ($0.name, $0.status) })
            // docs/json.md: a value the ledger does not have is null, its key still there.
            let raw = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let added = try #require((raw["files"] as? [[String: Any]])?.first { $0["name"] as? String == "010_audit_events.sql" })
            #expect(Set(added.keys) == ["local_sha256", "name", "phase", "sha256", "status"])
            #expect(added["sha256"] is NSNull)
            #expect(status["001_users_and_keys.sql"] == .same)
            #expect(status["001_initial_gpu_types.sql"] == .changed)
            #expect(status["010_audit_events.sql"] == .added)
            #expect(answer.files.count == 11)
            let recorded = try database.rows("SELECT sha256 FROM schemajob.run_files f JOIN schemajob.runs r USING (run_id) WHERE r.hash = '\(hashes[0])' AND f.name = '001_users_and_keys.sql'")
            #expect(answer.files.first { $0.name == "001_users_and_keys.sql" }?.sha256 == recorded.first?[0])

            try (String(contentsOfFile: fixture, encoding: .utf8)).write(toFile: fixture, atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(atPath: copy + "/schema/003_disks.sql")
            let text = try SchemaJobExecutable.run(
                ["history", "--database", copy, "--hash", hashes[1]], environment: environment)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("removed  schema    003_disks.sql"), "\(text.stdout)")
            #expect(text.stdout.contains("same     schema    010_audit_events.sql"), "\(text.stdout)")
        }

        @Test func historyExits2WhenTheDatabaseHasNoLedger() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let result = try SchemaJobExecutable.run(["history"], environment: Command.environment(Command.libpqVariables(database)))
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == "schemajob.runs: error: the database has no ledger: no migration has run there (schemajob apply, or the Job, creates it)\n")
        }

        @Test func historyExits2WhenNothingAnswersOrTheHashIsUnknown() throws {
            let unreachable = try SchemaJobExecutable.run(["history"], environment: Command.environment([
                "PGHOST": "127.0.0.1", "PGPORT": String(try PostgresServer.freePort()), "PGUSER": "gpudev",
            ]))
            #expect(unreachable.status == 2)
            #expect(unreachable.stderr.hasPrefix("psql: error: could not connect to PostgreSQL: "), "\(unreachable.stderr)")

            let database = try #require(PostgresServer.current).createDatabase()
            let environment = Command.environment(Command.libpqVariables(database))
            try #require(try SchemaJobExecutable.run(["apply"], environment: environment).status == 0)
            let unknown = try SchemaJobExecutable.run(["history", "--hash", "ffffffffff"], environment: environment)
            #expect(unknown.status == 2)
            #expect(unknown.stderr == "schemajob.runs: error: no run with a hash starting ffffffffff\n")
        }

        @Test func historyTakesAConnectionStringWithThePasswordOnlyInTheEnvironment() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let server = database.server
            let environment = Command.environment(Command.libpqVariables(database))
            try #require(try SchemaJobExecutable.run(["apply"], environment: environment).status == 0)
            let dsn = "postgresql://\(PostgresServer.role)@127.0.0.1:\(server.port)/\(database.name)"
            let result = try SchemaJobExecutable.run(
                ["history", "--dsn", dsn], environment: Command.environment(["PGPASSWORD": server.password]))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == 2)
        }
    }
}

extension AgainstPostgreSQL.HistoryCommandTests {
    /// A ledger written before it kept the version: the next run adds the column once, and
    /// history reads old and new rows alike.
    @Test func aLedgerOlderThanTheVersionColumnGainsItAndHistoryReadsBothKindsOfRow() async throws {
        let database = try #require(PostgresServer.current).createDatabase()
        let job = try RenderedForTest(database)
        try await job.migrate()
        try database.sql("ALTER TABLE schemajob.runs DROP COLUMN schemajob_version")
        let again = try await job.run("migrate", environment: ["SCHEMAJOB_REAPPLY": "always"])
        #expect(again.exitCode == 0, "\(again.output)")
        let rows = try database.rows("SELECT hash, coalesce(schemajob_version, '-') FROM schemajob.runs ORDER BY run_id")
        #expect(rows.map { $0[1] } == ["-", SchemaJob.version], "\(rows)")
        let runs = try Ledger.runs(target: Connection(environment: Command.libpqVariables(database)),
                                   settings: job.plan.settings)
        #expect(runs.map(\.schemajobVersion) == [SchemaJob.version, nil])
    }
}
