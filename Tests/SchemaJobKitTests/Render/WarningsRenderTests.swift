import Foundation
import Testing
@testable import SchemaJobKit

/// A set whose only findings are warnings renders: the manifest is written, passes
/// kubernetes-validate, and holds every file byte for byte (as a quoted scalar where
/// YAML cannot keep it in a literal block).
@Suite struct WarningsRenderTests {
    @Test func layoutWarningsStillRenderAValidManifestThatReadsBackByteForByte() throws {
        let tool = ProcessInfo.processInfo.environment["SCHEMAJOB_KUBERNETES_VALIDATE"] ?? Repository.root + "/.venv/bin/kubernetes-validate"
        try #require(FileManager.default.isExecutableFile(atPath: tool),
                     "kubernetes-validate is missing: run `bash scripts/test`, which installs it into .venv")
        let (root, database) = try LintCommandTests.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = [
            "010_trailing_spaces.sql": "CREATE TABLE IF NOT EXISTS disk_tags (tag text);   \n-- note \n",
            "011_tabs.sql": "CREATE TABLE IF NOT EXISTS disk_notes (\n\tnote text\n);\n",
            "012_crlf.sql": "CREATE TABLE IF NOT EXISTS disk_marks (mark text);\r\n",
            "013_separator.sql": "COMMENT ON TABLE disk_marks IS 'one\u{2028}two';\n",
        ]
        for (name, text) in files {
            try CheckFixtures.write(text, to: URL(fileURLWithPath: database + "/schema/" + name))
        }
        let output = root.appendingPathComponent("out.yaml").path

        let rendered = try SchemaJobExecutable.run(["render", "--database", database, "-o", output], in: root.path)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        for rule in ["trailing-whitespace", "unsafe-character"] {
            #expect(rendered.stderr.contains("warning: ") && rendered.stderr.contains("[\(rule)]"))
        }
        #expect(!rendered.stderr.contains(": error: "))

        let validated = try SchemaJobExecutable.runProgram(tool, ["--strict", output])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let objects = try RenderedObjects(yaml: try String(contentsOfFile: output, encoding: .utf8))
        let schema = try #require(objects.configMaps.first { $0.key.hasPrefix("db-schema-") }?.value)
        for (name, text) in files {
            #expect(schema[name].map { Array($0.utf8) } == Array(text.utf8), "\(name) reads back byte for byte")
        }
    }
}
