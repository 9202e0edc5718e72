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
            let verify = Task.detached {
                try SchemaJobExecutable.run(["verify", "--wait", "60", "--set", "api.enabled=false"], environment: environment)
            }
            try await Task.sleep(for: .seconds(2))
            let apply = try SchemaJobExecutable.run(["apply", "--set", "api.enabled=false"], environment: environment)
            try #require(apply.status == 0, "\(apply.stderr)")
            let result = try await verify.value
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
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
