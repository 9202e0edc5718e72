import Foundation
@testable import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `drift` and `plan` build their fresh install on a scratch server of the live
    /// server's major, chosen among the installations at hand (PATH, Debian's
    /// /usr/lib/postgresql/*/bin, --postgres-bin), and say which; another major only
    /// when told. The live server is the suite's (15 in one pass, 18 in the other).
    @Suite struct ScratchVersionTests {
        typealias Drift = DriftCommandTests

        /// The suite's major and another one at hand: PostgreSQL 18 (SCHEMAJOB_PG18_BIN) when
        /// the suite runs an older one, else Debian's.
        static func majors() throws -> (live: PostgresInstallation, other: PostgresInstallation) {
            let live = try PostgresServer.installation.get()
            let pg18 = try #require(
                ProcessInfo.processInfo.environment["SCHEMAJOB_PG18_BIN"],
                "SCHEMAJOB_PG18_BIN: PostgreSQL 18's bin directory; run scripts/tools and source .tools/env (scripts/test does)")
            let debian = try #require(ScratchServer.newestInstalled(having: ["initdb"]), "Debian's postgresql package")
            let other = try PostgresInstallation.at(live.major == 18 ? debian : pg18)
            try #require(other.major != live.major, "two majors at hand: \(live) and \(other)")
            return (live, other)
        }

        /// Both majors on PATH, the other one first: only matching picks the live one.
        static func environment(_ majors: (live: PostgresInstallation, other: PostgresInstallation)) -> [String: String] {
            ["PATH": "\(majors.other.binaries):\(majors.live.binaries):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        }

        @Test func driftStartsItsScratchServerOnTheLiveServersMajorAndSaysWhich() throws {
            let majors = try Self.majors()
            let database = try Drift.deployed()
            let result = try SchemaJobExecutable.run(
                ["drift", "--database", Drift.platform + "/database", "--dsn", Drift.dsn(database)], environment: Self.environment(majors))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("drift: started postgres \(majors.live.version) for this run (the live server's major; \(majors.live.binaries)"), "\(result.stderr)")
            #expect(!result.stderr.contains("warning"), "\(result.stderr)")
        }

        @Test func anotherMajorIsOneLineExitTwoUnlessAllowedThenAWarning() throws {
            let majors = try Self.majors()
            let database = try Drift.deployed()
            let arguments = ["drift", "--database", Drift.platform + "/database", "--dsn", Drift.dsn(database), "--postgres-bin", majors.other.binaries]
            let refused = try SchemaJobExecutable.run(arguments, environment: Self.environment(majors))
            #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").last.map(String.init) == "drift: error: the live server is PostgreSQL \(majors.live.major) and no PostgreSQL \(majors.live.major) is at hand (found \(majors.other.version) (\(majors.other.binaries))): install PostgreSQL \(majors.live.major) and give --postgres-bin DIR, or pass --allow-version-mismatch to prove on another major", "\(refused.stderr)")
            #expect(!refused.stderr.contains("started"), "nothing started: \(refused.stderr)")
            #expect(refused.stdout.isEmpty)

            let allowed = try SchemaJobExecutable.run(arguments + ["--allow-version-mismatch"], environment: Self.environment(majors))
            #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
            #expect(allowed.stderr.contains("drift: started postgres \(majors.other.version) for this run (another major than the live server's;"), "\(allowed.stderr)")
            #expect(allowed.stderr.contains("drift: warning: the live server is PostgreSQL \(majors.live.major) but the scratch server is PostgreSQL \(majors.other.version) (--allow-version-mismatch)"), "\(allowed.stderr)")
        }

        @Test func aScratchDSNOfAnotherMajorIsRefusedToo() throws {
            let majors = try Self.majors()
            let other = try ScratchServer.start(binaries: majors.other.binaries, password: "pw-other")
            defer { other.stop() }
            let database = try Drift.deployed()
            let result = try SchemaJobExecutable.run(
                ["drift", "--database", Drift.platform + "/database", "--dsn", Drift.dsn(database),
                 "--scratch-dsn", "postgresql://postgres:pw-other@127.0.0.1:\(other.port)/postgres"],
                environment: Self.environment(majors))
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
            #expect(errors.count == 1, "\(result.stderr)")
            #expect(errors.first?.hasPrefix("--scratch-dsn: error: the scratch server is PostgreSQL \(majors.other.major) but the live server is PostgreSQL \(majors.live.major): ") == true, "\(result.stderr)")
        }

        @Test func planCopiesWithAPgDumpOfTheServersMajorOrNewerAndSaysWhich() throws {
            let majors = try Self.majors()
            let database = try Drift.deployed()
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            try Data("CREATE TABLE IF NOT EXISTS plan_marker (id int PRIMARY KEY);\n".utf8)
                .write(to: URL(fileURLWithPath: files + "/schema/099_plan_marker.sql"))
            let result = try SchemaJobExecutable.run(
                ["plan", "--database", files, "--dsn", Drift.dsn(database)], environment: Self.environment(majors))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            // The other major is either newer (a nearer one exists: the live one) or older (too old).
            let expected = majors.live
            #expect(result.stderr.contains("plan: pg_dump \(expected.version) (\(expected.binaries)/pg_dump) copies the live schema (PostgreSQL \(majors.live.major))"), "the oldest pg_dump not older than the server: \(result.stderr)")
            #expect(result.stderr.contains("plan: started postgres \(majors.live.version)"), "\(result.stderr)")
        }
    }
}

/// Bad input for the scratch server's PostgreSQL: one line naming the path or the
/// version, exit 2, nothing written.
@Suite struct PostgresBinBadInputTests {
    @Test func aPostgresBinWithoutPostgresInItIsOneLineNamingTheDirectory() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-no-postgres")
        let result = try SchemaJobExecutable.run(["test", "--postgres-bin", directory.path])
        #expect(result.status == 2)
        #expect(result.stderr == "\(directory.path): error: no postgres here: give the bin directory of a PostgreSQL installation (one holding postgres, initdb, pg_isready and psql)\n", "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// No PostgreSQL 14 is installed here; a directory whose programs say 14.12 stands for
    /// one, and the refusal comes before anything is started.
    @Test func aPostgresBinOlderThan15IsOneLineNamingItsVersion() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-postgres-14")
        for program in ["postgres", "initdb", "pg_isready", "psql"] {
            let path = directory.path + "/" + program
            try Data("#!/bin/sh\necho '\(program) (PostgreSQL) 14.12'\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
        }
        let fixFile = directory.path + "/fix.sql"
        let result = try SchemaJobExecutable.run(["test", "--postgres-bin", directory.path, "--from", Repository.database, "--fix-file", fixFile])
        #expect(result.status == 2)
        #expect(result.stderr == "\(directory.path): error: PostgreSQL 14.12 is older than 15, the oldest major schemajob supports\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixFile), "nothing written")
    }
}
