import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The gate with a real streaming standby (`gate.readHosts`): it opens only once the
    /// standby has replayed the migration, and the Job refuses to run on a standby.
    @Suite(.serialized) struct StandbyGateTests {
        @Test func theGateStaysShutWhileTheStandbyHasNotReplayedTheMigrationAndOpensOnceItHas() async throws {
            let server = try #require(PostgresServer.current)
            let database = try server.createDatabase()
            let standby = try StreamingStandby.start(from: server)
            defer { standby.stop() }
            try standby.catchUp()
            #expect(try standby.superuserSQL("SELECT pg_is_in_recovery()") == "t\n")
            try standby.superuserSQL("SELECT pg_wal_replay_pause()")

            let job = try RenderedForTest(
                database, settings: ["gate.readHosts=127.0.0.1:\(standby.port)", "job.standbyWaitSeconds=1"])
            let migrate = try await job.run("migrate")
            #expect(migrate.exitCode == 75, "committed, but not replayed: the Job retries (FailoverTests) \(migrate.output)")
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "1\n",
                    "the Job committed on the primary")

            let shut = try await job.run(WorkloadGate.containerName, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "3"])
            #expect(shut.exitCode == 1, "\(shut.output)")
            #expect(shut.output.contains("Gave up after 3s: standby 127.0.0.1:\(standby.port): no finished migration for hash"),
                    "\(shut.output)")

            // Started while replay is still paused; replay resumes once the gate's waiting
            // session is seen on the standby (not after a fixed pause, which a loaded machine
            // can outlast before the gate has even started).
            async let gate = job.run(WorkloadGate.containerName, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "60"])
            let deadline = ContinuousClock.now + .seconds(60)
            while try standby.superuserSQL(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%schemajob.wait%' AND pid <> pg_backend_pid()") == "0\n",
                ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try standby.superuserSQL("SELECT pg_wal_replay_resume()")
            let result = try await gate
            #expect(result.exitCode == 0, "\(result.output)")
            #expect(result.output.contains("Waiting for schema \(job.plan.shortHash): standby 127.0.0.1:\(standby.port): no finished migration"),
                    "it was shut while replay was paused: \(result.output)")
            #expect(result.output.hasSuffix("every read host (127.0.0.1:\(standby.port)) has replayed it.\n"), "\(result.output)")
            // How soon after the commit it opens is Benchmarks/gate-open's figure, not a test's.
        }

        /// The harness's standby keeps the WAL it has yet to receive in a slot of its own on
        /// the primary (without one, a checkpoint on the busy shared server recycled it before
        /// the standby first connected), and gives the slot back when it stops.
        @Test func theStandbyStreamsThroughASlotOfItsOwnThatStopDrops() throws {
            let server = try #require(PostgresServer.current)
            let standby = try StreamingStandby.start(from: server)
            let slot = "schemajob_standby_\(standby.port)"
            try standby.catchUp()
            let held = try server.superuserSQL(
                "SELECT active, restart_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = '\(slot)'", database: "postgres")
            standby.stop()
            #expect(held == "t|t\n", "the standby streams through \(slot)")
            #expect(try server.superuserSQL(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(slot)'", database: "postgres") == "0\n")
        }

        @Test func theJobSaysItIsConnectedToAStandbyAndRunsNothing() async throws {
            let server = try #require(PostgresServer.current)
            let database = try server.createDatabase()
            let standby = try StreamingStandby.start(from: server)
            defer { standby.stop() }
            try standby.catchUp()
            let job = try RenderedForTest(
                databaseName: database.name, port: standby.port, password: server.password)
            let starts = try PsqlStarts()
            let migrate = try await job.run("migrate", environment: starts.environment)
            #expect(migrate.exitCode == 75, "\(migrate.output)")
            #expect(try starts.scripts() == ["migration.psql"],
                    "the session's first query finds the standby: no psql of its own for the check, no lock watcher")
            #expect(migrate.output.contains("127.0.0.1:\(standby.port) is a standby (pg_is_in_recovery() is true): the migration must connect to the primary"),
                    "\(migrate.output)")
            #expect(!migrate.output.contains("read-only transaction"), "it stopped before the first statement")
            #expect(!migrate.output.contains("Database Schema Migration"), "it stopped before the ledger's read")
            #expect(try database.sql("SELECT to_regclass('schemajob.runs') IS NULL") == "t\n")
        }
    }
}
