import Foundation
import SchemaJobKit
import Testing

/// A `gate.readHosts` entry that names the primary itself is refused at render time, where
/// the names alone show it.
@Suite struct ReadHostRenderTests {
    @Test func aReadHostNamingThePrimaryIsRefusedAtRenderTimeInOneLine() throws {
        for entry in ["postgres-primary", "postgres-primary:5432"] {
            let error = #expect(throws: InputError.self) {
                try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database, settingOverrides: ["gate.readHosts=postgres-replica,\(entry)"]))
            }
            #expect(error?.description == "gate.readHosts: error: '\(entry)' is the primary itself (postgres.host postgres-primary, port 5432): list only the standbys the workloads read from")
        }
        _ = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database, settingOverrides: ["gate.readHosts=postgres-primary:5433"]))
    }
}

extension AgainstPostgreSQL {
    /// What the names cannot show, the Job finds out, in one line naming the host: one
    /// that is the primary under another name, or no standby at all, fails the Job at once
    /// (the rendered podFailurePolicy's FailJob code) before anything runs; one that never
    /// answers is retried (it may be coming back).
    @Suite struct ReadHostTests {
        @Test func aReadHostThatIsThePrimaryUnderAnotherNameFailsTheJobBeforeAnythingRuns() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let port = database.server.port
            let job = try RenderedForTest(database, settings: ["gate.readHosts=localhost:\(port)"])
            let outcome = try await job.runAsJobController()
            #expect(outcome.exitCodes == [try job.sqlFailedCode], "\(outcome)")
            #expect(outcome.logs.contains("schemajob: gate.readHosts: localhost:\(port) is the primary itself (the same server as postgres.host, 127.0.0.1:\(port)): list only standbys. Nothing was run; exiting 65 (not retried)\n"),
                    "\(outcome)")
            #expect(try database.sql("SELECT to_regclass('schemajob.runs') IS NULL") == "t\n")
        }

        @Test func aReadHostThatIsNoStandbyFailsTheJobBeforeAnythingRuns() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let other = try PostgresServer.start()
            defer { other.stop() }
            // The role's password there is the one the Job has: the server answers, and is no standby.
            try other.superuserSQL("ALTER ROLE \(PostgresServer.role) PASSWORD '\(database.server.password)'", database: "postgres")
            try other.superuserSQL("CREATE DATABASE \(database.name) OWNER \(PostgresServer.role)", database: "postgres")
            let job = try RenderedForTest(database, settings: ["gate.readHosts=127.0.0.1:\(other.port)", "job.standbyWaitSeconds=1"])
            let outcome = try await job.runAsJobController()
            #expect(outcome.exitCodes == [try job.sqlFailedCode], "\(outcome)")
            #expect(outcome.logs.contains("schemajob: gate.readHosts: 127.0.0.1:\(other.port) is not a standby (pg_is_in_recovery() is false): a server of its own never replays the primary's migration; list only standbys of the primary. Nothing was run; exiting 65 (not retried)\n"),
                    "\(outcome)")
            #expect(try database.sql("SELECT to_regclass('schemajob.runs') IS NULL") == "t\n")
        }

        @Test func aReadHostThatNeverAnswersIsRetriedAndSaidInOneLine() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let port = try PostgresServer.freePort()
            let job = try RenderedForTest(
                database, settings: ["gate.readHosts=127.0.0.1:\(port)", "job.standbyWaitSeconds=1", "job.backoffLimit=1"])
            let outcome = try await job.runAsJobController()
            #expect(outcome.exitCodes == [75, 75], "retried up to backoffLimit: \(outcome)")
            let lines = outcome.logs.split(separator: "\n").filter { $0.hasPrefix("schemajob: read host 127.0.0.1:\(port): ") }
            #expect(lines.count == 2, "one line a pod: \(outcome)")
            #expect(lines.allSatisfy { $0.contains(": could not connect (psql: error: connection to server at \"127.0.0.1\", port \(port) failed") && $0.hasSuffix("; it may be coming back") },
                    "\(outcome)")
            #expect(outcome.logs.contains("is already applied"), "the second pod only waited: \(outcome)")
        }
    }
}
