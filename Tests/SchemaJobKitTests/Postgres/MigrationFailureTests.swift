import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// What happens when a migration goes wrong, against a real server: each failure must
    /// leave the database as it was and exit with the code the Job's policy expects.
    @Suite struct MigrationFailureTests {
        /// A copy of database/ in a temporary directory, to edit.
        static func copyOfDatabase() throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-database")
            let copy = directory.path + "/database"
            try Repository.copy(Repository.database, to: copy)
            return (directory, copy)
        }

        /// The whole database (schema and rows) as text.
        static func snapshot(_ database: TestDatabase) throws -> String {
            try database.schemaDump() + database.dataDump()
        }

        @Test func anSQLErrorInTheFourthFileFailsTheJobAndChangesNothing() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let good = try RenderedForTest(database)
            try await good.migrate()
            let before = try Self.snapshot(database)

            let (directory, copy) = try Self.copyOfDatabase()
            let fourth = try #require(try DatabaseFiles.listed(in: copy).filter { $0.phase == "schema" }.dropFirst(3).first)
            var text = try String(contentsOfFile: fourth.path, encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            let errorLine = text.filter { $0 == "\n" }.count + 2
            // A change that would show if it were committed, then a statement that fails.
            text += "ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS half_applied integer;\n"
            text += "SELECT no_such_column FROM gpu_types;\n"
            try text.write(toFile: fourth.path, atomically: true, encoding: .utf8)
            let broken = try RenderedForTest(database, databaseDirectory: copy)

            let migrate = try await broken.run("migrate")
            #expect(migrate.exitCode == (try broken.sqlFailedCode))
            #expect(migrate.output.contains("\(fourth.name):\(errorLine): ERROR:"), "\(migrate.output)")
            #expect(migrate.output.contains("no_such_column"))
            #expect(migrate.output.contains("  → \(fourth.name)\n"))
            #expect(!migrate.output.contains("Migration completed successfully!"))
            #expect(try Self.snapshot(database) == before)
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(broken.plan.hash)'") == "0\n")
            withExtendedLifetime(directory) {}
        }

        /// A file whose failing statement (psql names the line where it ends) comes after
        /// what the server skips, and where it ends.
        struct PlacedFailure: CustomTestStringConvertible, Sendable {
            var name: String
            var text: String
            var line: Int
            var testDescription: String { name }
        }

        static let placedFailures = [
            PlacedFailure(
                name: "after leading comments and blank lines",
                text: "-- first comment\n\n\n-- second comment\n\nSELECT no_such_column FROM gpu_types;\n", line: 6),
            PlacedFailure(
                name: "after a statement of three lines and a multi-line comment, ending two lines down",
                text: "CREATE TABLE IF NOT EXISTS placed (\n    id int\n);\n/* a comment\n   over three\n   lines; */ SELECT\n  no_such_column\n  FROM gpu_types;\n-- trailing words\n",
                line: 8),
            PlacedFailure(
                name: "the one statement of a file without a final newline or semicolon",
                text: "-- one statement\nSELECT no_such_column\nFROM gpu_types", line: 3),
        ]

        /// Each statement travels with the comments and blank lines before it, and the
        /// server counts the lines: the log still names the line psql would have.
        @Test(arguments: placedFailures)
        func aFailingStatementIsNamedAtTheLineItEndsOn(_ failure: PlacedFailure) async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy) = try Self.copyOfDatabase()
            try failure.text.write(toFile: copy + "/schema/010_placed.sql", atomically: true, encoding: .utf8)
            let job = try RenderedForTest(database, databaseDirectory: copy)

            let migrate = try await job.run("migrate")
            #expect(migrate.exitCode == (try job.sqlFailedCode), "\(migrate.output)")
            #expect(migrate.output.contains("/schema/010_placed.sql:\(failure.line): ERROR:"), "\(migrate.output)")
            #expect(migrate.output.contains("no_such_column"))
            withExtendedLifetime(directory) {}
        }

        /// The script checks the bytes it read against the digests of the render: a schema
        /// ConfigMap out of step with the script (here one byte of 003 changed after the
        /// render, its length kept) fails the run before any file runs, naming the file.
        @Test func aFileChangedAfterTheRenderFailsTheJobNamingItAndNothingRuns() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let rendered = try RenderedForTest(database)
            let line = "    -- A disk name is unique per user, not globally.\n"
            try #require(rendered.yaml.components(separatedBy: line).count == 2, "the line should be in the YAML once, in 003_disks.sql")
            let job = try RenderedForTest(
                rendered, yaml: rendered.yaml.replacingOccurrences(of: line, with: "    -- A disk name is unique per user, not globally!\n"),
                password: database.server.password)

            let wait = try await job.run("wait-for-postgres")
            #expect(wait.exitCode == 0, "\(wait.output)")
            let migrate = try await job.run("migrate")
            #expect(migrate.exitCode == (try job.sqlFailedCode), "\(migrate.output)")
            #expect(migrate.output.contains(
                "ERROR:  P0001: schemajob: schema/003_disks.sql was not read whole (the shell could not read it, or the ConfigMap differs from the script)"),
                "\(migrate.output)")
            #expect(!migrate.output.contains("  → 001_users_and_keys.sql"), "\(migrate.output)")
            #expect(try database.sql("SELECT to_regclass('api_users') IS NULL AND to_regclass('schemajob.runs') IS NULL") == "t\n")
        }

        @Test func twoRunsStartedTogetherBothSucceedOneAfterTheOther() async throws {
            let server = try #require(PostgresServer.current)
            // Each run holds its transaction open for a second, so the two must meet at the lock.
            let (directory, copy) = try Self.copyOfDatabase()
            try "SELECT pg_sleep(1);\n".write(toFile: copy + "/schema/005a_pause.sql", atomically: true, encoding: .utf8)

            let single = try server.createDatabase()
            try await RenderedForTest(single, databaseDirectory: copy).migrate()

            let database = try server.createDatabase()
            let job = try RenderedForTest(database, databaseDirectory: copy)
            // Both apply (a run that waited for the lock would otherwise find the hash applied).
            async let first = job.run("migrate", environment: ["SCHEMAJOB_REAPPLY": "always"])
            async let second = job.run("migrate", environment: ["SCHEMAJOB_REAPPLY": "always"])
            let results = try await [first, second]
            for result in results {
                #expect(result.exitCode == 0, "\(result.output)")
            }
            let runs = try database.rows(
                "SELECT started_at, finished_at FROM schemajob.runs WHERE hash = '\(job.plan.hash)' ORDER BY started_at")
            try #require(runs.count == 2)
            // The second run's transaction began only after the first one's had committed.
            #expect(try database.sql("SELECT '\(runs[1][0])'::timestamptz >= '\(runs[0][1])'::timestamptz") == "t\n")
            #expect(try database.schemaDump() == single.schemaDump())
            withExtendedLifetime(directory) {}
        }

        @Test func psqlEndedByASignalIsRetryableAndChangesNothing() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let before = try Self.snapshot(database)
            let job = try RenderedForTest(database)
            let root = try TemporaryDirectory(prefix: "schemajob-sigpipe")
            let prepared = try ContainerRun(
                pod: try job.job.podSpec(), containerName: "migrate", configMaps: job.pods.objects.configMaps,
                secrets: job.pods.secrets, fieldValues: ["metadata.name": "sigpipe"]
            ).prepare(root: root.path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: prepared.executable)
            process.arguments = prepared.arguments
            process.environment = prepared.environment
            // Standard output whose reader is already gone, as in `schemajob apply | head`
            // once head has exited: psql's first line ends it with SIGPIPE.
            let output = Pipe()
            try output.fileHandleForReading.close()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 75, "\(stderr)")
            #expect(stderr.contains("psql was ended by signal 13"), "\(stderr)")
            #expect(try Self.snapshot(database) == before)
        }

        @Test func aRunKilledMidwayLeavesNothingBehindAndTheNextRunSucceeds() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let before = try Self.snapshot(database)
            let (directory, copy) = try Self.copyOfDatabase()
            try "SELECT pg_sleep(60);\n".write(toFile: copy + "/schema/005a_pause.sql", atomically: true, encoding: .utf8)
            let slow = try RenderedForTest(database, databaseDirectory: copy)

            // SIGKILL to every process of the "container", as when a node dies or the pod is evicted.
            let killed = try await slow.run("migrate", timeout: .seconds(5))
            #expect(killed.timedOut)
            #expect(killed.exitCode == 128 + SIGKILL)
            #expect(killed.output.hasSuffix("  → 005a_pause.sql\n"), "it should die inside the sleeping file: \(killed.output)")
            #expect(try Self.snapshot(database) == before)

            let next = try await RenderedForTest(database).run("migrate")
            #expect(next.exitCode == 0, "\(next.output)")
            // The dead client's transaction, and the migration lock with it, ended within
            // moments (client_connection_check_interval), not when pg_sleep(60) would have.
            #expect(next.duration < .seconds(30))
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs") == "1\n")
            withExtendedLifetime(directory) {}
        }
    }
}

/// Failures that need no server at all.
@Suite struct MigrationWithoutServerTests {
    @Test func withNoServerTheInitContainerWaitsUntilItsDeadlineAndMigrateAsksForARetry() async throws {
        let port = try PostgresServer.freePort()  // nothing listens there
        let job = try RenderedForTest(databaseName: "gpudev", port: port, password: "unused")

        // 6 s: the script says it waits only after its first check, and on a loaded machine
        // (every suite at once on two cores) bash and pg_isready took 4 s to get there. The
        // deadline is counted on the clock's whole seconds, so the wait may end up to 1 s early.
        let wait = try await job.run("wait-for-postgres", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "6"])
        let retryable: Int32 = 75  // migrate.sh's EX_TEMPFAIL: any code the policy does not map to FailJob is retried
        #expect(wait.exitCode == retryable)
        #expect(wait.duration > .seconds(5), "it gave up before its deadline")
        #expect(wait.duration < .seconds(25), "it overran its deadline")
        #expect(wait.output.contains("Waiting for PostgreSQL at 127.0.0.1:\(port)..."))
        #expect(wait.output.contains("not ready after 6s"))

        let migrate = try await job.run("migrate")
        #expect(migrate.exitCode == retryable, "\(migrate.output)")
        #expect(!(try job.job.exitCodes(for: "FailJob", container: "migrate").contains(retryable)))
        #expect(migrate.output.contains("could not reach PostgreSQL at 127.0.0.1:\(port)"))
    }
}
