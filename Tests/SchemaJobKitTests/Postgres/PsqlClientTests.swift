import Foundation
@testable import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The Job's scripts (migrate.sh and its psql script: `\gexec`, `\ir`, backticks) and
    /// the gate's run under psql 18 in the cluster (the image is PostgreSQL 18) and under
    /// whatever psql `apply` finds on a laptop (Debian's 15). Each container runs here with
    /// one client's bin directory first on PATH, against the suite's server (15 in one pass
    /// of scripts/test, 18 in the other), and the two clients must behave alike.
    @Suite struct PsqlClientTests {
        struct Client: CustomStringConvertible {
            let installation: PostgresInstallation
            var description: String { "psql \(installation.version) (\(installation.binaries))" }
            var path: String { installation.binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") }
        }

        /// Debian's newest client and PostgreSQL 18's (`SCHEMAJOB_PG18_BIN`, from scripts/tools).
        static func clients() throws -> (Client, Client) {
            let debian = try #require(
                ScratchServer.newestInstalled(having: ["psql", "pg_isready"]),
                "Debian's PostgreSQL client under /usr/lib/postgresql/*/bin: apt-get install postgresql (scripts/test does)")
            let pg18 = try #require(
                ProcessInfo.processInfo.environment["SCHEMAJOB_PG18_BIN"],
                "SCHEMAJOB_PG18_BIN: PostgreSQL 18's bin directory; run scripts/tools and source .tools/env (scripts/test does)")
            let older = Client(installation: try PostgresInstallation.at(debian))
            let newer = Client(installation: try PostgresInstallation.at(pg18))
            try #require(newer.installation.major == 18, "SCHEMAJOB_PG18_BIN is \(newer)")
            try #require(older.installation.major < 18, "Debian's client is \(older): the comparison needs an older one")
            return (older, newer)
        }

        /// What one client makes of one database: every container's exit code and log, in
        /// order, and the schema the Job left.
        struct Run: Equatable {
            var steps: [String] = []
            var schema = ""
        }

        static func run(_ client: Client, databaseDirectory: String = Repository.database) async throws -> Run {
            try await run(path: client.path, databaseDirectory: databaseDirectory)
        }

        static func run(path: String, databaseDirectory: String = Repository.database) async throws -> Run {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database, databaseDirectory: databaseDirectory)
            let environment = ["PATH": path]
            var run = Run()
            func record(_ name: String, _ result: ContainerRun.Result) {
                // Another database's Job can outwait the first lock timeout on a shared
                // catalog (LockRetries): the attempt compared is the one that finished.
                // The only words that change from run to run: when the ledger's run finished.
                // The hash differs too: each database's name is a setting, and settings enter it.
                let output = LockRetries(in: result.output).finished.replacingOccurrences(of: #"finished [^)]*\)"#, with: "finished …)", options: .regularExpression)
                    .replacingOccurrences(of: job.plan.hash, with: "<hash>").replacingOccurrences(of: job.plan.shortHash, with: "<hash>")
                    // And each run's volumes are under a temporary root of its own.
                    .replacingOccurrences(of: #"/tmp/schemajob-migrate\.[A-Za-z0-9]+/"#, with: "<root>/", options: .regularExpression)
                run.steps.append("\(name): exit \(result.exitCode)\n\(output)")
            }
            record("wait-for-postgres", try await job.run("wait-for-postgres", environment: environment))
            record("gate before", try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], environment: environment))
            record("migrate", try await job.run("migrate", environment: environment))
            record("migrate again", try await job.run("migrate", environment: environment))
            record("gate after", try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], environment: environment))
            run.schema = try database.schemaDump()
            return run
        }

        static func expectSame(_ older: Run, _ newer: Run, _ clients: (Client, Client)) {
            expectSame(older, newer, names: (clients.0.description, clients.1.description))
        }

        static func expectSame(_ older: Run, _ newer: Run, names clients: (String, String)) {
            for (one, other) in zip(older.steps, newer.steps) where one != other {
                Issue.record("\(clients.0) and \(clients.1) differ on \(PostgresServer.installationDescription):\n--- \(clients.0)\n\(one)\n--- \(clients.1)\n\(other)")
            }
            #expect(older.steps.count == newer.steps.count)
            #expect(older.schema == newer.schema, "\(clients.0) and \(clients.1) leave different schemas on \(PostgresServer.installationDescription)")
        }

        @Test func theJobAndTheGateDoTheSameUnderPsql18AndUnderDebiansOlderPsql() async throws {
            let clients = try Self.clients()
            async let older = Self.run(clients.0)
            async let newer = Self.run(clients.1)
            let (a, b) = try await (older, newer)
            #expect(a.steps[2].hasPrefix("migrate: exit 0\n"), "\(a.steps[2])")
            #expect(b.steps[4].hasPrefix("gate after: exit 0\n"), "\(b.steps[4])")
            Self.expectSame(a, b, clients)
        }

        /// psql 14 and older print only the last result of a query string, so there each
        /// file's announcement stays a query of its own (`VERSION_NUM` below 150000; here
        /// Debian's client told so with `-v`). The log, a failing file's included, and the
        /// schema are the same as where the announcement travels with the statement
        /// before it.
        @Test func whereAnnouncementsGoAsQueriesOfTheirOwnTheJobLogsTheSame() async throws {
            let (debian, _) = try Self.clients()
            let directory = try TemporaryDirectory(prefix: "schemajob-clients")
            try Repository.copy(Repository.database, to: directory.path + "/database")
            // Comment-only, then a failing first statement: its announcement travels with
            // nothing, and no announcement travels after the failure.
            try Data("-- nothing to run yet\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/database/schema/997_empty.sql"))
            try Data("CREATE TABLE IF NOT EXISTS spare (id int PRIMARY KEY);\n".utf8)
                .write(to: URL(fileURLWithPath: directory.path + "/database/schema/998_spare.sql"))
            let broken = directory.path + "/database/schema/999_broken.sql"
            let wrapper = directory.path + "/before-15"
            try FileManager.default.createDirectory(atPath: wrapper, withIntermediateDirectories: false)
            try "#!/bin/sh\nexec '\(debian.installation.binaries)/psql' -v VERSION_NUM=140000 \"$@\"\n"
                .write(toFile: wrapper + "/psql", atomically: true, encoding: .utf8)
            chmod(wrapper + "/psql", 0o755)
            for text in ["SELECT 1;\n", "INSERT INTO spare VALUES ('not a number');\n"] {
                try Data(text.utf8).write(to: URL(fileURLWithPath: broken))
                async let merged = Self.run(debian, databaseDirectory: directory.path + "/database")
                async let apart = Self.run(path: wrapper + ":" + debian.path, databaseDirectory: directory.path + "/database")
                let (a, b) = try await (merged, apart)
                #expect(a.steps[2].contains("  → 997_empty.sql\n  → 998_spare.sql\n  → 999_broken.sql\n"), "\(a.steps[2])")
                Self.expectSame(a, b, names: ("\(debian)", "\(debian) told it is 14"))
            }
        }

        /// A file that fails: the Job's exit code (the podFailurePolicy reads it) and the
        /// error it logs are the same under either client.
        @Test func aFailingFileFailsTheJobAlikeUnderEitherClient() async throws {
            let clients = try Self.clients()
            let directory = try TemporaryDirectory(prefix: "schemajob-clients")
            try Repository.copy(Repository.database, to: directory.path + "/database")
            let broken = directory.path + "/database/schema/999_broken.sql"
            try Data("CREATE TABLE IF NOT EXISTS broken (id int PRIMARY KEY);\nINSERT INTO broken VALUES ('not a number');\n".utf8)
                .write(to: URL(fileURLWithPath: broken))
            async let older = Self.run(clients.0, databaseDirectory: directory.path + "/database")
            async let newer = Self.run(clients.1, databaseDirectory: directory.path + "/database")
            let (a, b) = try await (older, newer)
            #expect(!a.steps[2].hasPrefix("migrate: exit 0\n"), "the broken file fails the Job: \(a.steps[2])")
            #expect(a.steps[2].contains("invalid input syntax for type integer"), "\(a.steps[2])")
            Self.expectSame(a, b, clients)
        }
    }
}
