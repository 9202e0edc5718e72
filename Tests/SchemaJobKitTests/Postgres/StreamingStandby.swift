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

    /// Waits until the standby has replayed everything the primary has committed so far.
    func catchUp() throws {
        let target = try primary.superuserSQL("SELECT pg_current_wal_insert_lsn()", database: "postgres")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try superuserSQL("SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn") == "t\n" { return }
            usleep(50_000)
        }
        throw HarnessError("the standby did not replay up to \(target) within 60 s")
    }
}
