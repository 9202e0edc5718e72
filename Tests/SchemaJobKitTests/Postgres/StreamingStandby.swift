import Foundation
import SchemaJobKit
import Testing

/// A real streaming standby of the harness's server: `pg_basebackup -R` over the primary's
/// unix socket (its pg_hba trusts local replication connections; wal_level `replica` and
/// max_wal_senders 10 are PostgreSQL's defaults, so the primary needs no change), then a
/// second `postgres` on its own loopback port and socket. Stopped and removed by `stop`.
final class StreamingStandby: Sendable {
    let primary: PostgresServer
    let directory: String
    let port: Int
    private let process: Process
    var dataDirectory: String { directory + "/data" }

    private init(primary: PostgresServer, directory: String, port: Int, process: Process) {
        self.primary = primary
        self.directory = directory
        self.port = port
        self.process = process
    }

    static func start(from primary: PostgresServer) throws -> StreamingStandby {
        var template = Array("/tmp/schemajob-standby.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("cannot make a directory in /tmp") }
        let directory = String(cString: made)
        if getuid() == 0, let account = getpwnam("postgres") {
            chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        let port = try PostgresServer.freePort()
        do {
            try PostgresServer.run(asServerUser("pg_basebackup", primary), [
                "--pgdata=\(directory)/data", "--write-recovery-conf", "--wal-method=stream", "--no-sync",
                // A spread checkpoint would take minutes of the primary's checkpoint_timeout.
                "--checkpoint=fast",
                "--host=\(primary.socketDirectory)", "--port=\(primary.port)", "--username=postgres",
            ])
            let process = Process()
            let (executable, prefix) = asServerUser("postgres", primary)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = prefix + [
                "-D", directory + "/data", "-p", String(port), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=\(directory)", "-c", "hot_standby=on", "-c", "fsync=off",
            ]
            let log = FileManager.default.createFile(atPath: directory + "/standby.log", contents: nil)
                ? try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/standby.log")) : FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let standby = StreamingStandby(primary: primary, directory: directory, port: port, process: process)
            do {
                try standby.waitUntilReady()
            } catch {
                standby.stop()
                throw error
            }
            return standby
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the standby at once (SIGQUIT to its process group) and removes its directory.
    func stop() {
        if process.isRunning {
            kill(-process.processIdentifier, SIGQUIT)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// SQL as the superuser over the standby's socket.
    @discardableResult
    func superuserSQL(_ sql: String, database: String = "postgres") throws -> String {
        try PostgresServer.run(primary.binaries + "/psql", [
            "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1",
            "--host=\(directory)", "--port=\(port)", "--username=postgres", "--dbname=\(database)", "--command=\(sql)",
        ])
    }

    /// Waits until the standby has replayed everything the primary has committed so far.
    func catchUp() throws {
        let target = try primary.superuserSQL("SELECT pg_current_wal_lsn()", database: "postgres")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try superuserSQL("SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn") == "t\n" { return }
            usleep(50_000)
        }
        throw HarnessError("the standby did not replay up to \(target) within 30 s")
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: directory + "/standby.log", encoding: .utf8)) ?? ""
                throw HarnessError("the standby exited while starting: \(log.suffix(500))")
            }
            let ready = try Subprocess.run(primary.binaries + "/pg_isready", ["--quiet", "--host=\(directory)", "--port=\(port)"])
            if ready.status == 0 { return }
            usleep(100_000)
        }
        throw HarnessError("the standby did not accept connections within 60 s")
    }

    /// A server binary, as `postgres` when this process is root (the server refuses root).
    private static func asServerUser(_ tool: String, _ primary: PostgresServer) -> (String, [String]) {
        if getuid() == 0 {
            return ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", primary.binaries + "/" + tool])
        }
        return (primary.binaries + "/" + tool, [])
    }
}
