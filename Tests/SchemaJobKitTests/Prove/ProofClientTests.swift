import Foundation
import Testing
@testable import SchemaJobKit

/// Which psql and pg_isready the Job's containers start in a proof: the ones beside the
/// proof's own psql (`PsqlTests` has how that one is found).
@Suite struct ProofClientTests {
    @Test func theJobsContainersFindTheProofsClientsFirstOnTheirPath() throws {
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database))
        var target = Connection(environment: ["PGHOST": "/tmp"])
        target.clients = "/usr/lib/postgresql/15/bin"
        let pods = try LocalMigration.localPods(rendering, target: target, output: .capture)
        let path = try #require(pods.environmentOverrides["PATH"])
        #expect(path.hasPrefix("/usr/lib/postgresql/15/bin:"), "\(path)")
        let asItIs = try LocalMigration.localPods(
            rendering, target: Connection(environment: ["PGHOST": "/tmp"]), output: .capture)
        #expect(asItIs.environmentOverrides["PATH"] == nil, "apply and verify use this machine's PATH as it is")
    }
}
