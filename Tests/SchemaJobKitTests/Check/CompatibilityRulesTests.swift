import Foundation
import Testing
@testable import SchemaJobKit

/// lint's compatibility rules (warnings with the expand/contract advice) and the
/// `-- schemajob:contract <reason>` marker: what silences them, the bad input, and the
/// Job annotation `render` writes for a reviewer.
@Suite struct CompatibilityRulesTests {
    /// `rule@line` for each compatibility finding, in order.
    static func compatibility(_ findings: [Finding]) -> [String] {
        findings.filter { $0.lintRule?.family == .compatibility }.map { "\($0.rule.id)@\($0.location.line ?? 0)" }
    }

    @Test func eachStatementThatBreaksThePreviousReleaseIsAWarningWithTheExpandContractAdvice() {
        let findings = CheckFixtures.lint("""
            ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_code;
            ALTER TABLE accounts RENAME COLUMN nickname TO display_name;
            ALTER TABLE IF EXISTS audit_log RENAME TO audit_events;
            ALTER TABLE accounts ALTER COLUMN note TYPE integer USING note::integer;
            ALTER TABLE accounts ALTER COLUMN score SET NOT NULL;
            ALTER TABLE accounts ADD COLUMN IF NOT EXISTS region text NOT NULL;
            DROP TYPE IF EXISTS account_state;
            ALTER TYPE account_state RENAME VALUE 'frozen' TO 'suspended';
            DROP FUNCTION IF EXISTS account_label(bigint);
            DROP VIEW IF EXISTS account_names;
            DROP TABLE IF EXISTS sessions;
            CREATE OR REPLACE FUNCTION account_label(account_id bigint) RETURNS text LANGUAGE sql AS $$ SELECT 'a' $$;
            CREATE OR REPLACE FUNCTION account_label(account_id bigint, fallback text) RETURNS text LANGUAGE sql AS $$ SELECT fallback $$;
            """)
        #expect(Self.compatibility(findings) == [
            "release-drop@1", "release-rename@2", "release-rename@3", "release-type-change@4", "release-not-null@5",
            "release-not-null@6", "release-drop@7", "release-rename@8", "release-drop@9", "release-drop@10",
            "release-drop@11", "release-signature@13",
        ])
        #expect(findings.filter { $0.lintRule?.family == .compatibility }.allSatisfy { $0.severity == .warning })
        let signature = findings.first { $0.rule == .lint(.releaseSignature) }
        #expect(signature?.message.contains("has other arguments than at database/schema/001_test.sql:12:1 (account_id bigint)") == true, "\(signature?.message ?? "")")
        let notNull = findings.first { $0.rule == .lint(.releaseNotNull) && $0.location.line == 6 }
        #expect(notNull?.message.contains("the previous release's INSERTs do not name it") == true)
        #expect(notNull?.hint?.contains("DEFAULT") == true)
    }

    @Test func additionsWithADefaultNullableColumnsAndNewTablesDrawNone() {
        let findings = CheckFixtures.lint("""
            ALTER TABLE accounts ADD COLUMN IF NOT EXISTS vendor text NOT NULL DEFAULT 'unknown';
            ALTER TABLE accounts ADD COLUMN IF NOT EXISTS tags text[];
            ALTER TABLE accounts ADD COLUMN IF NOT EXISTS serial_no bigserial NOT NULL;
            ALTER TABLE accounts ADD COLUMN IF NOT EXISTS total integer NOT NULL GENERATED ALWAYS AS (1) STORED;
            ALTER TYPE account_state ADD VALUE IF NOT EXISTS 'paused';
            CREATE OR REPLACE FUNCTION account_label(account_id bigint) RETURNS text LANGUAGE sql AS $$ SELECT 'a' $$;
            CREATE OR REPLACE FUNCTION account_label(account_id bigint) RETURNS text LANGUAGE sql AS $$ SELECT 'b' $$;
            CREATE TABLE IF NOT EXISTS fresh (id bigint);
            ALTER TABLE fresh DROP COLUMN IF EXISTS id; -- schemajob:allow drop-column
            """)
        #expect(Self.compatibility(findings) == [], "\(findings.map(FindingFormat.textLine))")
    }

    @Test func anAllowCommentOrAContractMarkerSilencesThemAndTheContractAlsoSilencesTheDropRule() {
        let findings = CheckFixtures.lint("""
            -- schemajob:allow release-rename: the old name is kept by a view
            ALTER TABLE accounts RENAME COLUMN nickname TO display_name;
            -- schemajob:contract the API stopped reading legacy_code in 1.8
            ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_code;
            DROP TABLE IF EXISTS sessions; -- schemajob:contract sessions moved to Redis in 1.7
            """)
        #expect(Self.compatibility(findings) == [], "\(findings.map(FindingFormat.textLine))")
        #expect(!findings.contains { $0.rule == .lint(.dropColumn) || $0.rule == .lint(.dropTable) }, "the marker says the drop is meant")
        let set = MigrationSet(directory: "database", files: [CheckFixtures.schema("001_test.sql", """
            -- schemajob:contract the API stopped reading legacy_code in 1.8
            ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_code;
            """)])
        #expect(MigrationAnalysis(set).contracts.map(\.annotationEntry) == ["schema/001_test.sql:2 the API stopped reading legacy_code in 1.8"])
    }

    @Test func aCommentAfterTheLastStatementOfAFileBelongsToIt() {
        // psql's splitter keeps no statement for the comments after a file's last `;`.
        #expect(CheckFixtures.lint("DROP TABLE IF EXISTS sessions; -- schemajob:allow drop-table, release-drop").isEmpty)
        #expect(CheckFixtures.lint("DROP TABLE IF EXISTS sessions; -- schemajob:contract sessions moved to Redis\n").isEmpty)
    }

    @Test func aContractMarkerOnAStatementThatBreaksNothingIsAWarning() {
        let findings = CheckFixtures.lint("""
            -- schemajob:contract the handle index is new
            CREATE INDEX IF NOT EXISTS accounts_handle ON accounts (handle);
            """)
        #expect(Self.compatibility(findings) == ["contract-breaks-nothing@1"])
        #expect(findings.first { $0.rule == .lint(.contractBreaksNothing) }?.severity == .warning)
    }

    @Test func aFileLockedInSchemaSumGetsNoCompatibilityAdvice() throws {
        let (root, database) = try LintCommandTests.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let set = try DatabaseReader.read(directory: database)
        #expect(Self.compatibility(Linter.lint(set)) == [], "the bundled, deployed set is left alone")
    }

    /// A database directory: the bundled set plus `file` as schema/099_contract.sql.
    static func bundledWith(_ text: String) throws -> (root: URL, database: String) {
        let (root, database) = try LintCommandTests.copyOfTheDatabase()
        try CheckFixtures.write(text, to: URL(fileURLWithPath: database + "/schema/099_contract.sql"))
        return (root, database)
    }

    @Test func aContractMarkerWithoutAReasonIsOneLineAndExitTwoForLintAndRenderAndNothingIsWritten() throws {
        for marker in ["-- schemajob:contract", "-- schemajob:contract   ", "/* schemajob:contract */"] {
            let (root, database) = try Self.bundledWith("\(marker)\nALTER TABLE api_users DROP COLUMN IF EXISTS username;\n")
            defer { try? FileManager.default.removeItem(at: root) }
            let output = root.appendingPathComponent("out.yaml").path
            for arguments in [["lint", "--database", database], ["render", "--database", database, "-o", output]] {
                let result = try SchemaJobExecutable.run(arguments, in: root.path)
                #expect(result.status == 2, "\(arguments[0]) \(marker): \(result.stdout)\(result.stderr)")
                #expect(result.stderr == "\(database)/schema/099_contract.sql:1:1: error: -- schemajob:contract needs a reason: say what no longer uses what this statement breaks (-- schemajob:contract the API stopped reading users.nickname in 1.8)\n", "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
            #expect(!FileManager.default.fileExists(atPath: output), "nothing written")
        }
    }

    @Test func renderListsTheContractStepsOnTheJobAndTheManifestStillValidates() throws {
        let tool = ProcessInfo.processInfo.environment["SCHEMAJOB_KUBERNETES_VALIDATE"] ?? Repository.root + "/.venv/bin/kubernetes-validate"
        try #require(FileManager.default.isExecutableFile(atPath: tool),
                     "kubernetes-validate is missing: run `bash scripts/test`, which installs it into .venv")
        let (root, database) = try Self.bundledWith("""
            -- schemajob:contract the API stopped reading api_keys.description in 2.3
            ALTER TABLE api_keys DROP COLUMN IF EXISTS description;

            DROP TABLE IF EXISTS api_key_audit; -- schemajob:contract: audit moved to the log pipeline in 2.2

            """)
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.yaml").path
        let rendered = try SchemaJobExecutable.run(["render", "--database", database, "-o", output], in: root.path)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(!rendered.stderr.contains("[release-drop]") && !rendered.stderr.contains("[drop-column]"), "\(rendered.stderr)")

        let text = try String(contentsOfFile: output, encoding: .utf8)
        let job = try #require(try RenderedObjects(yaml: text).objects.first { $0.kind == "Job" })
        let annotations = job.metadata.annotations
        #expect(annotations?["schemajob/contract"]
            == "schema/099_contract.sql:2 the API stopped reading api_keys.description in 2.3; schema/099_contract.sql:4 audit moved to the log pipeline in 2.2")
        #expect(annotations?["schemajob/hash"] != nil, "the template's own annotation stays")

        let validated = try SchemaJobExecutable.runProgram(tool, ["--strict", output])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let plain = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database))
        let plainJob = try #require(plain.manifests.first { $0.kind == "Job" })
        #expect(plainJob.node.mapping?["metadata"]?.mapping?["annotations"]?.mapping?["schemajob/contract"] == nil,
                "a set without markers has no annotation (the golden render is unchanged)")
    }
}
