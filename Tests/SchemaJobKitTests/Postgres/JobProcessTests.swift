import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// Which psql sessions the Job's migrate container starts: each is a process start
    /// (Debian's psql is a Perl wrapper) and a connection, so a run starts only those its
    /// work needs.
    @Suite struct JobProcessTests {
        @Test func aFreshRunStartsItsSessionAndThenTheLockWatcherAndAnUpToDateRunItsSessionAlone() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            let starts = try PsqlStarts()

            let fresh = try await job.run("migrate", environment: starts.environment)
            #expect(fresh.exitCode == 0, "\(fresh.output)")
            // Each attempt starts its own pair; one more only if another database's Job
            // outwaited the first lock timeout (LockRetries).
            let attempts = LockRetries(in: fresh.output).count + 1
            #expect(try starts.scripts() == Array(repeating: ["migration.psql", "lock-waits.psql"], count: attempts).flatMap { $0 },
                    "no standby check of its own, and the watcher only once the ledger says there is work")

            let again = try await job.run("migrate", environment: starts.environment)
            #expect(again.exitCode == 0, "\(again.output)")
            #expect(again.output.contains("Schema \(job.plan.shortHash) is already applied"), "\(again.output)")
            #expect(try starts.scripts() == ["migration.psql"], "an up-to-date run starts no lock watcher")
        }

        @Test func withReadHostsThePrimaryIsNamedByAQueryOfItsOwnBeforeTheSession() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            // A read host nothing listens on: the check before the run skips it, and the
            // wait after the commit gives up on it at once.
            let port = try PostgresServer.freePort()
            let job = try RenderedForTest(database, settings: ["gate.readHosts=127.0.0.1:\(port)", "job.standbyWaitSeconds=0"])
            let starts = try PsqlStarts()
            let run = try await job.run("migrate", environment: starts.environment)
            #expect(run.output.contains("Migration completed successfully!"), "\(run.output)")
            #expect(try starts.scripts().prefix(4) == ["server-role.psql", "server-role.psql", "migration.psql", "lock-waits.psql"],
                    "the primary's identity, then the read host's, before the session")
        }
    }
}

/// A `psql` first on the Job's PATH that notes which script each start runs (the `.psql`
/// argument's name; "-" for none), then runs the real psql in its place (`exec`: the same
/// process, so the Job can still end the one it started). `slowScript`'s starts first
/// sleep half a second, as a start on a loaded machine can take. With `asDebiansWrapper`
/// the script is `pg_wrapper` and `psql` a link to it, as Debian installs its wrapper.
final class PsqlStarts: Sendable {
    let directory: TemporaryDirectory
    let environment: [String: String]

    init(slowScript: String = "", asDebiansWrapper: Bool = false) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let real = path.split(separator: ":").map({ "\($0)/psql" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HarnessError("no psql on PATH: install PostgreSQL's client")
        }
        directory = try TemporaryDirectory(prefix: "schemajob-psql-starts")
        let script = """
            #!/bin/sh
            script=-
            for argument in "$@"; do case $argument in *.psql) script=${argument##*/} ;; esac; done
            echo "$script" >>'\(directory.path)/starts'
            [ "$script" = '\(slowScript)' ] && sleep 0.5
            exec '\(real)' "$@"

            """
        let name = asDebiansWrapper ? "pg_wrapper" : "psql"
        try script.write(toFile: directory.path + "/" + name, atomically: true, encoding: .utf8)
        chmod(directory.path + "/" + name, 0o755)
        if asDebiansWrapper {
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/psql", withDestinationPath: name)
        }
        environment = ["PATH": directory.path + ":" + path]
    }

    /// The scripts of the starts since the last call, in order.
    func scripts() throws -> [String] {
        let file = directory.path + "/starts"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        try FileManager.default.removeItem(atPath: file)
        return text.split(separator: "\n").map(String.init)
    }
}
