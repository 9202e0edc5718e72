import Foundation
@testable import SchemaJobKit
import Testing

/// A primary of its own (the tests stop it, so never the suite's shared server), one test
/// database on it, and a streaming standby (`pg_basebackup -R`), on two loopback
/// addresses that stay what the rendered manifests name through a failover: the standby
/// is promoted on the primary's address and a new standby is cloned from it on the old
/// standby's, as an operator (CloudNativePG, Patroni) moves its services.
final class FailoverCluster {
    let database: String
    let password: String
    let primaryPort: Int
    let standbyPort: Int
    private(set) var primary: ScratchServer
    private(set) var standby: ScratchServer
    /// The first server; its directory goes when the cluster stops, whatever has happened.
    private let first: PostgresServer

    init() throws {
        first = try PostgresServer.start()
        do {
            database = try first.createDatabase().name
            password = first.password
            primary = first.scratch
            primaryPort = first.port
            standby = try ScratchServer.startStandby(of: first.scratch)
            standbyPort = standby.port
        } catch {
            first.stop()
            throw error
        }
    }

    func stop() {
        standby.stop()
        primary.stop()
        first.stop()
    }

    /// The manifests, pointed at the primary's address, reading from the standby's.
    func render(databaseDirectory: String = Repository.database, settings: [String] = []) throws -> RenderedForTest {
        try RenderedForTest(
            databaseName: database, port: primaryPort, password: password, databaseDirectory: databaseDirectory,
            settings: ["gate.readHosts=127.0.0.1:\(standbyPort)"] + settings)
    }

    /// SQL as the superuser on the primary (or the standby), in the test database.
    @discardableResult
    func sql(_ query: String, onStandby: Bool = false) throws -> String {
        let server = onStandby ? standby : primary
        return try PostgresServer.run(server.binaries + "/psql", Psql.flags + [
            "--host=\(server.socketDirectory)", "--port=\(server.port)", "--username=postgres", "--dbname=\(database)",
            "--command=\(query)",
        ])
    }

    /// Waits until the standby has replayed everything the primary has done so far.
    func catchUp() throws {
        try ReplayCatchUp.wait(primary: { try sql($0) }, standby: { try sql($0, onStandby: true) })
    }

    /// The standby goes down (a clean shutdown; its data stays for `failover`).
    func stopStandby() {
        standby.shutDown()
    }

    /// The primary dies (immediate shutdown; its data is gone with it); the standby, as far
    /// as it had replayed, is started on the primary's address and promoted with `pg_ctl
    /// promote`; a new standby is cloned from it on the old standby's address.
    func failover() throws {
        primary.stop()
        let promoted = try standby.restarted(onPort: primaryPort)
        primary = promoted
        try promoted.promote()
        standby = try ScratchServer.startStandby(of: promoted, port: standbyPort)
    }
}

extension RenderedForTest {
    /// What the Job controller made of the Job: its pods' exit codes, in order, and their logs.
    struct JobOutcome: CustomStringConvertible {
        var exitCodes: [Int32] = []
        var logs = ""
        var complete: Bool { exitCodes.last == 0 }
        var description: String { "pods exited \(exitCodes):\n\(logs)" }
    }

    /// The Job's pods as the Job controller makes them: `wait-for-postgres`, then `migrate`;
    /// a pod that fails with a code the rendered `podFailurePolicy` answers with FailJob ends
    /// the Job, any other failure counts against `backoffLimit` and a new pod follows. Its
    /// back-off (10 s, 20 s, ...) is `afterFailure`, which a test uses to change the world
    /// between two pods.
    func runAsJobController(
        environment: [String: String] = [:], afterFailure: (Int32) async throws -> Void = { _ in }
    ) async throws -> JobOutcome {
        let job = try self.job
        let retries = try #require(job.spec?.backoffLimit, "the Job has a backoffLimit")
        let failJob = job.exitCodes(for: "FailJob", container: "migrate")
        var outcome = JobOutcome()
        while outcome.exitCodes.count <= retries {
            let wait = try await run("wait-for-postgres")
            let exit = wait.exitCode == 0 ? try await run("migrate", environment: environment) : wait
            outcome.exitCodes.append(exit.exitCode)
            outcome.logs += "--- pod \(outcome.exitCodes.count)\n" + wait.output + exit.output
            if exit.exitCode == 0 || failJob.contains(exit.exitCode) { break }
            try await afterFailure(exit.exitCode)
        }
        return outcome
    }
}
