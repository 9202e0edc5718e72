import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `CREATE INDEX CONCURRENTLY` refuses to run in a transaction block; a file marked
    /// `-- schemajob:no-transaction` runs outside the run's transaction, and the run still
    /// records its ledger row last.
    @Suite struct NoTransactionFileTests {
        static let index = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reservations_pod_name ON reservations (pod_name);\n"

        static func databaseWith010(_ text: String) throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-database")
            let copy = directory.path + "/database"
            try Repository.copy(Repository.database, to: copy)
            try text.write(toFile: copy + "/schema/010_reservations_pod_name.sql", atomically: true, encoding: .utf8)
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
