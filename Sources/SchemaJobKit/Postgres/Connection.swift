import Foundation

/// The database a command reaches: the caller's libpq `PG*` variables, or `--dsn`, and,
/// for what they leave unset, the settings. This is the one place their precedence is
/// written, for every psql schemajob starts (its own reads, the rendered pods run here,
/// the proof's server):
///
/// 1. `--dsn` wins for every parameter it names; its password becomes `PGPASSWORD` (never
///    an argument: see `ConnectionString`).
/// 2. The caller's `PG*` variables come next. For schemajob's own sessions a `--dsn` alone
///    names the server, so the caller's server variables (`serverVariables`) it leaves unset
///    are dropped; the rendered pods keep them and drop the cluster's instead (`podEnvironment`).
/// 3. The settings (`postgres.host`, `.port`, `.database`, `.user`) fill what the caller's
///    variables leave unset, and only without `--dsn`. In the pods they are already there,
///    rendered into the containers' environment.
public struct Connection: Sendable {
    /// The caller's environment; only the `PG*` variables name the database.
    public var environment: [String: String]
    /// A libpq connection string or URI, taken apart into `PG*` variables and the
    /// password (see `ConnectionString`).
    public var dsn: String?
    /// A directory put first on the rendered containers' `PATH`, for their psql and
    /// pg_isready (`test` gives the one its own psql is in); nil: this machine's `PATH` as it is.
    public var clients: String?

    public init(environment: [String: String], dsn: String? = nil) {
        self.environment = environment
        self.dsn = dsn
    }

    /// The variables a `--dsn` replaces whole: together they say which server, as whom,
    /// and which database.
    static let serverVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE"]

    /// The variables whose presence means the caller named a server at all (`test` starts
    /// its own server when none is named).
    static let namingVariables: Set<String> = Set(serverVariables + ["PGSERVICE", "PGSERVICEFILE"])

    /// The caller's environment without libpq's variables: what every psql here starts from.
    public var baseEnvironment: [String: String] {
        environment.filter { !$0.key.hasPrefix("PG") }
    }

    /// Whether `--dsn` or a `PG*` variable names a server.
    public var namesServer: Bool {
        dsn != nil || environment.keys.contains { Self.namingVariables.contains($0) }
    }

    /// The caller's `PG*` variables with the connection string's parameters over them
    /// and its password as `PGPASSWORD` (rules 1 and 2): what a psql run here is given
    /// instead of the string, so the password is never an argument any user of the
    /// machine can read.
    public func libpqVariables() throws -> [String: String] {
        var variables = environment.filter { $0.key.hasPrefix("PG") }
        guard let dsn else { return variables }
        let connection = try ConnectionString(dsn)
        // The string alone names the server: the variables it leaves unset are not the caller's.
        for name in Self.serverVariables { variables[name] = nil }
        variables.merge(connection.environment) { _, named in named }
        if let password = connection.password { variables["PGPASSWORD"] = password }
        return variables
    }

    /// `libpqVariables()` with the settings under them (rule 3): the database `history`,
    /// `drift` and `plan` read, the same one the rendered Job would migrate.
    func libpqVariables(settings: Settings) throws -> [String: String] {
        var variables = try libpqVariables()
        if dsn == nil {
            let defaults = [
                "PGHOST": settings.string("postgres.host"), "PGPORT": settings.string("postgres.port"),
                "PGDATABASE": settings.string("postgres.database"), "PGUSER": settings.string("postgres.user"),
            ]
            variables.merge(defaults) { given, _ in given }
        }
        return variables
    }

    /// The environment of a psql schemajob runs itself (rules 1 to 3).
    func psqlEnvironment(settings: Settings) throws -> [String: String] {
        baseEnvironment.merging(try libpqVariables(settings: settings)) { _, connection in connection }
    }

    /// What the rendered pods get in place of the cluster's connection: the variables
    /// set over the rendered ones, the rendered ones removed, and the password for the
    /// Secret's file (the way the Job reads it). The caller's `PG*` variables win over the
    /// rendered ones and `--dsn`'s parameters over both; a `--dsn` alone names the server,
    /// not the cluster's service, so the rendered server variables it leaves unset go.
    func podEnvironment() throws -> (overrides: [String: String], removed: Set<String>, password: String?) {
        var overrides: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("PG") && name != "PGPASSWORD" {
            overrides[name] = value
        }
        var removed: Set<String> = []
        var password = environment["PGPASSWORD"]
        if let dsn {
            let connection = try ConnectionString(dsn)
            overrides.merge(connection.environment) { _, named in named }
            password = connection.password ?? password
            for name in Self.serverVariables where overrides[name] == nil {
                removed.insert(name)
            }
        }
        return (overrides, removed, password)
    }

    /// The server libpq's variables name, as one line for a log: host, port, user, database
    /// and service, never the password.
    static func describeServer(_ variables: [String: String]) -> String {
        variables.filter { (serverVariables + ["PGSERVICE"]).contains($0.key) }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
