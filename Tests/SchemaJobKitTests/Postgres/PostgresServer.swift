import Foundation
@testable import SchemaJobKit
import Testing

/// A throwaway PostgreSQL server for the tests (Debian's `postgresql` package, or the
/// installation `SCHEMAJOB_TEST_POSTGRES_BIN` names for the whole test process), started
/// by the library's `ScratchServer` (the one `schemajob test` starts): a data directory
/// in a fresh temporary directory, a unix socket there for the tests' own queries
/// (trust), and 127.0.0.1 on a free port with password authentication (SCRAM) for the
/// scripts under test, so the Secret-file path carries a real password.
/// A missing server is a test failure, never a skipped test.
final class PostgresServer: Sendable, CustomStringConvertible {
    /// The role the migration connects as: a plain login role that owns each test
    /// database, as the platform's `gpudev` owns its database.
    static let role = "gpudev"
    let scratch: ScratchServer
    let password: String
    var directory: String { scratch.directory }
    var binaries: String { scratch.binaries }
    var port: Int { scratch.port }
    var socketDirectory: String { scratch.socketDirectory }
    var dataDirectory: String { scratch.dataDirectory }

    @TaskLocal static var current: PostgresServer?

    /// `PostgreSQL 18.6 (/…/bin)`: which major a failure happened on.
    var description: String { Self.installationDescription }

    private init(scratch: ScratchServer, password: String) {
        self.scratch = scratch
        self.password = password
    }

    /// Initialises and starts a server; on any failure nothing is left running or on disk.
    /// `settings` for a test that needs a server of its own (a small `max_connections`).
    static func start(settings: [String: String] = [:]) throws -> PostgresServer {
        let binaries = try serverBinaries()
        guard getuid() != 0 || getpwnam("postgres") != nil else {
            throw HarnessError("no 'postgres' user on this machine: install Debian's postgresql package (scripts/test does)")
        }
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let scratch: ScratchServer
        do {
            scratch = try ScratchServer.start(binaries: binaries, password: password, settings: settings)
        } catch {
            throw HarnessError("\(installationDescription): \(error)")
        }
        let server = PostgresServer(scratch: scratch, password: password)
        do {
            try server.superuserSQL("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'", database: "postgres")
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown) and removes its directory.
    func stop() {
        scratch.stop()
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
        _ = try psql(file: Repository.templates + "/prove/pgmq-stand-in.sql", database: name, user: Self.role)
        return database
    }

    /// Runs SQL as the superuser over the socket; returns unaligned, tuples-only output.
    @discardableResult
    func superuserSQL(_ sql: String, database: String) throws -> String {
        try psql(command: sql, database: database, user: "postgres")
    }

    func psql(command: String? = nil, file: String? = nil, database: String, user: String) throws -> String {
        var arguments = Psql.flags + [
            "--host=\(socketDirectory)", "--port=\(port)", "--username=\(user)", "--dbname=\(database)",
        ]
        if let command { arguments.append("--command=\(command)") }
        if let file { arguments.append("--file=\(file)") }
        return try Self.run(binaries + "/psql", arguments)
    }

    /// The installation every server of this test process runs: the bin directory
    /// `SCHEMAJOB_TEST_POSTGRES_BIN` names (scripts/test runs the suite once per major
    /// this way), else the newest `/usr/lib/postgresql/<version>/bin`. Read once.
    static let installation: Result<PostgresInstallation, HarnessError> = {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["SCHEMAJOB_TEST_POSTGRES_BIN"], !chosen.isEmpty {
            do {
                let installation = try PostgresInstallation.at(chosen)
                // The Job's containers and schemajob itself take psql and pg_dump from PATH:
                // a pass on one major runs that major's clients too, or it tests a mixture.
                let firstPsql = Psql.find(path: environment["PATH"]).map { URL(fileURLWithPath: $0.executable).resolvingSymlinksInPath().deletingLastPathComponent().path }
                guard firstPsql == installation.binaries else {
                    return .failure(HarnessError("SCHEMAJOB_TEST_POSTGRES_BIN=\(chosen) (PostgreSQL \(installation.version)) but the first psql on PATH is in \(firstPsql ?? "no directory"): put \(chosen) first on PATH as well (scripts/test does)"))
                }
                return .success(installation)
            } catch {
                return .failure(HarnessError("SCHEMAJOB_TEST_POSTGRES_BIN: \(error)"))
            }
        }
        guard let binaries = ScratchServer.newestInstalled(having: ["initdb"]),
              let installation = try? PostgresInstallation.at(binaries) else {
            return .failure(HarnessError(
                "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): install Debian's postgresql package (apt-get install postgresql, or run scripts/test), or name a bin directory in SCHEMAJOB_TEST_POSTGRES_BIN"))
        }
        return .success(installation)
    }()

    static var installationDescription: String {
        switch installation {
        case .success(let installation): installation.description
        case .failure: "PostgreSQL (not found)"
        }
    }

    /// The bin directory of `installation`, or the failure that names what to install.
    static func serverBinaries() throws -> String {
        try installation.get().binaries
    }

    /// The major of every server this process starts.
    static var major: Int {
        get throws { try installation.get().major }
    }

    /// A TCP port nobody listens on right now.
    static func freePort() throws -> Int {
        try ScratchServer.freePort()
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
        // Said once per suite, so a failure in a log is next to the major it ran on.
        FileHandle.standardError.write(Data("\(test.name): \(server) on port \(server.port)\n".utf8))
        do {
            try await PostgresServer.$current.withValue(server) {
                try await function()
            }
        } catch {
            throw HarnessError("on \(server): \(error)")
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
