import Foundation
import SQLSyntax

/// A copy of the live database on a scratch server, for `plan`: its schema as
/// `pg_dump --schema-only` writes it (the real tool, never a hand-written dumper), the
/// ledger, and at most `rowBound` rows of each table the fixtures write, so the Job's
/// own migration can run there as it would run on the live database.
struct LiveCopy {
    /// Rows copied per table: enough for the fixtures' ON CONFLICT paths, bounded so a
    /// large table never turns a plan into a data copy.
    static let rowBound = 10_000

    var schema: String
    /// Each copied table and the file its rows are in (COPY's text format).
    var tables: [(name: String, file: String)]
    /// Lines for stderr: what was copied, what was cut at the bound.
    var notes: [String]
    /// Extensions the dump creates that the scratch server must supply (from --setup).
    var extensions: [String]
    let directory: TemporaryDirectory

    /// `--pg-dump` when given; else the `pg_dump` of `--postgres-bin`, else of the
    /// installation (PATH, then Debian's) of the oldest major at least the server's
    /// (`serverMajor`; nil: the newest), else the one beside psql. `take` refuses one
    /// older than the server.
    static func pgDump(given: String?, serverMajor: Int?, choice: PostgresInstallation.Choice, path: String?) throws -> String {
        if let given {
            guard FileManager.default.isExecutableFile(atPath: given) else { throw InputError(given, "--pg-dump: not an executable") }
            return given
        }
        if let bin = choice.postgresBin {
            return try PostgresInstallation.at(bin).binaries + "/pg_dump"
        }
        let installed = PostgresInstallation.known(path: path).filter {
            FileManager.default.isExecutableFile(atPath: $0.binaries + "/pg_dump")
        }
        let newEnough = installed.filter { $0.major >= (serverMajor ?? 0) }
        if let chosen = serverMajor == nil ? newEnough.first : newEnough.last ?? installed.first {
            return chosen.binaries + "/pg_dump"
        }
        guard let psql = Psql.find(path: path) else {
            throw InputError("pg_dump", Psql.notFound + ", or give --pg-dump")
        }
        return psql.directory + "/pg_dump"
    }

    /// The version in `pg_dump (PostgreSQL) 15.18 (Debian …)`: `15.18`.
    static func version(of pgDump: String) throws -> String {
        let result = try Subprocess.run(pgDump, ["--version"])
        guard result.status == 0, let version = PostgresInstallation.version(in: result.stdout) else {
            throw InputError(pgDump, "cannot tell its version: \(result.oneLineError())")
        }
        return version
    }

    /// The major version of a pg_dump: 15 for 15.18.
    static func majorVersion(of pgDump: String) throws -> Int {
        Int(try version(of: pgDump).prefix { $0.isNumber }) ?? 0
    }

    static func take(
        from live: LiveDatabase, pgDump: String, tables: [String], progress: (String) -> Void
    ) throws -> LiveCopy {
        let serverVersion = try live.run("SHOW server_version_num;\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let serverMajor = (Int(serverVersion) ?? 0) / 10000
        let dumpMajor = try majorVersion(of: pgDump)
        guard dumpMajor >= serverMajor else {
            throw InputError(pgDump, "pg_dump \(dumpMajor) is older than the server (PostgreSQL \(serverMajor)) and cannot dump it: give --pg-dump PATH to a pg_dump \(serverMajor) or newer")
        }
        try dumpable(live)
        let dumped = try Subprocess.run(
            pgDump, ["--schema-only", "--no-owner", "--no-privileges", "--no-comments"], environment: live.environment)
        guard dumped.status == 0 else {
            throw InputError("pg_dump", "could not dump the live schema: \(dumped.oneLineError(droppingPrefix: "pg_dump: error: "))")
        }
        let directory = try TemporaryDirectory(prefix: "schemajob-plan")
        var copy = LiveCopy(schema: "", tables: [], notes: [], extensions: [], directory: directory)
        copy.schema = copy.restorable(dumped.stdout)

        // The ledger whole (so the Job sees its history), the fixture tables bounded; all
        // in the one read-only session, with \copy writing here, never on the server.
        var script = "BEGIN TRANSACTION READ ONLY;\n"
        var wanted: [(String, String)] = []
        for (index, table) in ([("schemajob.runs", false), ("schemajob.run_files", false)] + tables.map { ($0, true) }).enumerated() {
            let file = directory.path + "/\(index).copy"
            let name = table.0
            let limit = table.1 ? " LIMIT \(rowBound)" : ""
            // Asked of the catalogs first (has_table_privilege), so a table this role may
            // not read is named, not an error that stops the copy.
            script += "SELECT coalesce(\(LiveDatabase.mayRead(name)), false) AS present, \(LiveDatabase.mayRead(name)) IS NOT NULL AS exists \\gset\n"
            script += "\\if :present\n\\copy (SELECT * FROM \(name)\(limit)) TO '\(file)'\n"
            script += "SELECT count(*) > \(rowBound) AS cut FROM (SELECT 1 FROM \(name) LIMIT \(rowBound + 1)) AS r \\gset\n"
            script += "\\if :cut\n\\echo cut \(name)\n\\endif\n\\elif :exists\n\\echo unreadable \(name)\n\\endif\n"
            wanted.append((name, file))
        }
        script += "COMMIT;\n"
        let output = try live.run(script).stdout
        for (name, _) in wanted where output.contains("unreadable \(name)\n") {
            copy.notes.append(name.hasPrefix("schemajob.")
                ? "plan: warning: the ledger table \(name) is not readable by this role, so the copy has none and the Job there runs as on a database it never migrated: grant USAGE ON SCHEMA schemajob and SELECT on its tables, or pg_read_all_data"
                : "plan: warning: " + LiveDatabase.grantHint(rowsOf: name, not: "copied"))
        }
        for (name, file) in wanted where FileManager.default.fileExists(atPath: file) {
            copy.tables.append((name, file))
            if output.contains("cut \(name)\n") {
                copy.notes.append("plan: \(name) has more than \(rowBound) rows: the copy holds the first \(rowBound), so the row counts below are of those")
            }
        }
        return copy
    }

    /// pg_dump takes ACCESS SHARE on every table it dumps, and PostgreSQL allows that lock
    /// only with SELECT (15), or any table privilege (16; MAINTAIN too from 17), and USAGE
    /// on the schema. Asked of the catalogs before pg_dump runs, so a role that may not
    /// lock them all hears which tables and what to grant, not pg_dump's first error.
    static func dumpable(_ live: LiveDatabase) throws {
        let query = """
            SELECT E'\\x1D' || 'not dumpable' || E'\\x1F' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || E'\\x1E'
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
               AND NOT (has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid,
                   CASE WHEN current_setting('server_version_num')::int >= 170000 THEN 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,MAINTAIN'
                        WHEN current_setting('server_version_num')::int >= 160000 THEN 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE'
                        ELSE 'SELECT' END))
             ORDER BY 1;

            """
        let tables = CatalogSnapshot.records(in: try live.run(query).stdout).compactMap { $0.count >= 2 ? $0[1] : nil }
        guard !tables.isEmpty else { return }
        let shown = tables.prefix(5).map(ChangeDescription.shown).joined(separator: ", ") + (tables.count > 5 ? " and \(tables.count - 5) more" : "")
        throw InputError(
            "live database (\(live.description))",
            "the copy of the live schema needs pg_dump, which locks every table it dumps, and this role may not read \(shown): grant pg_read_all_data (see docs/drift-and-plan.md, the least privileges)")
    }

    /// The dump as a script for an empty scratch database: extensions the dump creates
    /// are noted (the scratch database gets them from the setup) and their lines left
    /// out, and schemas the setup may have made already are created only if missing.
    mutating func restorable(_ dump: String) -> String {
        var lines: [Substring] = []
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = line.firstMatch(of: #/^CREATE EXTENSION IF NOT EXISTS ("?[\w-]+"?)/#) {
                if match.1 != "plpgsql" { extensions.append(String(match.1)) }
                continue
            }
            if line.hasPrefix("\\restrict ") || line.hasPrefix("\\unrestrict ") { continue }
            if line.hasPrefix("CREATE SCHEMA "), !line.contains("IF NOT EXISTS") {
                lines.append("CREATE SCHEMA IF NOT EXISTS " + line.dropFirst("CREATE SCHEMA ".count))
                continue
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Builds the copy in a new scratch database: setup (when the dump needs extensions),
    /// schema, then the rows with triggers and foreign keys off (a bounded copy may hold
    /// a row without its parent), and every sequence behind an identity or serial column
    /// moved past the copied rows, as the live one is.
    ///
    /// The schema is restored by the role the set runs as, so the copy's objects belong to
    /// it as the live ones belong to the application's role: the Job's migration, run as
    /// that role on the copy, may then alter them (`test` runs the set as a role that is no
    /// superuser). The rows need `session_replication_role`, which only a superuser sets.
    func restore(on session: Proof.Session) throws -> String {
        let database = try session.server.createDatabase(setup: extensions.isEmpty ? "" : session.setup)
        let schemaScript = "\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n" + schema + "\n"
        try check(session.server.run(script: schemaScript, database: database, asSetRole: true))
        var script = "\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n"
        script += "SET session_replication_role = replica;\n"
        for table in tables {
            script += "\\copy \(table.name) FROM '\(table.file)'\n"
        }
        script += """
            SET session_replication_role = origin;
            DO $$
            DECLARE c record;
            BEGIN
                FOR c IN SELECT a.attrelid::regclass AS t, a.attname AS col, pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) AS s
                           FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
                          WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                LOOP
                    IF c.s IS NOT NULL THEN
                        EXECUTE format('SELECT setval(%L, coalesce((SELECT max(%I) FROM %s), 0) + 1, false)', c.s, c.col, c.t);
                    END IF;
                END LOOP;
            END;
            $$;

            """
        try check(session.server.run(script: script, database: database))
        return database
    }

    private func check(_ result: Subprocess.Result) throws {
        guard result.status == 0 else {
            throw InputError("plan", "the live schema does not restore on the scratch server: \(result.oneLineError())"
                + (extensions.isEmpty ? "" : " (the dump creates the extension(s) \(extensions.joined(separator: ", ")): --setup supplies them)"))
        }
    }

    /// The tables the fixture files write (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`,
    /// `MERGE INTO t`), as SQL names; an unqualified name is in `public`.
    static func fixtureTables(_ set: MigrationSet) -> [String] {
        var tables: Set<String> = []
        for file in set.files(in: .fixtures) {
            for statement in SQLLexer.statements(in: file.text) {
                let tokens = statement.significantTokens
                for (index, token) in tokens.enumerated() where token.kind == .word {
                    let word = token.text.uppercased()
                    var at = index + 1
                    if word == "INSERT" || word == "MERGE" || word == "DELETE" {
                        guard at < tokens.count, ["INTO", "FROM"].contains(tokens[at].text.uppercased()) else { continue }
                        at += 1
                    } else if word != "UPDATE" {
                        continue
                    }
                    var parts: [String] = []
                    while at < tokens.count, tokens[at].kind == .word || tokens[at].kind == .quotedIdentifier {
                        parts.append(tokens[at].kind == .word ? tokens[at].text.lowercased() : "\"" + SQLStatement.word(for: tokens[at]) + "\"")
                        if at + 1 < tokens.count, tokens[at + 1].text == "." { at += 2 } else { break }
                    }
                    // `ON CONFLICT ... DO UPDATE SET`: UPDATE followed by SET is not a table.
                    guard let last = parts.last, last != "set", !parts.isEmpty else { continue }
                    tables.insert(parts.count == 1 ? "public." + parts[0] : parts.suffix(2).joined(separator: "."))
                }
            }
        }
        return tables.sorted()
    }
}
