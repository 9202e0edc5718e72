import Foundation
import Synchronization
import Testing

/// A throwaway PostgreSQL server (Debian's `postgresql` package) for the tests: a data
/// directory in a fresh temporary directory, a unix socket there for the tests' own
/// queries (trust), and 127.0.0.1 on a free port with password authentication (SCRAM)
/// for the scripts under test, so the Secret-file path carries a real password.
/// A missing server is a test failure, never a skipped test.
final class PostgresServer: Sendable {
    /// The role the migration connects as: a plain login role that owns each test
    /// database, as the platform's `gpudev` owns its database.
    static let role = "gpudev"
    let password = "pw-\(UUID().uuidString.prefix(8))"
    let directory: String
    let binaries: String
    let port: Int
    var socketDirectory: String { directory }
    var dataDirectory: String { directory + "/data" }

    private let postmaster = Mutex<Process?>(nil)

    @TaskLocal static var current: PostgresServer?

    private init(directory: String, binaries: String, port: Int) {
        self.directory = directory
        self.binaries = binaries
        self.port = port
    }

    /// Initialises and starts a server; on any failure nothing is left running or on disk.
    static func start() throws -> PostgresServer {
        let binaries = try serverBinaries()
        guard let account = getpwnam("postgres") else {
            throw HarnessError("no 'postgres' user on this machine: install Debian's postgresql package (scripts/test does)")
        }
        let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
        // Under /tmp, not $TMPDIR: the server runs as `postgres` and must reach the
        // directory through every parent, which /tmp (mode 1777) always allows.
        var template = Array("/tmp/schemajob-pg.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("cannot make a temporary directory in /tmp") }
        let directory = String(cString: made)
        let server = PostgresServer(directory: directory, binaries: binaries, port: try freePort())
        do {
            let passwordFile = directory + "/superuser-password"
            let logFile = directory + "/server.log"
            for file in [passwordFile, logFile] {
                let contents = file == passwordFile ? Data(server.password.utf8) : Data()
                guard FileManager.default.createFile(atPath: file, contents: contents) else {
                    throw HarnessError("cannot write \(file)")
                }
            }
            if getuid() == 0 {
                guard chown(directory, uid, gid) == 0, chown(passwordFile, uid, gid) == 0 else {
                    throw HarnessError("cannot give \(directory) to the postgres user")
                }
            }
            try PostgresServer.run(
                server.asServerUser("initdb"),
                ["--pgdata=\(server.dataDirectory)", "--username=postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "--pwfile=\(passwordFile)", "--encoding=UTF8", "--locale=C", "--no-sync"])
            try server.postmaster.withLock { postmaster in
                postmaster = try server.launchPostmaster(log: logFile)
            }
            try server.waitUntilReady()
            try server.superuserSQL(
                "CREATE ROLE \(role) LOGIN PASSWORD '\(server.password)'", database: "postgres")
        } catch {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            server.stop()
            throw HarnessError("\(error)\(log.isEmpty ? "" : "\nserver log:\n" + log)")
        }
        return server
    }

    /// `postgres` itself, as a child of the test process rather than a daemon started
    /// by `pg_ctl`: Foundation learns that a child ended when every holder of a socket
    /// it hands the child has closed it, and a daemon would hold it for ever, so
    /// `pg_ctl start` never looks finished.
    private func launchPostmaster(log: String) throws -> Process {
        let process = Process()
        let (executable, prefix) = asServerUser("postgres")
        process.executableURL = URL(fileURLWithPath: executable)
        // Durability is worth nothing in a server that lives for one test run.
        process.arguments = prefix + [
            "-D", dataDirectory, "-p", String(port), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=\(directory)", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        return process
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let running = postmaster.withLock { $0?.isRunning ?? false }
            guard running else { throw HarnessError("postgres exited while starting") }
            let ready = try? PostgresServer.run(
                binaries + "/pg_isready", ["--quiet", "--host=\(socketDirectory)", "--port=\(port)"])
            if ready != nil { return }
            usleep(100_000)
        }
        throw HarnessError("postgres did not accept connections within 60 s")
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown) and removes its directory.
    func stop() {
        if let process = postmaster.withLock({ $0 }), process.isRunning {
            kill(process.processIdentifier, SIGQUIT)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database owned by `role`, with the pgmq stand-in installed.
    func createDatabase() throws -> TestDatabase {
        let name = "test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try superuserSQL("CREATE DATABASE \(name) OWNER \(Self.role)", database: "postgres")
        let database = TestDatabase(server: self, name: name)
        // Debian has no pgmq package; 007_pgmq_queues.sql calls pgmq.create and
        // pgmq.list_queues, so a stand-in with those two functions is installed (by the
        // database's owner, like everything else here). The real pgmq extension comes
        // with the database image (ghcr.io/pgmq/pg18-pgmq).
        _ = try psql(file: Repository.fixtures + "/pgmq_stub.sql", database: name, user: Self.role)
        return database
    }

    /// Runs SQL as the superuser over the socket; returns unaligned, tuples-only output.
    @discardableResult
    func superuserSQL(_ sql: String, database: String) throws -> String {
        try psql(command: sql, database: database, user: "postgres")
    }

    func psql(command: String? = nil, file: String? = nil, database: String, user: String) throws -> String {
        var arguments = [
            "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1",
            "--host=\(socketDirectory)", "--port=\(port)", "--username=\(user)", "--dbname=\(database)",
        ]
        if let command { arguments.append("--command=\(command)") }
        if let file { arguments.append("--file=\(file)") }
        return try Self.run(binaries + "/psql", arguments)
    }

    /// A server binary, run as `postgres` when the tests run as root (the server refuses
    /// to run as root), directly otherwise: the executable and the arguments before its own.
    private func asServerUser(_ tool: String) -> (String, [String]) {
        if getuid() == 0 {
            return ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", binaries + "/" + tool])
        }
        return (binaries + "/" + tool, [])
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb`.
    static func serverBinaries() throws -> String {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        let usable = versions.filter { FileManager.default.isExecutableFile(atPath: "\(base)/\($0)/bin/initdb") }
        guard let newest = usable.max(by: { (Double($0) ?? 0) < (Double($1) ?? 0) }) else {
            throw HarnessError(
                "PostgreSQL server binaries not found (\(base)/*/bin/initdb): install Debian's postgresql package (apt-get install postgresql, or run scripts/test)")
        }
        return "\(base)/\(newest)/bin"
    }

    /// A TCP port nobody listens on right now: bind port 0, read what the kernel chose.
    static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw HarnessError("cannot open a socket") }
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
        guard bound else { throw HarnessError("cannot bind a socket to 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a tool to its end; its standard output, or an error carrying its output and errors.
    @discardableResult
    static func run(_ command: (String, [String]), _ arguments: [String]) throws -> String {
        try run(command.0, command.1 + arguments)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try SchemaJobExecutable.runProgram(executable, arguments)
        guard result.status == 0 else {
            let command = ([executable] + arguments).joined(separator: " ")
            throw HarnessError("\(command) exited \(result.status):\n\(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }
}

/// One test's own database on the shared server.
struct TestDatabase: Sendable {
    let server: PostgresServer
    let name: String

    /// Runs SQL as the superuser; the unaligned, tuples-only result.
    @discardableResult
    func sql(_ sql: String) throws -> String {
        try server.superuserSQL(sql, database: name)
    }

    /// The rows of a query, each split on `|`.
    func rows(_ query: String) throws -> [[String]] {
        try sql(query).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// `pg_dump --schema-only`: the whole schema as text, for before/after comparisons.
    func schemaDump() throws -> String {
        try dump("--schema-only")
    }

    /// Every row of every table outside the system schemas, as text: with `schemaDump`,
    /// the whole database, so "unchanged" can be checked exactly.
    func dataDump() throws -> String {
        try dump("--data-only")
    }

    private func dump(_ part: String) throws -> String {
        let text = try PostgresServer.run(
            server.binaries + "/pg_dump",
            [part, "--host=\(server.socketDirectory)", "--port=\(server.port)", "--username=postgres", name])
        // pg_dump (15.14 and later) fences its output with \restrict and a random key.
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict ") && !$0.hasPrefix("\\unrestrict ") }
            .joined(separator: "\n")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts one server around the suite it marks and everything nested in it, and stops
/// and removes it afterwards, also when tests fail. Tests reach it as `PostgresServer.current`.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await PostgresServer.$current.withValue(server) {
            try await function()
        }
    }
}

extension Trait where Self == PostgresServerTrait {
    static var postgresServer: Self { Self() }
}

/// Runs blocking work (a container run, which waits for its process) on a thread of its
/// own, so tests that run containers side by side never starve Swift's small thread pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
