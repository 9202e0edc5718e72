import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// A pull request's `database/` is untrusted input: each escape below, as a user might
    /// write it, is an error for `lint`, is refused by `render`, `apply` and `test` (with or
    /// without `--no-lint`) and by `drift` and `plan`, and leaves no trace, even where `test`'s connection is a
    /// superuser (the harness's `postgres`, over `--dsn`).
    @Suite struct UntrustedInputTests {
        struct Escape: Sendable, CustomTestStringConvertible {
            var name: String
            /// `MARKER` stands for a path the escape would create (or, for a read, the
            /// file whose secret content would show in the output).
            var sql: String
            var line: Int
            var reads = false
            var testDescription: String { name }
        }

        static let escapes: [Escape] = [
            Escape(name: "a shell command after a statement on its line", sql: "CREATE TABLE IF NOT EXISTS t (id int); \\! touch MARKER\n", line: 1),
            Escape(name: "query output sent to a file mid-line", sql: "SELECT 1; \\o MARKER\nSELECT 'written';\n", line: 1),
            Escape(name: "a result written to a file by \\g", sql: "SELECT 'written' \\g MARKER\n", line: 1),
            Escape(name: "a result piped to a shell by \\g", sql: "SELECT 1 \\g |touch MARKER\n", line: 1),
            Escape(name: "a result run as SQL by \\gexec", sql: "SELECT 'COPY (SELECT 1) TO PROGRAM ''touch MARKER''' \\gexec\n", line: 1),
            Escape(name: "backticks in \\set at the start of a line", sql: "\\set x `touch MARKER`\n", line: 1),
            Escape(name: "\\copy to a client file", sql: "\\copy (SELECT 1) TO 'MARKER'\n", line: 1),
            Escape(name: "COPY TO PROGRAM", sql: "COPY (SELECT 1) TO PROGRAM 'touch MARKER';\n", line: 1),
            Escape(name: "COPY FROM PROGRAM", sql: "CREATE TABLE IF NOT EXISTS l (line text);\nCOPY l FROM PROGRAM 'touch MARKER';\n", line: 2),
            Escape(name: "COPY TO a server file", sql: "COPY (SELECT 1) TO 'MARKER';\n", line: 1),
            Escape(name: "lo_export to a server file", sql: "SELECT lo_export(lo_from_bytea(0, 'x'), 'MARKER');\n", line: 1),
            Escape(name: "pg_read_file of a server file", sql: "\nSELECT pg_read_file('MARKER');\n", line: 2, reads: true),
            Escape(name: "a COPY TO PROGRAM inside a DO block", sql: "DO $$\nBEGIN\n  EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch MARKER''';\nEND $$;\n", line: 3),
            Escape(name: "standard_conforming_strings turned off to hide a meta-command in a string",
                   sql: "SET standard_conforming_strings = off;\nSELECT 'a\\'' \\! touch MARKER ';\n", line: 1),
        ]

        /// A database/ holding the escape, and the marker path it names.
        static func database(for escape: Escape) throws -> (directory: String, marker: String) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("schemajob-escape-\(UUID().uuidString)").path
            // Under /tmp, which the server's own user can write too: a server-side escape
            // would be able to leave its marker there.
            let marker = "/tmp/schemajob-escape-marker-\(UUID().uuidString)"
            if escape.reads {
                try Data("secret-\(UUID().uuidString)".utf8).write(to: URL(fileURLWithPath: marker))
                chmod(marker, 0o644)
            }
            try FileManager.default.createDirectory(atPath: root + "/schema", withIntermediateDirectories: true)
            try Data(escape.sql.replacingOccurrences(of: "MARKER", with: marker).utf8)
                .write(to: URL(fileURLWithPath: root + "/schema/001_escape.sql"))
            return (root, marker)
        }

        /// What the escape would have left: its marker file, or the secret in the output.
        static func trace(of escape: Escape, marker: String, output: String) throws -> Bool {
            if escape.reads {
                let secret = try String(contentsOfFile: marker, encoding: .utf8)
                return output.contains(secret)
            }
            return FileManager.default.fileExists(atPath: marker)
        }

        @Test(arguments: escapes)
        func lintRenderApplyAndTestEachRefuseTheEscapeAndNothingIsLeft(_ escape: Escape) throws {
            let (directory, marker) = try Self.database(for: escape)
            defer {
                try? FileManager.default.removeItem(atPath: directory)
                try? FileManager.default.removeItem(atPath: marker)
            }
            let place = "001_escape.sql:\(escape.line):"
            let environment = ProveCommandTests.environment

            let lint = try SchemaJobExecutable.run(["lint", "--database", directory], environment: environment)
            #expect(lint.status == 1, "\(lint.stdout)\(lint.stderr)")
            #expect((lint.stdout + lint.stderr).contains(place), "\(lint.stdout)\(lint.stderr)")

            for noLint in [[], ["--no-lint"]] {
                let render = try SchemaJobExecutable.run(["render", "--database", directory] + noLint, environment: environment)
                #expect(render.status == 2, "\(noLint) \(render.stderr)")
                #expect(render.stdout.isEmpty)
                #expect(render.stderr.contains(place) && render.stderr.contains("error:"), "\(render.stderr)")
                #expect(render.stderr.split(separator: "\n").count == 1, "one line: \(render.stderr)")

                let apply = try SchemaJobExecutable.run(
                    ["apply", "--database", directory, "--dsn", try ProveCommandTests.dsn()] + noLint, environment: environment)
                #expect(apply.status == 2, "\(apply.stdout)\(apply.stderr)")
                #expect(apply.stderr.contains(place), "\(apply.stderr)")
                #expect(!(try Self.trace(of: escape, marker: marker, output: apply.stdout + apply.stderr)))
            }

            let test = try SchemaJobExecutable.run(["test", "--database", directory, "--dsn", try ProveCommandTests.dsn()], environment: environment)
            #expect(test.status == 2, "\(test.stdout)\(test.stderr)")
            #expect(test.stderr.contains(place), "\(test.stderr)")
            #expect(!(test.stdout + test.stderr).contains("proven"), "\(test.stdout)\(test.stderr)")
            #expect(!(try Self.trace(of: escape, marker: marker, output: test.stdout + test.stderr)))

            // drift and plan build the set on a scratch database too: refused before either
            // the live database or the scratch server is touched.
            for command in ["drift", "plan"] {
                let run = try SchemaJobExecutable.run(
                    [command, "--database", directory, "--dsn", try ProveCommandTests.dsn(), "--scratch-dsn", try ProveCommandTests.dsn()],
                    environment: environment)
                #expect(run.status == 2, "\(command): \(run.stdout)\(run.stderr)")
                #expect(run.stderr.contains(place), "\(command): \(run.stderr)")
                #expect(!(try Self.trace(of: escape, marker: marker, output: run.stdout + run.stderr)))
            }
        }

        /// The second wall, without the first: a file the refusal never saw (written
        /// here straight into the Job's way of running files) still cannot make psql run
        /// a meta-command, as a superuser: its text reaches the server, which rejects it.
        @Test func theJobsWayOfRunningAFileNeverLetsPsqlReadAMetaCommand() throws {
            let server = try #require(PostgresServer.current)
            let database = try server.createDatabase()
            let files = FileManager.default.temporaryDirectory.appendingPathComponent("schemajob-files-\(UUID().uuidString)").path
            let marker = "/tmp/schemajob-escape-marker-\(UUID().uuidString)"
            defer {
                try? FileManager.default.removeItem(atPath: files)
                try? FileManager.default.removeItem(atPath: marker)
            }
            for (index, escape) in ["\\! touch \(marker)", "\\o \(marker)", "\\g |touch \(marker)", "\\set x `touch \(marker)`"].enumerated() {
                let text = "CREATE TABLE IF NOT EXISTS ran_\(index) (id int); SELECT 1 \(escape)\n"
                let file = MigrationFile(phase: .schema, name: "00\(index)_escape.sql", displayPath: "x", text: text)
                try FileManager.default.createDirectory(atPath: files + "/schema", withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: files + "/schema/" + file.name))
                let script = files + "/script.psql"
                let lines = ["\\set files '\(files)'", "\\set VERBOSITY verbose"] + QueryText.lines(running: file)
                try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: script))
                let error = try #require(throws: HarnessError.self) {
                    try server.psql(file: script, database: database.name, user: "postgres")
                }
                #expect(error.description.contains("syntax error at or near \"\\\""), "\(error)")
                #expect(!FileManager.default.fileExists(atPath: marker), "\(escape)")
                // The statement before it on the line did run, as query text.
                #expect(try database.sql("SELECT to_regclass('ran_\(index)') IS NOT NULL") == "t\n")
            }
            // Text beyond ASCII reaches the server whole: the pieces are cut by bytes.
            let text = "CREATE TABLE IF NOT EXISTS words (w text);\nINSERT INTO words VALUES (E'gr\\u00fc\\u00dfe'\n  ' 日本😀');\n"
            let file = MigrationFile(phase: .schema, name: "009_words.sql", displayPath: "x", text: text)
            try Data(text.utf8).write(to: URL(fileURLWithPath: files + "/schema/" + file.name))
            let script = files + "/script.psql"
            try Data((["\\set files '\(files)'"] + QueryText.lines(running: file)).joined(separator: "\n").utf8)
                .write(to: URL(fileURLWithPath: script))
            _ = try server.psql(file: script, database: database.name, user: "postgres")
            #expect(try database.sql("SELECT w FROM words") == "grüße 日本😀\n")
        }

        /// `test --dsn` (the superuser) on a database/ of one schema file holding `sql`.
        static func prove(_ sql: String, _ flags: [String]) throws -> SchemaJobExecutable.Result {
            let (directory, _) = try database(for: Escape(name: "bounded", sql: sql, line: 1))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try SchemaJobExecutable.run(
                ["test", "--database", directory, "--dsn", try ProveCommandTests.dsn()] + flags,
                environment: ProveCommandTests.environment)
        }

        @Test func aStatementPastTheTimeoutFailsTheProofAndIsNamed() throws {
            let result = try Self.prove("SELECT pg_sleep(5);\n", ["--statement-timeout", "1"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("001_escape.sql:1: error:") && result.stdout.contains("statement timeout"), "\(result.stdout)")
        }

        @Test func aFileThatLiftsTheStatementTimeoutIsStillEndedPastIt() throws {
            let started = ContinuousClock.now
            let result = try Self.prove("SET statement_timeout = 0;\nSELECT pg_sleep(30);\n", ["--statement-timeout", "1"])
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("a statement ran past --statement-timeout 1"), "\(result.stderr)")
            #expect(ContinuousClock.now - started < .seconds(25), "ended by the watch, not by pg_sleep's end")
        }

        @Test func aScratchDatabasePastItsSizeBoundEndsTheRun() throws {
            let result = try Self.prove(
                "CREATE TABLE IF NOT EXISTS big AS SELECT g AS id, repeat('x', 400) AS pad FROM generate_series(1, 60000) AS g;\n",
                ["--max-database-size", "12"])
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("past --max-database-size 12"), "\(result.stderr)")
            #expect(try ProveCommandTests.scratchDatabasesLeft(result.stderr) == "0\n")
        }
    }
}

/// `test` on the server it starts itself: the set runs as a role that owns its scratch
/// database and is no superuser, so PostgreSQL refuses what no lexical rule can see.
@Suite struct LeastPrivilegeTests {
    @Test func onItsOwnServerTestRunsTheSetAsNoSuperuserSoAnAssembledCopyToProgramIsRefused() throws {
        let marker = "/tmp/schemajob-escape-marker-\(UUID().uuidString)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schemajob-escape-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: marker)
        }
        // The command is assembled at run time: no rule reads it, only privileges stop it.
        let sql = """
            CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY);
            DO $$
            BEGIN
                EXECUTE 'COPY (SELECT 1) TO PROG' || 'RAM ''touch \(marker)''';
            END $$;

            """
        try FileManager.default.createDirectory(atPath: directory + "/schema", withIntermediateDirectories: true)
        try Data(sql.utf8).write(to: URL(fileURLWithPath: directory + "/schema/001_notes.sql"))
        let lint = try SchemaJobExecutable.run(["lint", "--database", directory])
        #expect(lint.status == 0, "no rule sees it: \(lint.stdout)\(lint.stderr)")

        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let result = try SchemaJobExecutable.run(["test", "--database", directory], environment: environment)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("001_notes.sql:2: error:"), "\(result.stdout)")
        // 15 names the role in the error; 16 and later say "permission denied" (the role is in its DETAIL).
        #expect(
            result.stdout.contains("pg_execute_server_program") || result.stdout.contains("ERROR: permission denied to COPY to or from an external program"),
            "PostgreSQL refused it for want of privilege: \(result.stdout)")
        #expect(result.stderr.contains("test: not proven: "), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
