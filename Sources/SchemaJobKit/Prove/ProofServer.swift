import Foundation
import Synchronization

/// The PostgreSQL server a proof runs on, and its scratch databases: the server the
/// caller names (`--dsn`, or libpq's `PG*` variables), or one started for this run.
/// It only ever creates and drops databases named `schemajob_test_<random>`; the
/// database the caller's connection names is connected to (to create them) and
/// nothing more. On a server started here, the set runs as `run`'s own role, which
/// owns each scratch database and is no superuser: PostgreSQL itself then refuses
/// server files, programs and untrusted languages that a lint rule might miss
/// (docs/security.md). The setup SQL (extensions) still runs as the superuser.
public final class ProofServer: @unchecked Sendable {
    public static let databasePrefix = "schemajob_test_"

    enum Place {
        /// libpq's variables for the server (a `--dsn` already taken apart into them).
        case named(environment: [String: String])
        case started(ScratchServer)
    }

    let place: Place
    let psql: Psql
    /// The caller's environment without libpq's variables: what every psql here starts from.
    let baseEnvironment: [String: String]
    private var created: [String] = []
    /// Every scratch database of this run is `schemajob_test_<run>_<n>`.
    public let run = UUID().uuidString.prefix(8).lowercased()
    private let lock = NSLock()

    /// One line for stderr: which server this is.
    public let description: String
    /// Limits every scratch database gets.
    public var bounds = ScratchBounds()

    /// The server's clock when it was opened: when the proof began.
    private(set) var openedAt = ""
    /// Whether the server can install the pgmq extension.
    private(set) var hasPgmq = false
    /// The server's `server_version_num` (180006 for 18.6).
    public private(set) var versionNumber = 0
    public var major: Int { versionNumber / 10000 }
    /// Said on stderr on every run when the server's major is not the live server's
    /// (`--allow-version-mismatch`); nil when they match.
    public private(set) var warning: String?
    /// The installation a server started here runs; nil on a named server.
    public private(set) var installation: PostgresInstallation?

    /// What the proof needs to know of the server, asked in the query that first reaches
    /// it: a client process costs more than the query, and these were four.
    static let openingQuery = "SELECT clock_timestamp(), current_setting('server_version_num'), EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pgmq')"

    private func read(opening output: String) {
        let fields = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
        openedAt = fields.first.map(String.init) ?? ""
        versionNumber = fields.count > 2 ? Int(fields[fields.count - 2]) ?? 0 : 0
        hasPgmq = fields.last == "t"
    }

    /// Which scratch server may serve: `choice` (`--postgres-bin`,
    /// `--allow-version-mismatch`), for a live server of major `liveMajor` (nil for
    /// `test`, which has none); `command` names the command in messages.
    public struct Version: Sendable {
        public var choice: PostgresInstallation.Choice
        public var liveMajor: Int?
        public var command: String
        public init(choice: PostgresInstallation.Choice = .init(), liveMajor: Int? = nil, command: String = "test") {
            self.choice = choice
            self.liveMajor = liveMajor
            self.command = command
        }
    }

    /// A named server's major against the live server's: the same, older than
    /// supported (exit 2), or another (exit 2 unless allowed, then a warning).
    private func checkNamedMajor(_ version: Version, place: String) throws {
        guard major >= PostgresInstallation.oldestMajor else {
            throw InputError(place, "the server is PostgreSQL \(major), older than \(PostgresInstallation.oldestMajor), the oldest major schemajob supports")
        }
        guard let live = version.liveMajor, live != major else { return }
        guard version.choice.allowVersionMismatch else {
            throw InputError(place, "the scratch server is PostgreSQL \(major) but the live server is PostgreSQL \(live): name a PostgreSQL \(live) server, or leave --scratch-dsn out and install PostgreSQL \(live), or pass --allow-version-mismatch")
        }
        warning = "\(version.command): warning: the live server is PostgreSQL \(live) but the scratch server is PostgreSQL \(major) (--allow-version-mismatch): a difference between the majors can hide or invent a finding"
    }

    /// The role the set runs as on a server started here; nil on the caller's server,
    /// where the caller's connection (and its privileges) are used.
    var runRole: String? {
        if case .started = place { return "\(Self.databasePrefix)\(run)" }
        return nil
    }

    /// The server `dsn` or the `PG*` variables of `environment` name, or, with neither,
    /// a throwaway server started now (when PostgreSQL's programs are installed).
    public static func open(dsn: String?, environment: [String: String], version: Version = Version()) throws -> ProofServer {
        let connection = Connection(environment: environment, dsn: dsn)
        let base = connection.baseEnvironment
        if connection.namesServer {
            guard let psql = Psql.find(path: environment["PATH"]) else {
                throw InputError("psql", Psql.notFound)
            }
            // A connection string is taken apart: psql is never given it, nor the password, as an argument.
            let variables = try connection.libpqVariables()
            let server = Connection.describeServer(variables)
            let shown = (dsn == nil ? "the server libpq's variables name" : "the server --dsn names") + " (\(server))"
            let proofServer = ProofServer(
                place: .named(environment: variables),
                psql: psql, baseEnvironment: base, description: "test: running on \(shown)")
            let probe = try proofServer.query(openingQuery, database: nil)
            guard probe.status == 0 else {
                throw InputError(
                    dsn == nil ? "PG* variables" : "--dsn", "cannot connect: \(probe.oneLineError(droppingPrefix: "psql: error: "))")
            }
            proofServer.read(opening: probe.stdout)
            do {
                try proofServer.checkNamedMajor(version, place: dsn == nil ? "PG* variables" : version.liveMajor == nil ? "--dsn" : "--scratch-dsn")
            } catch {
                proofServer.close()
                throw error
            }
            return proofServer
        }
        let (installation, warning) = try PostgresInstallation.choose(
            version.choice, liveMajor: version.liveMajor, path: environment["PATH"], command: version.command)
        let binaries = installation.binaries
        let scratch = try ScratchServer.start(binaries: binaries)
        let matched = version.liveMajor == nil
            ? (version.choice.postgresBin == nil ? "the newest major at hand" : "--postgres-bin")
            : warning == nil ? "the live server's major" : "another major than the live server's"
        let server = ProofServer(
            place: .started(scratch), psql: Psql(executable: binaries + "/psql"), baseEnvironment: base,
            description: "test: started postgres \(installation.version) for this run (\(matched); \(binaries), socket in \(scratch.directory)); it is stopped and removed at the end; the set runs as a role that owns its scratch database and is no superuser")
        server.warning = warning
        server.installation = installation
        if let role = server.runRole {
            let made = try server.query(
                "CREATE ROLE \(role) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; " + openingQuery,
                database: nil)
            guard made.status == 0 else {
                server.close()
                throw InputError("scratch server", "cannot create the role the set runs as: \(made.oneLineError())")
            }
            server.read(opening: made.stdout)
        }
        return server
    }

    private init(place: Place, psql: Psql, baseEnvironment: [String: String], description: String) {
        self.place = place
        self.psql = psql
        self.baseEnvironment = baseEnvironment
        self.description = description
        Self.open.withLock { $0[ObjectIdentifier(self)] = self }
    }

    /// Every server open in this process, so an interrupted run can still clean up.
    private static let open = Mutex<[ObjectIdentifier: ProofServer]>([:])

    /// Closes every server still open: for a signal handler (Ctrl-C), since the server
    /// and the containers run in process groups of their own and never see the signal.
    public static func closeAll() {
        for server in open.withLock({ Array($0.values) }) { server.close() }
        ScratchServer.stopAll()
    }

    /// Drops every scratch database made here and stops a server started here.
    public func close() {
        _ = Self.open.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
        for name in lock.withLock({ created }) {
            _ = try? query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", database: nil)
        }
        if case .started(let scratch) = place { scratch.stop() }
    }

    /// A new, empty database `schemajob_test_<random>`, with the setup SQL run in it.
    func createDatabase(setup: String) throws -> String {
        let name = try makeDatabase(copying: nil)
        let ran = try run(script: setup, database: name)
        guard ran.status == 0 else {
            throw InputError("--setup", "failed in a scratch database: \(ran.oneLineError())")
        }
        try bound(name)
        return name
    }

    /// The scratch database's bounds, and the setup's objects granted to the run's role:
    /// after the setup, and again on a copy (CREATE DATABASE … TEMPLATE copies neither a
    /// database's settings nor its owner).
    private func bound(_ name: String) throws {
        let bounded = try run(script: bounds.settings(database: name, role: runRole), database: name)
        guard bounded.status == 0 else {
            throw InputError("schemajob test", "cannot bound the scratch database: \(bounded.oneLineError())")
        }
    }

    /// A new scratch database that starts as a copy of `source` (which nobody may be
    /// connected to: CREATE DATABASE … TEMPLATE refuses otherwise).
    func copyDatabase(_ source: String) throws -> String {
        let name = try makeDatabase(copying: source)
        try bound(name)
        return name
    }

    private func makeDatabase(copying source: String?) throws -> String {
        let name = lock.withLock { "\(Self.databasePrefix)\(run)_\(created.count + 1)" }
        let owner = runRole.map { " OWNER \($0)" } ?? ""
        let made = try query("CREATE DATABASE \(name)" + (source.map { " TEMPLATE \($0)" } ?? "") + owner, database: nil)
        guard made.status == 0 else {
            throw InputError("schemajob test", "cannot create a scratch database: \(made.oneLineError())")
        }
        lock.withLock { created.append(name) }
        return name
    }

    /// Where the Job's containers connect to reach `database`, with the psql and
    /// pg_isready beside this proof's own psql first on their PATH.
    func target(database: String) -> Connection {
        var target: Connection
        switch place {
        case .named(let environment):
            target = Connection(environment: environment.merging(["PGDATABASE": database]) { _, new in new })
        case .started(let scratch):
            var environment = scratch.environment(database: database)
            environment["PGUSER"] = runRole
            target = Connection(environment: environment)
        }
        target.clients = psql.directory
        return target
    }

    /// Runs one query (nil database: the caller's, or `postgres` on a started server).
    func query(_ sql: String, database: String?) throws -> Subprocess.Result {
        try psqlRun(.command(sql), database: database)
    }

    /// Runs a script in one psql session with ON_ERROR_STOP. `files` (bytes by relative
    /// path) are written beside it, for the script's QueryText lines (psql variable
    /// `files`); a script that runs them runs as the set's role (`runRole`), as the Job's
    /// run does, and so does one that makes objects the set must own (`asSetRole`).
    func run(script: String, database: String, files: [String: [UInt8]] = [:], asSetRole: Bool = false) throws -> Subprocess.Result {
        try psqlRun(.script(script, files: files), database: database, user: files.isEmpty && !asSetRole ? nil : runRole)
    }

    private func psqlRun(_ input: Psql.Input, database: String?, user: String? = nil) throws -> Subprocess.Result {
        var environment = baseEnvironment
        switch place {
        case .named(let variables):
            environment.merge(variables) { _, new in new }
            if let database {
                environment["PGDATABASE"] = database
            } else if environment["PGDATABASE"] == nil {
                environment["PGDATABASE"] = "postgres"
            }
        case .started(let scratch):
            environment.merge(scratch.environment(database: database ?? "postgres")) { _, new in new }
        }
        if let user { environment["PGUSER"] = user }
        return try psql.run(input, environment: environment)
    }
}
