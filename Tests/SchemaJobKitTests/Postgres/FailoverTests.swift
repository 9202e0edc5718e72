import Foundation
import SchemaJobKit
import Synchronization
import Testing

extension AgainstPostgreSQL {
    /// A migration that survives a failover: with `gate.readHosts`, the Job is done only
    /// once every standby has replayed its run; a run a failover lost is run again by the
    /// Job's own retries. Real servers (a primary, a `pg_basebackup -R` standby, `pg_ctl
    /// promote` on the primary's address), the Job's pods run as the kubelet runs them,
    /// retried as the Job controller retries them. Waits are a few seconds
    /// (`job.standbyWaitSeconds=2`), so each test takes seconds.
    @Suite(.serialized) struct FailoverTests {
        @Test func theJobWaitsForAPausedStandbyExitsRetryableSayingHowFarBehindItIsAndSucceedsOnceItHasReplayed() async throws {
            // A primary of its own: a standby of the suite's shared server would, once
            // resumed, first replay every parallel test's WAL written while it was paused
            // (256 MB on a loaded machine: longer than any bounded wait here).
            let cluster = try FailoverCluster()
            defer { cluster.stop() }
            try cluster.catchUp()
            try cluster.sql("SELECT pg_wal_replay_pause()", onStandby: true)
            let job = try cluster.render(settings: ["job.standbyWaitSeconds=2"])

            let outcome = try await job.runAsJobController { _ in
                try cluster.sql("SELECT pg_wal_replay_resume()", onStandby: true)
                // During the Job controller's back-off the standby replays the run.
                try cluster.catchUp()
            }
            #expect(outcome.exitCodes == [75, 0], "\(outcome)")
            let pods = outcome.logs.components(separatedBy: "--- pod ")
            #expect(pods[1].contains("Migration completed successfully!"), "\(outcome)")
            #expect(pods[1].contains("Gave up after 2s: standby 127.0.0.1:\(cluster.standbyPort): no finished migration for hash"), "\(outcome)")
            #expect(pods[1].contains("schemajob: read host 127.0.0.1:\(cluster.standbyPort): received WAL up to "), "\(outcome)")
            #expect(pods[1].contains("behind the commit"), "\(outcome)")
            #expect(pods[1].contains("; replay is paused (pg_wal_replay_pause())"), "\(outcome)")
            #expect(pods[1].contains("standby connection(s); their positions show only to roles with pg_read_all_stats (pg_monitor), not to gpudev"),
                    "\(outcome)")
            #expect(pods[1].contains("the migration is committed on the primary, but not every read host replayed it within 2 s (job.standbyWaitSeconds): a failover now would lose it; exiting 75"),
                    "\(outcome)")
            #expect(pods[2].contains("is already applied"), "the retry only waits: \(outcome)")
            #expect(pods[2].hasSuffix("every read host (127.0.0.1:\(cluster.standbyPort)) has replayed it.\n"), "\(outcome)")
            #expect(try cluster.sql("SELECT count(*) FROM schemajob.runs") == "1\n", "applied once")
        }

        @Test func aStandbyDownDuringTheRunThenAFailoverEndsWithTheSchemaOnTheNewPrimaryAndTheGateOpenWithNoHumanStep() async throws {
            let cluster = try FailoverCluster()
            defer { cluster.stop() }
            try cluster.catchUp()
            cluster.stopStandby()
            let job = try cluster.render(settings: ["job.standbyWaitSeconds=2"])

            var failovers = 0
            let outcome = try await job.runAsJobController { _ in
                if failovers == 0 {
                    // The first pod committed on the primary, which then dies.
                    #expect(try cluster.sql("SELECT count(*) FROM schemajob.runs") == "1\n")
                    try cluster.failover()
                    #expect(try cluster.sql("SELECT to_regclass('schemajob.runs') IS NULL, to_regclass('api_users') IS NULL") == "t|t\n",
                            "the promoted standby never had the migration")
                }
                failovers += 1
            }
            #expect(outcome.exitCodes == [75, 0], "\(outcome)")
            #expect(outcome.logs.contains("schemajob: read host 127.0.0.1:\(cluster.standbyPort): could not connect (psql: error: connection to server at \"127.0.0.1\", port \(cluster.standbyPort) failed"),
                    "\(outcome)")
            let retry = outcome.logs.components(separatedBy: "--- pod ")[2]
            #expect(retry.contains("Migration completed successfully!"), "the retry applied it on the new primary: \(outcome)")

            let gate = try await job.run(WorkloadGate.containerName, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "20"])
            #expect(gate.exitCode == 0, "\(gate.output)")
            #expect(gate.output.hasSuffix("every read host (127.0.0.1:\(cluster.standbyPort)) has replayed it.\n"), "\(gate.output)")
            #expect(try cluster.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "1\n")
            #expect(try cluster.sql("SELECT timeline_id > 1 FROM pg_control_checkpoint()") == "t\n", "it is the promoted server")
        }

        @Test func aFailoverInTheMiddleOfTheRunIsRetryableLeavesNothingHalfAppliedAndTheNextPodMigratesTheNewPrimary() async throws {
            let cluster = try FailoverCluster()
            defer { cluster.stop() }
            // The bundled files and one more that sleeps while the database says so: on the
            // first primary, inside the migration's transaction, after every table is made.
            let directory = try TemporaryDirectory(prefix: "schemajob-failover")
            try FileManager.default.copyItem(atPath: Repository.database, toPath: directory.path + "/database")
            try "SELECT pg_sleep(coalesce(current_setting('failover_test.sleep', true), '0')::float);\n"
                .write(toFile: directory.path + "/database/schema/010_slow.sql", atomically: true, encoding: .utf8)
            try cluster.sql("ALTER DATABASE \(cluster.database) SET failover_test.sleep = '30'")
            try cluster.catchUp()
            let job = try cluster.render(databaseDirectory: directory.path + "/database", settings: ["job.standbyWaitSeconds=2"])

            let failedOver = FailedOver()
            async let outcome = job.runAsJobController { _ in
                while !failedOver.done { try await Task.sleep(for: .milliseconds(50)) }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while try cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(coalesce%' AND pid <> pg_backend_pid()") == "0\n",
                ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try cluster.failover()
            #expect(try cluster.sql("SELECT to_regclass('schemajob.runs') IS NULL, to_regclass('api_users') IS NULL") == "t|t\n",
                    "nothing of the run reached the new primary")
            try cluster.sql("ALTER DATABASE \(cluster.database) RESET failover_test.sleep")
            failedOver.done = true

            let result = try await outcome
            #expect(result.exitCodes.first == 75, "\(result)")
            #expect(result.complete, "\(result)")
            #expect(result.exitCodes.allSatisfy { $0 == 75 || $0 == 0 }, "\(result)")
            #expect(result.logs.contains("exiting 75 so the Job retries"), "\(result)")
            #expect(try cluster.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "1\n")
            #expect(try cluster.sql("SELECT to_regclass('api_users') IS NOT NULL") == "t\n")
        }

        @Test func aGateWhoseMigrationAFailoverLostSaysWhatTheLedgerAndTheServerKnowAndHowToRunItAgain() async throws {
            let cluster = try FailoverCluster()
            defer { cluster.stop() }
            // An earlier deploy, replayed everywhere; then one that only the primary gets,
            // with no readHosts to wait for.
            let earlier = try cluster.render(settings: ["gate.readHosts=", "job.lockRetrySeconds=29"])
            try await earlier.migrate()
            try cluster.catchUp()
            cluster.stopStandby()
            let job = try cluster.render(settings: ["gate.readHosts="])
            let migrate = try await job.migrate()
            #expect(migrate.output.contains("schemajob: gate.readHosts is empty: whether a standby has replayed the migration, and so whether it would survive a failover, was not checked"),
                    "\(migrate.output)")
            try cluster.failover()
            #expect(try cluster.sql("SELECT string_agg(left(hash, 10), ',') FROM schemajob.runs") == "\(earlier.plan.shortHash)\n",
                    "the promoted standby has the earlier run only")

            let gate = try await job.run(
                WorkloadGate.containerName, of: "Deployment",
                environment: ["SCHEMAJOB_WAIT_TIMEOUT": "4", "SCHEMAJOB_EXPLAIN_SECONDS": "1"])
            #expect(gate.exitCode == 1, "\(gate.output)")
            let short = job.plan.shortHash
            #expect(gate.output.contains(
                "— nothing has run hash \(short) here yet; the newest run in the ledger is run 1 (hash \(earlier.plan.shortHash)), finished "),
                "\(gate.output)")
            #expect(gate.output.contains(
                "This server is on timeline 2 (pg_control_checkpoint()): a standby was promoted here, so a migration that a former primary committed and this server had not replayed was lost, and a Job marked complete will not run again."),
                "\(gate.output)")
            #expect(gate.output.contains(
                "To run the migration again: kubectl delete job db-migration-\(short), then apply the manifests again as you deployed them"),
                "\(gate.output)")
            #expect(!gate.output.split(separator: "\n").first!.contains("nothing has run"),
                    "the first look says only what is missing: \(gate.output)")
        }
    }
}

/// Set by the test body once the failover is over; the Job controller's back-off waits for it.
final class FailedOver: Sendable {
    private let flag = Mutex(false)
    var done: Bool {
        get { flag.withLock { $0 } }
        set { flag.withLock { $0 = newValue } }
    }
}
