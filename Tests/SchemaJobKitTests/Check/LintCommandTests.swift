import Foundation
import Testing
@testable import SchemaJobKit

/// `schemajob lint`, `schemajob sum` and the lint gate of `render`, run as a user runs them.
@Suite struct LintCommandTests {
    /// A copy of the bundled database/ in a fresh directory, removed by the caller.
    static func copyOfTheDatabase() throws -> (root: URL, database: String) {
        let root = try CheckFixtures.temporaryDirectory()
        let database = root.appendingPathComponent("database").path
        try FileManager.default.copyItem(atPath: CheckFixtures.repositoryRoot.appendingPathComponent("database").path, toPath: database)
        return (root, database)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    @Test func lintIsCleanAndQuietOnTheBundledDatabase() throws {
        let result = try SchemaJobExecutable.run(["lint"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "lint: no findings in 10 files\n")
    }

    @Test func lintPrintsOneLinePerFindingAndExitsOne() throws {
        let (root, database) = try Self.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        try CheckFixtures.write("-- A new table.\nCREATE TABLE disk_tags (tag text);\n", to: URL(fileURLWithPath: database + "/schema/010_disk_tags.sql"))
        let deployed = URL(fileURLWithPath: database + "/schema/004_gpu_types.sql")
        try CheckFixtures.write(try String(contentsOf: deployed, encoding: .utf8) + "-- edited after deployment\n", to: deployed)

        let result = try SchemaJobExecutable.run(["lint", "--database", database], in: root.path)
        #expect(result.status == 1)
        #expect(Self.lines(result.stdout) == [
            "\(database)/schema/004_gpu_types.sql: error: 004_gpu_types.sql changed after it was deployed (schema.sum line 4 has sha256 7e38150799f1…, the file has \(sha256Hex(try Data(contentsOf: deployed)).prefix(12))…) [schema-sum-changed]",
            "\(database)/schema/010_disk_tags.sql:2:1: error: CREATE TABLE disk_tags fails on the next run, when it exists [create-if-not-exists]",
        ])
        #expect(result.stderr == "lint: 2 errors in 11 files\n")

        let github = try SchemaJobExecutable.run(["lint", "--database", database, "--format", "github"], in: root.path)
        #expect(github.status == 1)
        #expect(Self.lines(github.stdout).last?.hasPrefix(
            "::error file=\(database)/schema/010_disk_tags.sql,line=2,col=1,title=create-if-not-exists::CREATE TABLE disk_tags") == true)

        let json = try SchemaJobExecutable.run(["lint", "--database", database, "--format", "json"], in: root.path)
        #expect(json.status == 1)
        let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(objects?.compactMap { $0["rule"] as? String } == ["schema-sum-changed", "create-if-not-exists"])
    }

    @Test func lintThatCannotRunSaysWhyInOneLineAndExitsTwo() throws {
        let root = try CheckFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try SchemaJobExecutable.run(["lint", "--database", "no-such-dir"], in: root.path)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "no-such-dir: error: no such directory (give another with --database)\n")

        let badFormat = try SchemaJobExecutable.run(["lint", "--format", "xml"])
        #expect(badFormat.status == 2)
        #expect(Self.lines(badFormat.stderr).count == 1)
    }

    @Test func sumWritesTheLockAndWillNotRelockAChangedFile() throws {
        let (root, database) = try Self.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let sumPath = database + "/schema.sum"
        let shipped = try String(contentsOfFile: sumPath, encoding: .utf8)
        try FileManager.default.removeItem(atPath: sumPath)

        let written = try SchemaJobExecutable.run(["sum", "--database", database], in: root.path)
        #expect(written.status == 0)
        #expect(try String(contentsOfFile: sumPath, encoding: .utf8) == shipped, "the shipped sum is what sum writes")

        let file = URL(fileURLWithPath: database + "/schema/002_reservations.sql")
        try CheckFixtures.write(try String(contentsOf: file, encoding: .utf8) + "-- edited\n", to: file)
        let refused = try SchemaJobExecutable.run(["sum", "--database", database], in: root.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[schema-sum-changed]"))
        #expect(try String(contentsOfFile: sumPath, encoding: .utf8) == shipped, "nothing written")

        let forced = try SchemaJobExecutable.run(["sum", "--database", database, "--force"], in: root.path)
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("--force"))
        #expect(try SchemaJobExecutable.run(["lint", "--database", database], in: root.path).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: database).sorted() == ["README.md", "fixtures", "schema", "schema.sum"],
                "no temporary file left behind")
    }

    @Test func renderWritesNothingWhenLintHasFindingsUnlessToldLoudly() throws {
        let (root, database) = try Self.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        try CheckFixtures.write("TRUNCATE reservations;\n", to: URL(fileURLWithPath: database + "/schema/010_reset.sql"))
        let output = root.appendingPathComponent("out.yaml").path

        let refused = try SchemaJobExecutable.run(["render", "--database", database, "-o", output], in: root.path)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("\(database)/schema/010_reset.sql:1:1: error: TRUNCATE empties reservations on every run [truncate]"))
        #expect(refused.stderr.contains("--no-lint"))
        #expect(!FileManager.default.fileExists(atPath: output))

        let forced = try SchemaJobExecutable.run(["render", "--database", database, "-o", output, "--no-lint"], in: root.path)
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("WARNING: --no-lint"))
        #expect(FileManager.default.fileExists(atPath: output))
    }

    @Test func warningsAloneNeverBlockRenderButStrictMakesThemFail() throws {
        let (root, database) = try Self.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        // Trailing spaces, as a real team's files have them: layout, not a broken deploy.
        try CheckFixtures.write("CREATE TABLE IF NOT EXISTS disk_tags (tag text);   \n-- note \n",
                                to: URL(fileURLWithPath: database + "/schema/010_disk_tags.sql"))
        let output = root.appendingPathComponent("out.yaml").path

        let lint = try SchemaJobExecutable.run(["lint", "--database", database], in: root.path)
        #expect(lint.status == 0)
        #expect(Self.lines(lint.stdout) == [
            "\(database)/schema/010_disk_tags.sql:1:49: warning: trailing whitespace [trailing-whitespace]",
            "\(database)/schema/010_disk_tags.sql:2:8: warning: trailing whitespace [trailing-whitespace]",
        ])
        #expect(lint.stderr == "lint: 2 warnings in 11 files\n")
        let strictLint = try SchemaJobExecutable.run(["lint", "--strict", "--database", database], in: root.path)
        #expect(strictLint.status == 1)

        let rendered = try SchemaJobExecutable.run(["render", "--database", database, "-o", output], in: root.path)
        #expect(rendered.status == 0)
        #expect(rendered.stderr.contains("warning: trailing whitespace [trailing-whitespace]"))
        #expect(rendered.stderr.contains("render: lint: 2 warnings in 11 files; warnings do not block"))
        let yaml = try String(contentsOfFile: output, encoding: .utf8)
        #expect(yaml.contains("010_disk_tags.sql"), "the manifest is written, the file held as a quoted scalar")
        // Read back, the ConfigMap holds the file byte for byte.
        let objects = try RenderedObjects(yaml: yaml)
        let schema = try #require(objects.configMaps.first { $0.key.hasPrefix("db-schema-") }?.value)
        #expect(schema["010_disk_tags.sql"] == "CREATE TABLE IF NOT EXISTS disk_tags (tag text);   \n-- note \n")

        try FileManager.default.removeItem(atPath: output)
        let strict = try SchemaJobExecutable.run(["render", "--strict", "--database", database, "-o", output], in: root.path)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("nothing done"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aFileEndingInsideABodyIsAnErrorThatStopsRender() throws {
        let (root, database) = try Self.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let cases: [(String, String)] = [
            ("CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN\n", "1:51: error: the dollar-quoted body opened by $$ is not closed"),
            ("SELECT 1;\nSELECT $body$ x\n", "2:8: error: the dollar-quoted body opened by $body$ is not closed"),
            ("SELECT 'open;\n", "1:8: error: a string literal is not closed"),
            ("SELECT 1 AS \"open;\n", "1:13: error: a quoted identifier is not closed"),
            ("SELECT 1; /* a comment /* nested */ still open\n", "1:11: error: a /* comment is not closed"),
        ]
        let output = root.appendingPathComponent("out.yaml").path
        for (text, expected) in cases {
            try CheckFixtures.write(text, to: URL(fileURLWithPath: database + "/schema/010_open.sql"))
            let lint = try SchemaJobExecutable.run(["lint", "--database", database], in: root.path)
            #expect(lint.status == 1, "\(text)")
            #expect(lint.stdout.contains("\(database)/schema/010_open.sql:\(expected) before the end of the file [unterminated]"), "\(lint.stdout)")
            let render = try SchemaJobExecutable.run(["render", "--database", database, "-o", output], in: root.path)
            #expect(render.status == 1)
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }
}
