import Foundation
import Testing
@testable import SchemaJobKit

/// Which psql schemajob starts for its own sessions: Debian's `pg_wrapper` (a Perl
/// script) costs more a start than the client it runs, and `test` starts a few dozen.
@Suite struct PsqlTests {
    /// A directory holding `psql` as a link to a program named `name`, as on Debian.
    static func path(withPsqlLinkedTo name: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "schemajob-client")
        let program = directory.path + "/" + name
        #expect(FileManager.default.createFile(atPath: program, contents: Data("#!/bin/sh\n".utf8),
                                               attributes: [.posixPermissions: 0o755]))
        if name != "psql" {
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/psql", withDestinationPath: program)
        }
        return directory
    }

    @Test func aPsqlOnPathThatIsDebiansWrapperGivesWayToTheNewestInstalledClient() throws {
        let installed = try #require(
            ScratchServer.newestInstalled(having: ["psql", "pg_isready"]), "PostgreSQL's client under /usr/lib/postgresql")
        let directory = try Self.path(withPsqlLinkedTo: "pg_wrapper")
        #expect(Psql.find(path: directory.path)?.executable == installed + "/psql")
    }

    @Test func aPsqlOnPathThatIsNoWrapperIsTheOneUsed() throws {
        let directory = try Self.path(withPsqlLinkedTo: "psql")
        #expect(Psql.find(path: "/nonexistent:" + directory.path)?.executable == directory.path + "/psql")
    }

    @Test func aSessionThatCannotConnectIsTheCallersCannotConnectError() throws {
        let psql = try #require(Psql.find(path: ""), "PostgreSQL's client under /usr/lib/postgresql")
        let nobody = ["PGHOST": "127.0.0.1", "PGPORT": String(try ScratchServer.freePort()), "PGCONNECT_TIMEOUT": "2"]
        #expect {
            try psql.read(.command("SELECT 1"), environment: nobody, place: "here", cannotConnect: "no server", failed: "broke")
        } throws: { error in
            (error as? InputError)?.diagnosticLine.hasPrefix("here: error: no server: connection to server at \"127.0.0.1\"") == true
        }
    }
}

extension AgainstPostgreSQL {
    /// The runner against the tests' server: one session, the script and its files
    /// written to a directory that is gone when psql has ended.
    @Suite struct PsqlSessionTests {
        static func environment(_ database: TestDatabase) -> [String: String] {
            ["PGHOST": database.server.socketDirectory, "PGPORT": String(database.server.port),
             "PGUSER": "postgres", "PGDATABASE": database.name]
        }

        @Test func aScriptsFilesAreWrittenBesideItAndNamedByTheFilesVariable() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let psql = Psql(executable: database.server.binaries + "/psql")
            let result = try psql.run(
                .script("\\i :files/part/one.sql\n", files: ["part/one.sql": Array("SELECT 'from the file';\n".utf8)]),
                environment: Self.environment(database))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "from the file\n")
        }

        @Test func aFailingStatementStopsTheSessionAndIsTheFailedError() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let psql = Psql(executable: database.server.binaries + "/psql")
            #expect {
                try psql.read(.script("SELECT 1/0;\nSELECT 'not reached';\n"), environment: Self.environment(database),
                              place: "here", cannotConnect: "no server", failed: "broke")
            } throws: { error in
                (error as? InputError)?.message.hasPrefix("broke: psql:") == true
                    && (error as? InputError)?.message.contains("division by zero") == true
            }
        }
    }
}
