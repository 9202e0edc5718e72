import Foundation
import Synchronization

/// A throwaway PostgreSQL server: a data directory in a fresh directory under /tmp, a
/// unix socket there (trust), and, when a password is given, 127.0.0.1 on a free port
/// with password authentication (SCRAM). `schemajob test` starts one when no server is
/// named; the tests' harness starts one for the whole suite. The superuser is `postgres`.
public final class ScratchServer: Sendable {
    public static let superuser = "postgres"
    public let directory: String
    /// The directory holding `initdb`, `postgres`, `pg_isready`, `psql`.
    public let binaries: String
    public let port: Int
    /// The superuser's password, when the server listens on 127.0.0.1.
    public let password: String?
    /// Server settings given at start (`-c name=value`), beside those every scratch server has.
    public let settings: [String: String]
    /// For a standby, the slot on its primary that keeps the WAL it has not received yet.
    private let slot: ReplicationSlot?
    public var socketDirectory: String { directory }
    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }

    /// The child running now: `initdb` while the server is made, then `postgres`.
    private let postmaster = Mutex<(child: Process?, stopped: Bool)>((nil, false))
    /// One `stop` at a time: the caller's and a signal handler's may meet.
    private let stopping = NSLock()
    /// Servers of this process not yet stopped, from the moment their directory exists.
    private static let live = Mutex<[ObjectIdentifier: ScratchServer]>([:])

    /// Stops every server this process started and has not stopped: for a signal
    /// handler, since `initdb` and `postgres` run in process groups of their own.
    public static func stopAll() {
        for server in live.withLock({ Array($0.values) }) { server.stop() }
    }

    private init(
        directory: String, binaries: String, port: Int, password: String?, settings: [String: String],
        slot: ReplicationSlot? = nil
    ) {
        self.directory = directory
        self.binaries = binaries
        self.port = port
        self.password = password
        self.settings = settings
        self.slot = slot
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout) holding `programs`.
    static func newestInstalled(having programs: [String]) -> String? {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        let usable = versions.filter { version in
            programs.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/\($0)") }
        }
        return usable.max(by: { (Double($0) ?? 0) < (Double($1) ?? 0) }).map { "\(base)/\($0)/bin" }
    }

    /// Initialises and starts a server; on any failure nothing is left running or on disk.
    /// As root, `initdb` and `postgres` run as the `postgres` user (they refuse root), in
    /// a directory that user owns. `settings` are set at start, for what only a start can
    /// change (`max_connections`).
    public static func start(
        binaries: String, password: String? = nil, settings: [String: String] = [:]
    ) throws -> ScratchServer {
        try start(binaries: binaries, password: password, settings: settings) { server, owner in
            try server.initialise(owner: owner)
        }
    }

    /// A streaming standby of `primary`: `pg_basebackup --write-recovery-conf` over the
    /// primary's socket (initdb's pg_hba trusts local replication connections, and
    /// wal_level `replica` with max_wal_senders 10 are PostgreSQL's defaults), then a
    /// server of its own, read-only (hot standby), listening like the primary. The tests'
    /// gate waits on one; `stop` stops and removes it like any scratch server.
    /// `port` places it at an address a test chose (a new standby where the old one was).
    ///
    /// The standby streams through a replication slot of its own on the primary
    /// (`--create-slot`, named in the recovery settings `-R` writes), made before the copy
    /// starts: without one, a checkpoint on a busy primary can recycle the WAL between the
    /// copy's end and the standby's first connection, and the standby then asks for it for
    /// ever. `stop` drops the slot while the primary runs.
    public static func startStandby(of primary: ScratchServer, port: Int? = nil) throws -> ScratchServer {
        try start(
            binaries: primary.binaries, password: primary.password, settings: primary.settings, port: port,
            standbyOf: primary
        ) { standby, _ in
            let (executable, prefix) = standby.asServerUser("pg_basebackup")
            let result = try Subprocess.run(executable, prefix + [
                "--pgdata=\(standby.dataDirectory)", "--write-recovery-conf", "--wal-method=stream", "--no-sync",
                "--create-slot", "--slot=\(ReplicationSlot.name(forStandbyOn: standby.port))",
                // A spread checkpoint would wait for the primary's checkpoint_timeout.
                "--checkpoint=fast",
                "--host=\(primary.socketDirectory)", "--port=\(primary.port)", "--username=\(superuser)",
            ])
            guard result.status == 0 else { throw InputError("pg_basebackup", "exited \(result.status): \(result.stderr)") }
        }
    }

    private static func start(
        binaries: String, password: String?, settings: [String: String], port: Int? = nil,
        standbyOf primary: ScratchServer? = nil,
        makeDataDirectory: (ScratchServer, (uid_t, gid_t)?) throws -> Void
    ) throws -> ScratchServer {
        var owner: (uid_t, gid_t)?
        if getuid() == 0 {
            guard let account = getpwnam("postgres") else {
                throw InputError("scratch server", "running as root, and there is no 'postgres' user to run PostgreSQL as")
            }
            owner = (account.pointee.pw_uid, account.pointee.pw_gid)
        }
        // Under /tmp, not $TMPDIR: the server runs as `postgres` and must reach the
        // directory through every parent, which /tmp (mode 1777) always allows.
        var template = Array("/tmp/schemajob-pg.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw InputError("scratch server", "cannot make a directory in /tmp")
        }
        let chosenPort = try port ?? freePort()
        let server = ScratchServer(
            directory: String(cString: made), binaries: binaries, port: chosenPort, password: password,
            settings: settings,
            slot: primary.map { ReplicationSlot(primary: $0, name: ReplicationSlot.name(forStandbyOn: chosenPort)) })
        live.withLock { $0[ObjectIdentifier(server)] = server }
        do {
            if let (uid, gid) = owner, chown(server.directory, uid, gid) != 0 {
                throw InputError(server.directory, "cannot give it to the postgres user")
            }
            guard FileManager.default.createFile(atPath: server.logFile, contents: Data()) else {
                throw InputError(server.logFile, "cannot write")
            }
            try makeDataDirectory(server, owner)
            try server.launchPostmaster()
            try server.waitUntilReady()
        } catch {
            let log = (try? String(contentsOfFile: server.logFile, encoding: .utf8)) ?? ""
            server.stop()
            let detail = log.split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw InputError("scratch server", "\(error)\(detail)")
        }
        return server
    }

    private func initialise(owner: (uid_t, gid_t)?) throws {
        let passwordFile = directory + "/superuser-password"
        guard FileManager.default.createFile(atPath: logFile, contents: Data()) else {
            throw InputError(logFile, "cannot write")
        }
        var arguments = [
            "--pgdata=\(dataDirectory)", "--username=\(Self.superuser)", "--auth-local=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        ]
        if let password {
            guard FileManager.default.createFile(atPath: passwordFile, contents: Data(password.utf8)) else {
                throw InputError(passwordFile, "cannot write")
            }
            arguments += ["--auth-host=scram-sha-256", "--pwfile=\(passwordFile)"]
        }
        if let (uid, gid) = owner {
            for path in [directory, passwordFile, logFile] where FileManager.default.fileExists(atPath: path) {
                guard chown(path, uid, gid) == 0 else { throw InputError(path, "cannot give it to the postgres user") }
            }
        }
        // A child this server holds (not a Subprocess run), so `stop` can end it mid-way.
        let process = Process()
        let (executable, prefix) = asServerUser("initdb")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = prefix + arguments
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try launch(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InputError("initdb", "exited \(process.terminationStatus)")
        }
    }

    /// `postgres` itself, as a child of this process rather than a daemon started by
    /// `pg_ctl`: Foundation learns that a child ended only when every holder of a pipe it
    /// handed the child has closed it, and a daemon would hold it for ever. Its output
    /// goes to a file, never a pipe, for the same reason.
    private func launchPostmaster() throws {
        let process = Process()
        let (executable, prefix) = asServerUser("postgres")
        process.executableURL = URL(fileURLWithPath: executable)
        // Durability is worth nothing in a server that lives for one run.
        process.arguments = prefix + [
            "-D", dataDirectory, "-p", String(port),
            "-c", "listen_addresses=\(password == nil ? "" : "127.0.0.1")",
            "-c", "unix_socket_directories=\(directory)", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ] + settings.sorted { $0.key < $1.key }.flatMap { ["-c", "\($0.key)=\($0.value)"] }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try launch(process)
    }

    /// Starts the child unless `stop` came first (a signal can arrive at any moment).
    private func launch(_ process: Process) throws {
        try postmaster.withLock { state in
            guard !state.stopped else { throw InputError("scratch server", "stopped while starting") }
            try process.run()
            state.child = process
        }
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard postmaster.withLock({ $0.child?.isRunning ?? false }) else {
                throw InputError("postgres", "exited while starting")
            }
            let ready = try Subprocess.run(
                binaries + "/pg_isready", ["--quiet", "--host=\(socketDirectory)", "--port=\(port)"])
            if ready.status == 0 { return }
            usleep(100_000)
        }
        throw InputError("postgres", "did not accept connections within 60 s")
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown, nothing worth keeping) and
    /// removes its directory. Safe to call more than once.
    public func stop() {
        _ = Self.live.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
        let child = postmaster.withLock { state in
            state.stopped = true
            return state.child
        }
        stopping.withLock {
            if let process = child, process.isRunning {
                // The whole process group (Foundation gives each child its own): postgres
                // and its backends quit at once, and so do initdb and the bootstrap
                // server it feeds, which would otherwise write on into a removed directory.
                kill(-process.processIdentifier, SIGQUIT)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
        slot?.drop()
    }

    /// Shuts the server down cleanly (SIGINT: fast shutdown) and keeps its data directory,
    /// so `restarted` can start it again: a server that is down for a while, not gone.
    public func shutDown() {
        let child = postmaster.withLock { $0.child }
        stopping.withLock {
            if let process = child, process.isRunning {
                // The postmaster alone: it ends its backends itself, and writes a shutdown checkpoint.
                kill(process.processIdentifier, SIGINT)
                process.waitUntilExit()
            }
        }
    }

    /// This server's data directory started again, on `port` (by default its own): a
    /// failover moves a promoted standby to the primary's address, which is what clients
    /// and the rendered manifests name. The returned server owns the directory from then
    /// on; this one is stopped and forgets it.
    public func restarted(onPort port: Int? = nil) throws -> ScratchServer {
        shutDown()
        let server = ScratchServer(
            directory: directory, binaries: binaries, port: port ?? self.port, password: password, settings: settings,
            slot: slot)
        _ = Self.live.withLock { live in
            live[ObjectIdentifier(server)] = server
            return live.removeValue(forKey: ObjectIdentifier(self))
        }
        postmaster.withLock { $0.stopped = true }
        do {
            try server.launchPostmaster()
            try server.waitUntilReady()
        } catch {
            server.stop()
            throw InputError("scratch server", "could not start \(directory) again: \(error)")
        }
        return server
    }

    /// Promotes a standby to a primary (`pg_ctl promote`, waiting until it accepts writes).
    public func promote() throws {
        let (executable, prefix) = asServerUser("pg_ctl")
        let result = try Subprocess.run(executable, prefix + ["promote", "--wait", "--pgdata=\(dataDirectory)"])
        guard result.status == 0 else { throw InputError("pg_ctl promote", "exited \(result.status): \(result.stderr)") }
    }

    /// The server's version, as `SHOW server_version` says it.
    public var version: String {
        let result = try? Subprocess.run(
            binaries + "/postgres", ["--version"])
        return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "PostgreSQL"
    }

    /// libpq's variables for a connection to `database` as the superuser, over the socket.
    public func environment(database: String) -> [String: String] {
        ["PGHOST": socketDirectory, "PGPORT": String(port), "PGUSER": Self.superuser, "PGDATABASE": database]
    }

    /// A server binary, run as `postgres` when this process is root, directly otherwise:
    /// the executable and the arguments before its own.
    private func asServerUser(_ tool: String) -> (String, [String]) {
        if getuid() == 0 {
            return ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", binaries + "/" + tool])
        }
        return (binaries + "/" + tool, [])
    }

    /// Whether the postmaster was started and has neither been stopped nor exited.
    fileprivate var isRunning: Bool {
        postmaster.withLock { !$0.stopped && ($0.child?.isRunning ?? false) }
    }

    /// A TCP port nobody listens on right now: bind port 0, read what the kernel chose.
    public static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw InputError("scratch server", "cannot open a socket") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socketDescriptor, address, length) == 0 && getsockname(socketDescriptor, address, &length) == 0
            }
        }
        guard bound else { throw InputError("scratch server", "cannot bind a socket to 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A standby's physical replication slot on its primary.
private struct ReplicationSlot: Sendable {
    let primary: ScratchServer
    let name: String

    /// Ports are unique among the servers running, and so among one primary's standbys.
    static func name(forStandbyOn port: Int) -> String { "schemajob_standby_\(port)" }

    /// Drops the slot, so the primary stops keeping WAL for a standby that is gone. The
    /// primary's sender for it can outlive an immediate shutdown of the standby by a
    /// moment (it is told to end, and the drop is asked again until it has). A primary
    /// that is stopped already takes its slots with it. A slot still there after 10 s is
    /// said on stderr: it would keep WAL on the primary for as long as that runs.
    func drop() {
        let deadline = Date().addingTimeInterval(10)
        while primary.isRunning {
            let result = try? Subprocess.run(primary.binaries + "/psql", [
                "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                "--host=\(primary.socketDirectory)", "--port=\(primary.port)",
                "--username=\(ScratchServer.superuser)", "--dbname=postgres",
                "--command=SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '\(name)' AND active_pid IS NOT NULL",
                "--command=SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '\(name)'",
            ])
            if result?.status == 0 { return }
            if Date() >= deadline {
                let why = result.map { $0.stderr.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "psql did not start"
                FileHandle.standardError.write(Data(
                    "schemajob: replication slot \(name) is still on the server at port \(primary.port) after 10 s (\(why)); it keeps WAL until that server stops\n".utf8))
                return
            }
            usleep(50_000)
        }
    }
}
