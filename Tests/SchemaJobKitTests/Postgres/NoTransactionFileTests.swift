import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `CREATE INDEX CONCURRENTLY` refuses to run in a transaction block; a file marked
    /// `-- schemajob:no-transaction` runs outside the run's transaction, and the run still
    /// records its ledger row last.
    @Suite struct NoTransactionFileTests {
        static let index = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reservations_pod_name ON reservations (pod_name);\n"

        /// A copy of database/ with one more schema file (a new hash).
        static func databaseWith010(
            _ text: String, named name: String = "010_reservations_pod_name.sql"
        ) throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-database")
            let copy = directory.path + "/database"
            try Repository.copy(Repository.database, to: copy)
            try text.write(toFile: copy + "/schema/" + name, atomically: true, encoding: .utf8)
            return (directory, copy)
        }

        @Test func aNoTransactionFileBuildsItsIndexConcurrentlyAndTheRunIsRecorded() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy) = try Self.databaseWith010("-- schemajob:no-transaction\n" + Self.index)
            let job = try RenderedForTest(database, databaseDirectory: copy)

            let first = try await job.migrate()
            #expect(first.output.contains("  → 010_reservations_pod_name.sql (outside the transaction)\n"))
            #expect(first.output.contains("Migration completed successfully!"))
            #expect(try database.sql(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_reservations_pod_name'::regclass") == "t\n")
            #expect(try database.sql(
                "SELECT count(*) FROM schemajob.run_files f JOIN schemajob.runs r USING (run_id) WHERE r.hash = '\(job.plan.hash)'") == "11\n")

            let dump = try database.schemaDump()
            try await job.migrate()
            #expect(try database.schemaDump() == dump)
            withExtendedLifetime(directory) {}
        }

        /// The phase is one prepared statement cut in segments: the files before the
        /// no-transaction file, the file alone, the files after it, each in its place.
        @Test func aNoTransactionFileBetweenOthersRunsInItsPlaceAndTheFileAfterItSeesItsIndex() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy) = try Self.databaseWith010("-- schemajob:no-transaction\n" + Self.index)
            try "COMMENT ON INDEX idx_reservations_pod_name IS 'built by 010';\nCREATE TABLE IF NOT EXISTS after_010 (id int);\n"
                .write(toFile: copy + "/schema/011_after.sql", atomically: true, encoding: .utf8)
            let job = try RenderedForTest(database, databaseDirectory: copy)

            let run = try await job.migrate()
            #expect(run.output.contains(
                "  → 009_add_availability_to_gpu_types.sql\n  → 010_reservations_pod_name.sql (outside the transaction)\n  → 011_after.sql\n\nApplying fixture data...\n"),
                "\(run.output)")
            #expect(try database.sql("SELECT obj_description('idx_reservations_pod_name'::regclass, 'pg_class')") == "built by 010\n")
            #expect(try database.sql(
                "SELECT string_agg(name, ',' ORDER BY position) FROM schemajob.run_files f JOIN schemajob.runs r USING (run_id) WHERE r.hash = '\(job.plan.hash)' AND position > 8")
                == "009_add_availability_to_gpu_types.sql,010_reservations_pod_name.sql,011_after.sql,001_initial_gpu_types.sql\n")
            withExtendedLifetime(directory) {}
        }

        static let uniqueIndex =
            "-- schemajob:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_reservations_pod_name ON reservations (pod_name);\n"

        /// The bundled set applied, then a concurrent unique build that fails on two rows
        /// with one pod name, as a Job's earlier attempt would: it leaves the index invalid.
        static func databaseWithAnInvalidIndex() async throws -> TestDatabase {
            let database = try #require(PostgresServer.current).createDatabase()
            try await RenderedForTest(database).migrate()
            try database.sql("""
                INSERT INTO reservations (reservation_id, user_id, status, duration_hours, created_at, pod_name)
                VALUES ('r1', 'alice', 'active', 1, now(), 'gpu-dev-1'), ('r2', 'bob', 'active', 1, now(), 'gpu-dev-1')
                """)
            #expect(throws: HarnessError.self) {
                try database.sql("CREATE UNIQUE INDEX CONCURRENTLY idx_reservations_pod_name ON reservations (pod_name)")
            }
            try #require(try database.sql(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_reservations_pod_name'::regclass") == "f\n")
            return database
        }

        @Test func anInvalidIndexLeftByAnEarlierBuildIsDroppedAndBuiltAgain() async throws {
            let database = try await Self.databaseWithAnInvalidIndex()
            try database.sql("UPDATE reservations SET pod_name = 'gpu-dev-2' WHERE reservation_id = 'r2'")
            let (directory, copy) = try Self.databaseWith010(Self.uniqueIndex)
            let job = try RenderedForTest(database, databaseDirectory: copy)

            let result = try await job.migrate()
            #expect(result.output.contains(
                "    dropping index idx_reservations_pod_name: an earlier build failed and left it invalid; the file builds it again\n"),
                "\(result.output)")
            #expect(try database.sql(
                "SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'idx_reservations_pod_name'::regclass") == "t|t\n")
            withExtendedLifetime(directory) {}
        }

        @Test func anIndexThatCannotBeBuiltFailsTheJobNamingIt() async throws {
            let database = try await Self.databaseWithAnInvalidIndex()
            let (directory, copy) = try Self.databaseWith010(Self.uniqueIndex)
            let job = try RenderedForTest(database, databaseDirectory: copy)

            let migrate = try await job.run("migrate")
            #expect(migrate.exitCode == (try job.sqlFailedCode), "\(migrate.output)")
            #expect(migrate.output.contains("could not create unique index \"idx_reservations_pod_name\""), "\(migrate.output)")
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "0\n")
            withExtendedLifetime(directory) {}
        }

        @Test func withoutTheDirectiveTheSameFileFailsTheJobAndNothingIsRecorded() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy) = try Self.databaseWith010(Self.index)
            // The library renders without lint's gate; the CLI would have refused here.
            let job = try RenderedForTest(database, databaseDirectory: copy)
            let wait = try await job.run("wait-for-postgres")
            #expect(wait.exitCode == 0)
            let migrate = try await job.run("migrate")
            #expect(migrate.exitCode == (try job.sqlFailedCode))
            #expect(migrate.output.contains("cannot run inside a transaction block"), "\(migrate.output)")
            #expect(try database.sql("SELECT to_regclass('reservations') IS NULL") == "t\n")
            withExtendedLifetime(directory) {}
        }
    }
}
