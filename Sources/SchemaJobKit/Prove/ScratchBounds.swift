import Foundation

/// How far one scratch database may go: a pull request's files are untrusted, and a
/// statement that never ends, or fills the disk, must not take the CI machine with it.
public struct ScratchBounds: Sendable {
    /// Every statement of the run is cancelled after this long (`statement_timeout`, a
    /// default of the scratch database, so it holds in every session the run opens).
    public var statementTimeoutSeconds: Int
    /// The scratch database may grow to this many MiB: checked while the set runs, and
    /// its sessions are ended when it is passed. On a server started here,
    /// `temp_file_limit` (which only a superuser may raise) bounds a query's temporary
    /// files the same way.
    public var maximumDatabaseMegabytes: Int

    public static let defaultStatementTimeoutSeconds = 60
    public static let defaultMaximumDatabaseMegabytes = 1024

    public init(
        statementTimeoutSeconds: Int = Self.defaultStatementTimeoutSeconds,
        maximumDatabaseMegabytes: Int = Self.defaultMaximumDatabaseMegabytes
    ) {
        self.statementTimeoutSeconds = statementTimeoutSeconds
        self.maximumDatabaseMegabytes = maximumDatabaseMegabytes
    }

    /// The SQL that sets the bounds on `database` (run by whoever created it) and, with
    /// `role` (a server started here), lets that role use what the setup made.
    func settings(database: String, role: String?) -> String {
        var sql = "ALTER DATABASE \(database) SET statement_timeout = '\(statementTimeoutSeconds)s';\n"
        guard let role else { return sql }
        sql += "ALTER DATABASE \(database) SET temp_file_limit = '\(maximumDatabaseMegabytes)MB';\n"
        // The setup (extensions, the pgmq stand-in) ran as the superuser: its schemas and
        // what is in them are granted to the role, which owns none of them.
        sql += """
            DO $$
            DECLARE
                schema_name name;
            BEGIN
                FOR schema_name IN
                    SELECT nspname FROM pg_namespace
                     WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
                LOOP
                    EXECUTE format('GRANT ALL ON SCHEMA %I TO %I', schema_name, '\(role)');
                    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO %I', schema_name, '\(role)');
                    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, '\(role)');
                    EXECUTE format('GRANT ALL ON ALL ROUTINES IN SCHEMA %I TO %I', schema_name, '\(role)');
                END LOOP;
            END
            $$;

            """
        return sql
    }
}

/// Watches a scratch database while the set runs on it, and ends the run's sessions when
/// it passes a bound: its size (PostgreSQL has no size limit of its own for a database), or
/// a statement still running well past the statement timeout (a file may have changed
/// `statement_timeout` itself; this check does not depend on the setting).
final class ScratchWatch: @unchecked Sendable {
    enum Breach: Equatable {
        case size(megabytes: Int)
        case time
    }

    private let condition = NSCondition()
    private var stopped = false
    private var breach: Breach?
    private let server: ProofServer
    private let database: String
    private let check: String

    init(server: ProofServer, database: String, bounds: ScratchBounds) {
        self.server = server
        self.database = database
        let limit = Int64(bounds.maximumDatabaseMegabytes) * 1024 * 1024
        // The server's own timeout fires first when the setting holds; the slack keeps
        // this check from racing it.
        let seconds = bounds.statementTimeoutSeconds + 5
        // Over a bound: end the run's sessions, and answer the size in MiB (or -1 for time).
        check = """
            WITH run AS (
                SELECT pid, state = 'active' AND clock_timestamp() - query_start > interval '\(seconds) seconds' AS slow
                  FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            ), size AS (SELECT pg_database_size(current_database()) AS bytes)
            SELECT CASE
                WHEN (SELECT bytes FROM size) > \(limit)
                    THEN (SELECT count(pg_terminate_backend(pid)) FROM run) * 0 + (SELECT bytes FROM size) / 1048576
                WHEN (SELECT bool_or(slow) FROM run)
                    THEN (SELECT count(pg_terminate_backend(pid)) FROM run) * 0 - 1
                END
            """
        Thread { [self] in
            while true {
                condition.lock()
                _ = condition.wait(until: Date().addingTimeInterval(0.5))
                let done = stopped
                condition.unlock()
                if done { return }
                measure()
            }
        }.start()
    }

    private func measure() {
        guard let result = try? server.query(check, database: database), result.status == 0,
            let answer = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        condition.lock()
        if breach == nil { breach = answer < 0 ? .time : .size(megabytes: answer) }
        condition.unlock()
    }

    /// Stops watching, after a last look (a run shorter than one interval is measured
    /// too); the bound that was passed, if one was.
    func stop() -> Breach? {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
        measure()
        condition.lock()
        defer { condition.unlock() }
        return breach
    }
}
