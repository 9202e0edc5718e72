import Foundation
import SchemaJobKit
import Testing

/// A real streaming standby of the harness's server (`ScratchServer.startStandby`), with
/// what the tests ask of it. Stopped and removed by `stop`.
struct StreamingStandby: Sendable {
    let primary: PostgresServer
    let scratch: ScratchServer
    var port: Int { scratch.port }

    static func start(from primary: PostgresServer) throws -> StreamingStandby {
        StreamingStandby(primary: primary, scratch: try ScratchServer.startStandby(of: primary.scratch))
    }

    func stop() {
        scratch.stop()
    }

    /// SQL as the superuser over the standby's socket.
    @discardableResult
    func superuserSQL(_ sql: String) throws -> String {
        try PostgresServer.run(scratch.binaries + "/psql", [
            "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1",
            "--host=\(scratch.socketDirectory)", "--port=\(port)", "--username=postgres", "--dbname=postgres", "--command=\(sql)",
        ])
    }

    /// Waits until the standby has replayed everything the primary has done so far.
    func catchUp() throws {
        try ReplayCatchUp.wait(
            primary: { try primary.superuserSQL($0, database: "postgres") },
            standby: { try superuserSQL($0) })
    }
}
