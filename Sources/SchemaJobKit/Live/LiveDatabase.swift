import Foundation

/// The database that actually runs, read without changing it: one psql session that
/// PostgreSQL itself keeps read-only (`default_transaction_read_only`), with a short
/// `statement_timeout` and `lock_timeout` so a read never waits behind a migration, and
/// `application_name` `schemajob-drift` (or `-plan`) so its statements can be found in
/// the server's log. It reads the catalogs, the ledger's newest run, and, when asked,
/// the rows of the tables the fixtures write; nothing else. A role that can write
/// nothing is enough, and the catalogs need no privilege at all: a table the role may
/// not read (`has_table_privilege`, asked before reading, never an error parsed after)
/// is named in `Reading.unreadable` and left unread, and so is the ledger.
public struct LiveDatabase: Sendable {
    /// What each session sets, through PGOPTIONS, before its first statement.
    public static let sessionSettings = [
        "default_transaction_read_only=on", "statement_timeout=15s", "lock_timeout=1s",
        "idle_in_transaction_session_timeout=15s",
    ]

    var psql: Psql
    /// libpq's variables for the live database (the caller's, `--dsn`'s, then the settings').
    var variables: [String: String]
    /// The caller's environment without libpq's variables.
    var baseEnvironment: [String: String]
    var applicationName: String

    public init(target: Connection, settings: Settings, applicationName: String) throws {
        guard let psql = Psql.find(path: target.environment["PATH"]) else { throw InputError("psql", Psql.notFound) }
        self.psql = psql
        variables = try target.libpqVariables(settings: settings)
        baseEnvironment = target.baseEnvironment
        self.applicationName = applicationName
    }

    /// The environment of a psql run: the connection, then the session's settings after
    /// any PGOPTIONS the caller gave (later `-c` wins, so the caller cannot undo them).
    var environment: [String: String] {
        var environment = baseEnvironment.merging(variables) { _, connection in connection }
        let options = Self.sessionSettings.map { "-c \($0)" }.joined(separator: " ")
        environment["PGOPTIONS"] = [variables["PGOPTIONS"], options].compactMap { $0 }.joined(separator: " ")
        environment["PGAPPNAME"] = applicationName
        return environment
    }

    /// One line naming the server, never the password.
    public var description: String {
        Connection.describeServer(variables)
    }

    /// Runs `script` in one session; exit 2 of psql (no connection) becomes "could not run".
    func run(_ script: String) throws -> Subprocess.Result {
        try psql.read(
            .script(script), environment: environment,
            place: "live database (\(description))", cannotConnect: "cannot connect", failed: "a read failed")
    }

    /// Fails with exit 2's error when the server does not answer.
    public func probe() throws {
        _ = try run("SELECT 1;\n")
    }

    /// What one read of the live database gave.
    public struct Reading: Sendable {
        public var snapshot: CatalogSnapshot
        /// The newest run the ledger holds; nil when there is no ledger or it is empty.
        public var lastRun: (hash: String, finishedAt: String, pod: String?)?
        public var hasLedger: Bool
        /// Schemas an extension created: nothing in them is the files' business.
        public var extensionSchemas: Set<String>
        /// Relations (`schema.name`) an extension owns (pgmq's queue tables).
        public var extensionRelations: Set<String>
        /// Relations other than the system catalogs (and indexes, which follow their table)
        /// the session held a lock on at its end: the ledger and the fixture tables, which
        /// are read; never anything else.
        public var lockedRelations: [String]
        /// Of the tables asked for, those the role may not read (no USAGE on the schema or
        /// no SELECT on the table): their rows are not in the snapshot.
        public var unreadable: [String] = []
        /// The ledger exists but the role may not read it.
        public var ledgerUnreadable = false
    }

    /// SQL for `schema.table` (`quote_ident`ed): true when the table exists and this role
    /// may read it, false when it may not, NULL when there is no such table. Only the
    /// catalogs are read, so asking needs no privilege (to_regclass would need USAGE on
    /// the schema).
    static func mayRead(_ table: String) -> String {
        """
        (SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE quote_ident(n.nspname) || '.' || quote_ident(c.relname) = \(literal(table)))
        """
    }

    /// The tables of `tables` that exist and that this role may not read.
    func unreadable(_ tables: [String]) throws -> [String] {
        guard !tables.isEmpty else { return [] }
        let checks = tables.map { table in
            "SELECT E'\\x1D' || 'unreadable' || E'\\x1F' || \(Self.literal(table)) || E'\\x1E' WHERE NOT \(Self.mayRead(table));"
        }
        return CatalogSnapshot.records(in: try run(checks.joined(separator: "\n") + "\n").stdout).compactMap { $0.count >= 2 ? $0[1] : nil }
    }

    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Reads the catalogs, the ledger and the rows of `rowTables` (quote_ident'ed
    /// `schema.table`), all in one read-only transaction.
    public func read(rowTables requested: [String]) throws -> Reading {
        let unreadable = try self.unreadable(requested)
        let rowTables = requested.filter { !unreadable.contains($0) }
        let record = { (kind: String, fields: String) in
            "E'\\x1D' || '\(kind)' || E'\\x1F' || \(fields) || E'\\x1E'"
        }
        var script = "BEGIN TRANSACTION READ ONLY;\n"
        script += CatalogSnapshot.catalogQuery + "\n"
        if !rowTables.isEmpty {
            script += CatalogSnapshot.rowsQuery(windowStart: "infinity", tables: rowTables) + "\n"
        }
        script += """
            SELECT \(record("extension schema", "quote_ident(n.nspname)"))
              FROM pg_namespace n JOIN pg_depend d ON d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e';
            SELECT \(record("extension relation", "quote_ident(n.nspname) || '.' || quote_ident(c.relname)"))
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e';
            SELECT coalesce(\(Self.mayRead("schemajob.runs")), false) AS may_read_ledger,
                   \(Self.mayRead("schemajob.runs")) IS NOT NULL AS has_ledger \\gset
            \\if :may_read_ledger
            SELECT \(record("ledger", "hash || E'\\x1F' || finished_at::text || E'\\x1F' || coalesce(pod, '')"))
              FROM schemajob.runs ORDER BY run_id DESC LIMIT 1;
            SELECT \(record("has ledger", "'yes'"));
            \\elif :has_ledger
            SELECT \(record("ledger unreadable", "'yes'"));
            \\endif
            SELECT \(record("lock", "quote_ident(n.nspname) || '.' || quote_ident(c.relname) || E'\\x1F' || l.mode"))
              FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE l.pid = pg_backend_pid() AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND c.relkind NOT IN ('i', 'I')
             ORDER BY 1;
            COMMIT;

            """
        let records = CatalogSnapshot.records(in: try run(script).stdout)
        var reading = Reading(
            snapshot: CatalogSnapshot(records: records.filter { !Self.ownKinds.contains($0.first ?? "") }),
            lastRun: nil, hasLedger: false, extensionSchemas: [], extensionRelations: [], lockedRelations: [],
            unreadable: unreadable)
        for record in records where record.count >= 2 {
            switch record[0] {
            case "extension schema": reading.extensionSchemas.insert(record[1])
            case "extension relation": reading.extensionRelations.insert(record[1])
            case "ledger" where record.count >= 4:
                reading.lastRun = (record[1], record[2], record[3].isEmpty ? nil : record[3])
            case "has ledger": reading.hasLedger = true
            case "ledger unreadable": reading.hasLedger = true; reading.ledgerUnreadable = true
            case "lock" where record.count >= 3: reading.lockedRelations.append(record[1] + " " + record[2])
            default: break
            }
        }
        return reading
    }

    static let ownKinds: Set<String> = ["extension schema", "extension relation", "ledger", "has ledger", "ledger unreadable", "lock"]

    /// The warning for a table whose rows are not compared (drift) or copied (plan).
    static func grantHint(rowsOf table: String, not done: String) -> String {
        "rows of \(ChangeDescription.shown(table)) not \(done): grant SELECT on it, or pg_read_all_data"
    }
}
