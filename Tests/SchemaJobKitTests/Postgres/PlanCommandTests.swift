import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob plan`, run as a user runs it, on the platform's databases (see
    /// DriftCommandTests): the copy goes to the harness's server (--scratch-dsn).
    @Suite struct PlanCommandTests {
        typealias Drift = DriftCommandTests

        static func plan(_ directory: String, _ database: TestDatabase, user: String = PostgresServer.role, extra: [String] = []) throws -> SchemaJobExecutable.Result {
            try Drift.schemajob(["plan", "--database", directory, "--dsn", Drift.dsn(database, user: user), "--scratch-dsn", try Drift.scratchDSN()] + extra)
        }

        static func append(_ text: String, to path: String) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }

        /// A login role that may read everything drift and plan read, and write nothing;
        /// the server logs every statement its sessions send.
        static func reader(on database: TestDatabase) throws -> String {
            let reader = "reader_\(database.name.suffix(6))"
            try database.sql("""
                CREATE ROLE \(reader) LOGIN PASSWORD '\(database.server.password)';
                GRANT USAGE ON SCHEMA schemajob, pgmq TO \(reader);
                GRANT SELECT ON ALL TABLES IN SCHEMA public, schemajob, pgmq TO \(reader);
                ALTER ROLE \(reader) SET log_statement = 'all';
                """)
            return reader
        }

        /// The first word of every statement the server logged since `offset`.
        static func loggedStatements(since offset: Int, server: PostgresServer) throws -> [String] {
            let log = try #require(FileHandle(forReadingAtPath: server.scratch.logFile))
            try log.seek(toOffset: UInt64(offset))
            let text = String(decoding: try log.readToEnd() ?? Data(), as: UTF8.self)
            // A statement's first line; for pg_dump's `PREPARE name AS` also the query's first word.
            return text.components(separatedBy: "LOG:  statement: ").dropFirst().map { entry in
                let lines = entry.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard let first = lines.first else { return "" }
                return first.hasSuffix(" AS") && lines.count > 1 ? first + " " + lines[1] : first
            }
        }

        static func logSize(_ server: PostgresServer) -> Int {
            (try? FileManager.default.attributesOfItem(atPath: server.scratch.logFile)[.size] as? Int) ?? 0
        }

        @Test func anIndexOnAColumnTheLiveTableLacksFailsThePlanAtThatStatementAndTheLiveDatabaseIsUnchanged() throws {
            let database = try Drift.drifted()
            let server = database.server
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            try Self.append("\nCREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);\n", to: files + "/schema/001_reservations.sql")
            let reader = try Self.reader(on: database)
            let (schemaBefore, dataBefore) = (try database.schemaDump(), try database.dataDump())
            let logStart = Self.logSize(server)

            let result = try Self.plan(files, database, user: reader)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("\(files)/schema/001_reservations.sql:34: error: statement `CREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);`: fails as the next deploy, on a copy of the live database: ERROR: column \"domain_name\" does not exist (the Job's log: \(files)/schema/001_reservations.sql:34: ERROR) [sql-failed]"), "\(result.stdout)")
            #expect(result.stdout.contains("001_reservations.sql:34: CREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);\n    fails: ERROR:  column \"domain_name\" does not exist\n"), "\(result.stdout)")
            #expect(result.stdout.contains("001_reservations.sql:18: CREATE INDEX IF NOT EXISTS idx_reservations_user_id ON reservations (user_id);\n    no change\n    lock SHARE on reservations; no rewrite\n"))
            #expect(result.stderr.contains("plan: the deploy would fail; nothing has touched the live database"))

            #expect(try database.schemaDump() == schemaBefore)
            #expect(try database.dataDump() == dataBefore)
            let statements = try Self.loggedStatements(since: logStart, server: server)
            #expect(statements.count > 10, "pg_dump's and the session's statements are logged: \(statements.count)")
            for statement in statements {
                let word = statement.prefix { $0.isLetter }.uppercased()
                // pg_dump prepares its catalog queries and executes them (EXECUTE runs only what it prepared).
                #expect(["SELECT", "BEGIN", "WITH", "COMMIT", "SET", "SHOW", "COPY", "LOCK", "PREPARE", "EXECUTE"].contains(word), "not a read: \(statement)")
                if word == "PREPARE" { #expect(statement.contains(" AS SELECT"), "\(statement)") }
                if word == "LOCK" { #expect(statement.hasSuffix("IN ACCESS SHARE MODE"), "\(statement)") }
                if word == "COPY" { #expect(statement.contains("TO STDOUT"), "\(statement)") }
            }

            // drift's fix, sorted first, makes the same deploy apply.
            let fix = try Drift.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(fix.status == 1)
            let fixed = try Self.plan(files, database)
            #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
            #expect(fixed.stdout.contains("000_fix_drift_first.sql:7: ALTER TABLE IF EXISTS reservations ADD COLUMN IF NOT EXISTS domain_name character varying(255);\n    creates column reservations.domain_name\n    lock ACCESS EXCLUSIVE on reservations; no rewrite\n"), "\(fixed.stdout)")
            #expect(fixed.stderr.contains("plan: the deploy applies cleanly on a copy of the live database"))
        }

        @Test func eachStatementShowsItsChangesTheStrongestLockOnAnExistingTableAndWhetherItRewroteIt() throws {
            let database = try Drift.deployed()
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            try """
                ALTER TABLE gpu_types ALTER COLUMN max_gpus TYPE bigint;
                CREATE INDEX IF NOT EXISTS idx_gpu_types_active ON gpu_types (is_active);

                """.write(toFile: files + "/schema/005_widen_max_gpus.sql", atomically: true, encoding: .utf8)
            let result = try Self.plan(files, database)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("005_widen_max_gpus.sql:1: ALTER TABLE gpu_types ALTER COLUMN max_gpus TYPE bigint;\n    alters column gpu_types.max_gpus\n    lock ACCESS EXCLUSIVE on gpu_types; rewrites the table\n"), "\(result.stdout)")
            #expect(result.stdout.contains("005_widen_max_gpus.sql:2: CREATE INDEX IF NOT EXISTS idx_gpu_types_active ON gpu_types (is_active);\n    creates index idx_gpu_types_active\n    lock SHARE on gpu_types; no rewrite\n"), "\(result.stdout)")
            #expect(result.stdout.contains("fixtures/001_gpu_types.sql:1: INSERT INTO gpu_types"))
            #expect(result.stdout.contains("    updates 3 rows in gpu_types\n    lock ROW EXCLUSIVE on gpu_types; no rewrite\n"), "the live rows were copied: \(result.stdout)")
            #expect(result.stderr.contains("plan: copied the live schema (pg_dump --schema-only), the ledger and at most 10000 rows of public.gpu_types"))
            #expect(try database.sql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'gpu_types'::regclass AND attname = 'max_gpus'") == "integer\n")
        }

        @Test func aHashTheLedgerHoldsIsNothingToDo() throws {
            let database = try Drift.deployed()
            let result = try Self.plan(Drift.platform + "/database", database)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("plan: nothing to do: the Job will skip (applied at 20"), "\(result.stderr)")
        }

        @Test func aPgDumpOlderThanTheServerIsRefusedInOneLine() throws {
            let database = try Drift.deployed()
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            try "\nCREATE INDEX IF NOT EXISTS idx_disks_in_use ON disks (in_use);\n".write(toFile: files + "/schema/005_in_use.sql", atomically: true, encoding: .utf8)
            // What an old client says when asked its version; it is never asked anything else.
            let old = directory.path + "/pg_dump"
            try "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n".write(toFile: old, atomically: true, encoding: .utf8)
            chmod(old, 0o755)
            let result = try Self.plan(files, database, extra: ["--pg-dump", old])
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            let major = try PostgresServer.major
            #expect(result.stderr.hasSuffix("\(old): error: pg_dump 9 is older than the server (PostgreSQL \(major)) and cannot dump it: give --pg-dump PATH to a pg_dump \(major) or newer\n"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }

        @Test func aServerThatDoesNotAnswerIsOneLineAndExit2() throws {
            let dsn = "postgresql://postgres@127.0.0.1:\(try PostgresServer.freePort())/postgres"
            let result = try Drift.schemajob(["plan", "--database", Drift.platform + "/database", "--dsn", dsn])
            #expect(result.status == 2)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("cannot connect"), "\(result.stderr)")
        }
    }
}
