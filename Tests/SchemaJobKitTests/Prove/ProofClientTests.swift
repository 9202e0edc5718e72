import Foundation
import Testing
@testable import SchemaJobKit

/// Which psql and pg_isready a proof starts: Debian's `pg_wrapper` (a Perl script) costs
/// more a start than the client it runs, and `test` starts a few dozen clients.
@Suite struct ProofClientTests {
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
        #expect(ProofServer.findPsql(path: directory.path) == installed + "/psql")
    }

    @Test func aPsqlOnPathThatIsNoWrapperIsTheOneUsed() throws {
        let directory = try Self.path(withPsqlLinkedTo: "psql")
        #expect(ProofServer.findPsql(path: "/nonexistent:" + directory.path) == directory.path + "/psql")
    }

    @Test func theJobsContainersFindTheProofsClientsFirstOnTheirPath() throws {
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database))
        var target = LocalMigration.Target(environment: ["PGHOST": "/tmp"])
        target.clients = "/usr/lib/postgresql/15/bin"
        let pods = try LocalMigration.localPods(rendering, target: target, output: .capture)
        let path = try #require(pods.environmentOverrides["PATH"])
        #expect(path.hasPrefix("/usr/lib/postgresql/15/bin:"), "\(path)")
        let asItIs = try LocalMigration.localPods(
            rendering, target: LocalMigration.Target(environment: ["PGHOST": "/tmp"]), output: .capture)
        #expect(asItIs.environmentOverrides["PATH"] == nil, "apply and verify use this machine's PATH as it is")
    }
}
