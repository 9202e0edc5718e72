import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob verify --wait`: the gate run here as a gated pod runs it, also when the
    /// render has no API Deployment of its own (`api.enabled=false`).
    @Suite struct VerifyWaitTests {
        typealias Command = ApplyVerifyCommandTests

        @Test func verifyWaitOpensOnceTheJobHasCommittedWithoutAnAPIDeployment() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let environment = Command.environment(Command.libpqVariables(database))
            // The gate must outlast the apply, which shares the server with every other suite:
            // in one full run under load, 60 s was not enough. It returns as soon as the
            // migration commits, so the long limit costs nothing when the gate works.
            let verify = Task.detached {
                try SchemaJobExecutable.run(["verify", "--wait", "300", "--set", "api.enabled=false"], environment: environment)
            }
            try await Task.sleep(for: .seconds(2))
            let clock = ContinuousClock()
            let started = clock.now
            let apply = try SchemaJobExecutable.run(["apply", "--set", "api.enabled=false"], environment: environment)
            let applyTook = clock.now - started
            try #require(apply.status == 0, "\(apply.stderr)")
            let result = try await verify.value
            #expect(result.status == 0, "apply took \(applyTook): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("Waiting for schema "), "it waited before the Job ran: \(result.stdout)")
            #expect(result.stdout.hasSuffix("is applied; every required table exists.\n"), "\(result.stdout)")
        }

        @Test func verifyWaitGivesUpAfterItsSecondsWithExit1() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let result = try SchemaJobExecutable.run(["verify", "--wait", "2"], environment: Command.environment(Command.libpqVariables(database)))
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("Gave up after 2s: no finished migration for hash"), "\(result.stderr)")
        }
    }
}
