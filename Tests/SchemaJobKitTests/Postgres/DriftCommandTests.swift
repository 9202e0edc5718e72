import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob drift`, run as a user runs it, on live databases built the way the
    /// platform's was: the API's old start-up script first, then the files through the
    /// Job (`apply`). The fresh install goes to the harness's server (--scratch-dsn).
    @Suite struct DriftCommandTests {
        static let platform = Repository.fixtures + "/drift/platform"
        static let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        static let sevenColumns = [
            ("reservations", "ebs_availability_zone", "character varying(50)"), ("reservations", "domain_name", "character varying(255)"),
            ("reservations", "fqdn", "character varying(255)"), ("reservations", "alb_config", "jsonb"),
            ("reservations", "preserve_entrypoint", "boolean DEFAULT false"), ("reservations", "node_private_ip", "character varying(50)"),
            ("disks", "disk_size", "text"),
        ]

        static func dsn(_ database: TestDatabase, user: String = PostgresServer.role) -> String {
            "postgresql://\(user):\(database.server.password)@127.0.0.1:\(database.server.port)/\(database.name)"
        }

        static func scratchDSN() throws -> String {
            let server = try #require(PostgresServer.current)
            return "postgresql://postgres:\(server.password)@127.0.0.1:\(server.port)/postgres"
        }

        static func schemajob(_ arguments: [String]) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.run(arguments, environment: environment)
        }

        static func drift(_ directory: String, _ database: TestDatabase, user: String = PostgresServer.role, extra: [String] = []) throws -> SchemaJobExecutable.Result {
            try schemajob(["drift", "--database", directory, "--dsn", dsn(database, user: user), "--scratch-dsn", try scratchDSN()] + extra)
        }

        /// A copy of the platform's files, to write fixes into.
        static func copyOfFiles(_ name: String = "database") throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-drift")
            try Repository.copy(platform + "/database", to: directory.path + "/" + name)
            return (directory, directory.path + "/" + name)
        }

        /// A database the old start-up script created, then the files deployed through the Job.
        static func drifted(files: String = platform + "/database") throws -> TestDatabase {
            let database = try #require(PostgresServer.current).createDatabase()
            _ = try database.server.psql(file: platform + "/start-up/schema/001_old_start_up.sql", database: database.name, user: PostgresServer.role)
            let deploy = try schemajob(["apply", "--database", files, "--dsn", dsn(database)])
            try #require(deploy.status == 0, "the deploy through the Job: \(deploy.stdout)\(deploy.stderr)")
            return database
        }

        /// A database where only the files, through the Job, ever ran.
        static func deployed() throws -> TestDatabase {
            let database = try #require(PostgresServer.current).createDatabase()
            let deploy = try schemajob(["apply", "--database", platform + "/database", "--dsn", dsn(database)])
            try #require(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
            return database
        }

        @Test func theOldStartUpLeavesSevenColumnsMissingAndDriftNamesEachWithItsFileAndFix() throws {
            let database = try Self.drifted()
            let result = try Self.drift(Self.platform + "/database", database)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            for (table, column, type) in Self.sevenColumns {
                let file = table == "disks" ? "002_disks.sql" : "001_reservations.sql"
                #expect(result.stdout.contains("/database/schema/\(file):1: error: column \(table).\(column): exists on a fresh install"), "\(column): \(result.stdout)")
                #expect(result.stdout.contains("    ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(column) \(type);\n"), "\(column)")
            }
            #expect(result.stdout.components(separatedBy: "[missing-in-live]").count - 1 == 7, "\(result.stdout)")
            #expect(result.stderr.contains("drift: last migrated with hash "), "\(result.stderr)")
            #expect(result.stderr.contains("(the same: the Job would skip)"), "the Job skips a hash it applied: drift is how the gap is seen")
            #expect(result.stderr.contains("drift: 7 differences between the live database and a fresh install"))
            #expect(result.stdout.hasSuffix("-- suggestion (unproven): the statements under the findings; drift --fix-file PATH tries them on a copy of the live schema and writes them when they close the differences\n"), "without --fix-file nothing is tried: \(result.stdout)")
        }

        @Test func theFixFileIsLintedAndAfterTheNextDeployDriftFindsNothing() throws {
            let database = try Self.drifted()
            let (directory, files) = try Self.copyOfFiles()
            defer { _ = directory }
            let result = try Self.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("drift: wrote 7 fixes to \(files)/schema/005_fix_drift.sql"), "\(result.stderr)")
            #expect(result.stdout.contains("-- fix (proven): add this as \(files)/schema/005_fix_drift.sql; with it, a copy of the live schema equals a fresh install (the copy ran it twice)\n"), "\(result.stdout)")
            #expect(result.stderr.contains("drift: the fix was tried on a copy of the live schema in "), "\(result.stderr)")
            let fixed = try String(contentsOfFile: files + "/schema/005_fix_drift.sql", encoding: .utf8)
            #expect(result.stdout.contains(fixed), "the file holds the script printed as proven")
            let lint = try Self.schemajob(["lint", "--strict", "--database", files])
            #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
            let deploy = try Self.schemajob(["apply", "--database", files, "--dsn", Self.dsn(database)])
            #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
            let after = try Self.drift(files, database)
            #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
            #expect(after.stdout.isEmpty)
            #expect(after.stderr.contains("drift: none: the live database equals a fresh install of the files"))
        }

        /// The platform's case: 001 creates the table and an index on a column the live
        /// table lacks. A fix numbered last is never reached; the column's fix sorts first.
        @Test func anIndexOnAMissingColumnPutsThatColumnsFixFirstAndTestFromTheStartUpProvesIt() throws {
            let database = try Self.drifted()
            let (directory, files) = try Self.copyOfFiles()
            defer { _ = directory }
            let index = "\nCREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: files + "/schema/001_reservations.sql"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(index.utf8))
            try handle.close()
            let failing = try Self.schemajob(["apply", "--database", files, "--dsn", Self.dsn(database)])
            #expect(failing.status == 1, "without the fix the next deploy fails: \(failing.stderr)")
            #expect(failing.stderr.contains("column \"domain_name\" does not exist"), "\(failing.stderr)")

            let result = try Self.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("drift: column reservations.domain_name must exist before \(files)/schema/001_reservations.sql:34 runs"), "\(result.stderr)")
            let first = try String(contentsOfFile: files + "/schema/000_fix_drift_first.sql", encoding: .utf8)
            #expect(first.contains("\nALTER TABLE IF EXISTS reservations ADD COLUMN IF NOT EXISTS domain_name character varying(255);\n"), "\(first)")
            let last = try String(contentsOfFile: files + "/schema/005_fix_drift.sql", encoding: .utf8)
            #expect(last.contains("ADD COLUMN IF NOT EXISTS fqdn"))
            #expect(!last.contains("ADD COLUMN IF NOT EXISTS domain_name"), "each fix is written once")
            #expect(result.stdout.contains("-- fix (proven): add these as \(files)/schema/000_fix_drift_first.sql and \(files)/schema/005_fix_drift.sql; with them, a copy of the live schema equals a fresh install"), "\(result.stdout)")
            let lint = try Self.schemajob(["lint", "--strict", "--database", files])
            #expect(lint.status == 0, "000_fix_… is the fix slot lint allows: \(lint.stdout)\(lint.stderr)")

            // A copy of the drifted schema (the start-up script) upgraded by the fixed files equals a fresh install.
            let proof = try Self.schemajob(["test", "--database", files, "--from", Self.platform + "/start-up", "--dsn", try Self.scratchDSN()])
            #expect(proof.status == 0, "\(proof.stdout)\(proof.stderr)")
            #expect(proof.stderr.contains("an upgrade from \(Self.platform)/start-up equals a fresh install"), "\(proof.stderr)")
            let deploy = try Self.schemajob(["apply", "--database", files, "--dsn", Self.dsn(database)])
            #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
            #expect(try Self.drift(files, database).status == 0)
        }

        /// A fix that fails on the copy (a live row the type change cannot cast) is a
        /// suggestion naming the failure, and no file is written.
        @Test func aFixThatFailsOnTheCopyOfTheLiveSchemaIsAnUnprovenSuggestionAndNothingIsWritten() throws {
            let database = try Self.deployed()
            try database.sql("""
                ALTER TABLE gpu_types ALTER COLUMN max_gpus TYPE text;
                INSERT INTO gpu_types (gpu_type, instance_type, max_gpus) VALUES ('local-test', 'none', 'many');
                """)
            let (directory, files) = try Self.copyOfFiles()
            defer { _ = directory }
            let result = try Self.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("error: column gpu_types.max_gpus: type integer on a fresh install, text in the live database [differs-in-live]"), "\(result.stdout)")
            #expect(result.stdout.contains("-- suggestion (unproven): added as \(files)/schema/005_fix_drift.sql, it does not close the differences:\n"), "\(result.stdout)")
            #expect(result.stdout.contains("invalid input syntax for type integer"), "\(result.stdout)")
            #expect(!result.stdout.contains("-- fix (proven)"))
            #expect(result.stderr.contains("drift: nothing written to \(files)/schema: the fix is unproven"), "\(result.stderr)")
            #expect(result.stderr.contains(", 1 round (0 columns moved to the file that sorts first): unproven"), "the fix file's own failure moves nothing: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: files + "/schema/005_fix_drift.sql"))
        }

        @Test func undeclaredObjectsAreWarningsAndExitZero() throws {
            let database = try Self.deployed()
            try database.sql("CREATE TABLE sessions_old (id int PRIMARY KEY); ALTER TABLE disks ADD COLUMN legacy_flag boolean")
            let result = try Self.drift(Self.platform + "/database", database)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("live database (PGDATABASE=\(database.name) "), "\(result.stdout)")
            #expect(result.stdout.contains(": warning: table sessions_old: exists in the live database, not on a fresh install [undeclared]"), "\(result.stdout)")
            #expect(result.stdout.contains(": warning: column disks.legacy_flag: exists in the live database (boolean), not on a fresh install [undeclared]"))
            #expect(result.stderr.contains("drift: none: the live database equals a fresh install of the files; 2 warnings: undeclared objects"), "\(result.stderr)")
        }

        @Test func aChangedFunctionBodyADefaultAndAMissingEnumValueAreDriftWithTheirFixes() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            // The type as an older file made it: the files' DO block then leaves it alone.
            try database.sql("CREATE TYPE gpu_tier AS ENUM ('entry', 'standard', 'flagship'); ALTER TYPE gpu_tier OWNER TO gpudev")
            let deploy = try Self.schemajob(["apply", "--database", Self.platform + "/database", "--dsn", Self.dsn(database)])
            try #require(deploy.status == 0, "\(deploy.stderr)")
            try database.sql("""
                CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$;
                ALTER TABLE reservations ALTER COLUMN status SET DEFAULT 'queued';
                """)
            let result = try Self.drift(Self.platform + "/database", database)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("schema/001_reservations.sql:20: error: function touch_updated_at(): its definition differs on a fresh install and in the live database [differs-in-live]"), "\(result.stdout)")
            #expect(result.stdout.contains("    CREATE OR REPLACE FUNCTION public.touch_updated_at()"))
            #expect(result.stdout.contains("    NEW.updated_at = NOW();"))
            #expect(result.stdout.contains("error: column reservations.status: default 'pending'::character varying on a fresh install, 'queued'::character varying in the live database [differs-in-live]"), "\(result.stdout)")
            #expect(result.stdout.contains("    ALTER TABLE reservations ALTER COLUMN status SET DEFAULT 'pending'::character varying;"))
            #expect(result.stdout.contains("schema/003_gpu_types.sql:1: error: enum value gpu_tier 'retired': exists on a fresh install, missing in the live database"), "\(result.stdout)")
            #expect(result.stdout.contains("    ALTER TYPE gpu_tier ADD VALUE IF NOT EXISTS 'retired' AFTER 'flagship';"))
        }

        @Test func aMissingOrChangedFixtureRowIsDriftAndAnExtraRowIsNot() throws {
            let database = try Self.deployed()
            try database.sql("""
                DELETE FROM gpu_types WHERE gpu_type = 't4';
                UPDATE gpu_types SET max_gpus = 2 WHERE gpu_type = 'a100';
                INSERT INTO gpu_types (gpu_type, instance_type, max_gpus) VALUES ('local-test', 'none', 0);
                """)
            let result = try Self.drift(Self.platform + "/database", database)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("fixtures/001_gpu_types.sql:1: error: row gpu_types ('t4'): exists on a fresh install, missing in the live database"), "\(result.stdout)")
            #expect(result.stdout.contains("error: row gpu_types ('a100'): max_gpus 8 on a fresh install, 2 in the live database"), "\(result.stdout)")
            #expect(!result.stdout.contains("local-test"), "rows beyond the fixtures are the application's")
            let changed = result.stdout.split(separator: "\n").first { $0.contains("('a100')") } ?? ""
            #expect(!changed.contains("updated_at"), "NOW() is a generated value: \(changed)")
            #expect(result.stdout.components(separatedBy: "[fixture-row]").count - 1 == 2)
        }

        @Test func objectsAnExtensionOwnsAreLeftOut() throws {
            let database = try Self.deployed()
            // pgmq adds its queue tables to its extension; pg_trgm stands in for it here.
            try database.sql("""
                CREATE EXTENSION pg_trgm;
                CREATE TABLE q_gpu_reservations (msg_id bigint PRIMARY KEY, message jsonb);
                ALTER EXTENSION pg_trgm ADD TABLE q_gpu_reservations;
                """)
            let result = try Self.drift(Self.platform + "/database", database)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty, "neither the extension's functions nor the table it owns: \(result.stdout)")
        }

        @Test func aRoleThatCanWriteNothingRunsDriftAndLeavesTheDatabaseAsItWas() throws {
            let database = try Self.drifted()
            let server = database.server
            let reader = "reader_\(database.name.suffix(6))"
            try database.sql("""
                CREATE ROLE \(reader) LOGIN PASSWORD '\(server.password)';
                GRANT USAGE ON SCHEMA schemajob TO \(reader);
                GRANT SELECT ON ALL TABLES IN SCHEMA public, schemajob TO \(reader);
                ALTER ROLE \(reader) SET log_statement = 'all';
                """)
            let (schemaBefore, dataBefore) = (try database.schemaDump(), try database.dataDump())
            let logStart = (try? FileManager.default.attributesOfItem(atPath: server.scratch.logFile)[.size] as? Int) ?? 0

            let result = try Self.drift(Self.platform + "/database", database, user: reader)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.components(separatedBy: "[missing-in-live]").count - 1 == 7, "\(result.stdout)")
            #expect(result.stderr.contains("drift: the live session's locks on relations outside the catalogs: public.gpu_types AccessShareLock, schemajob.runs AccessShareLock\n"), "only the fixture table and the ledger are read: \(result.stderr)")
            #expect(try database.schemaDump() == schemaBefore)
            #expect(try database.dataDump() == dataBefore)

            // Every statement the reader's sessions sent, from the server's log.
            let log = try #require(FileHandle(forReadingAtPath: server.scratch.logFile))
            try log.seek(toOffset: UInt64(logStart))
            let text = String(decoding: try log.readToEnd() ?? Data(), as: UTF8.self)
            let statements = text.components(separatedBy: "LOG:  statement: ").dropFirst().map { $0.drop { $0.isWhitespace }.prefix { $0.isLetter } }
            #expect(!statements.isEmpty, "log_statement shows the reader's statements")
            for first in Set(statements) {
                #expect(["SELECT", "BEGIN", "WITH", "COMMIT"].contains(first.uppercased()), "a statement that is not a read: \(first)")
            }
            let writes = try database.sql("SELECT count(*) FROM pg_stat_database WHERE datname = current_database() AND xact_commit < 0")
            #expect(writes == "0\n")
        }

        @Test func aServerThatDoesNotAnswerIsOneLineAndExit2() throws {
            let dsn = "postgresql://postgres@127.0.0.1:\(try PostgresServer.freePort())/postgres"
            let result = try Self.schemajob(["drift", "--database", Self.platform + "/database", "--dsn", dsn])
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("cannot connect"), "\(result.stderr)")
        }

        /// On its own server the set runs as a role that is no superuser; the copy of the live
        /// schema is that role's, so the Job's migration can alter it and the fix is proven.
        @Test func withNoScratchServerNamedDriftStartsItsOwnProvesTheFixAndPrintsJSON() throws {
            let database = try Self.drifted()
            let (directory, files) = try Self.copyOfFiles()
            defer { _ = directory }
            let result = try Self.schemajob(["drift", "--database", files, "--dsn", Self.dsn(database), "--format", "json",
                                             "--fix-file", files + "/schema"])
            #expect(result.stderr.contains("drift: the fix was tried on a copy of the live schema in "), "\(result.stderr)")
            #expect(result.stderr.contains("drift: wrote 7 fixes to \(files)/schema/005_fix_drift.sql"), "\(result.stderr)")
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("drift: started postgres \(try PostgresServer.installation.get().version) for this run (the live server's major; "), "\(result.stderr)")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(parsed.count == 7)
            #expect(parsed.first?["rule"] as? String == "missing-in-live")
            #expect(parsed.first?["severity"] as? String == "error")
            #expect((parsed.first?["fix"] as? String)?.hasPrefix("ALTER TABLE reservations ADD COLUMN IF NOT EXISTS") == true)
        }
    }
}
