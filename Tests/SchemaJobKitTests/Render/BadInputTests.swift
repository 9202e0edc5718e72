import Foundation
import Testing
@testable import SchemaJobKit

/// Bad input: one line on stderr naming the file (and line), exit 2, nothing written.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Breaks a fresh copy of database/ and templates/ in `root`; returns extra arguments.
        var breakInput: @Sendable (_ root: String) throws -> [String]
        /// What the one stderr line must contain, with `ROOT` standing for the copy's path.
        var expected: String
        var testDescription: String { name }
    }

    static func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static let cases: [Case] = [
        Case(name: "missing database directory", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/database")
            return []
        }, expected: "ROOT/database: error: no such directory"),
        Case(name: "empty schema directory", breakInput: { root in
            for file in try FileManager.default.contentsOfDirectory(atPath: root + "/database/schema") {
                try FileManager.default.removeItem(atPath: root + "/database/schema/" + file)
            }
            return []
        }, expected: "ROOT/database/schema: error: no .sql files"),
        Case(name: "file name that is not a ConfigMap key", breakInput: { root in
            try write("SELECT 1;\n", root + "/database/schema/010 new table.sql")
            return []
        }, expected: "ROOT/database/schema/010 new table.sql: error: file name is not a valid ConfigMap key"),
        Case(name: "file that is not UTF-8", breakInput: { root in
            try Data("SELECT 1;\nSELECT '\u{00}".utf8 + [0xC3, 0x28] + Data("';\n".utf8))
                .write(to: URL(fileURLWithPath: root + "/database/fixtures/002_latin1.sql"))
            return []
        }, expected: "ROOT/database/fixtures/002_latin1.sql:2:10: error: file is not valid UTF-8"),
        Case(name: "template that is not YAML", breakInput: { root in
            try write("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: [unclosed\n", root + "/templates/job.yaml")
            return []
        }, expected: "ROOT/templates/job.yaml:5:1: error: not valid YAML"),
        Case(name: "template with an unknown placeholder", breakInput: { root in
            let path = root + "/templates/job.yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try write(text.replacingOccurrences(of: "${job.backoffLimit}", with: "${job.retries}"), path)
            return []
        }, expected: "ROOT/templates/job.yaml:19:17: error: unknown placeholder ${job.retries}"),
        Case(name: "unknown --set key", breakInput: { _ in ["--set", "job.retries=3"] },
             expected: "--set job.retries=3: error: unknown setting 'job.retries'"),
        Case(name: "--set without a value", breakInput: { _ in ["--set", "namespace"] },
             expected: "--set namespace: error: expected KEY=VALUE"),
        Case(name: "--set with a bad number", breakInput: { _ in ["--set", "job.backoffLimit=1e9"] },
             expected: "--set job.backoffLimit=1e9: error: 'job.backoffLimit' must be a whole number"),
        Case(name: "--set with a word the setting does not know", breakInput: { _ in ["--set", "job.reapply=sometimes"] },
             expected: "--set job.reapply=sometimes: error: 'job.reapply' must be one of if-changed, always, not 'sometimes'"),
        Case(name: "--set with a bad name", breakInput: { _ in ["--set", "namespace=Not_A_Label"] },
             expected: "--set namespace=Not_A_Label: error: 'namespace' must be a DNS-1123 label"),
        Case(name: "config file with an unknown key", breakInput: { root in
            try write("namespace: apps\npostgres:\n  hostname: db\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:3:3: error: unknown setting 'postgres.hostname'"),
        Case(name: "config file with a negative number", breakInput: { root in
            try write("job:\n  backoffLimit: -1\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:17: error: 'job.backoffLimit' must be between 0 and 20, not -1"),
        Case(name: "unknown flag", breakInput: { _ in ["--frobnicate"] },
             expected: "schemajob: error: Unknown option '--frobnicate'"),
    ]

    @Test(arguments: cases)
    func badInputIsOneLineExitTwoAndNothingWritten(_ badCase: Case) throws {
        let directory = try TemporaryDirectory()
        let root = directory.path
        try Repository.copy(Repository.database, to: root + "/database")
        try Repository.copy(Repository.templates, to: root + "/templates")
        let extra = try badCase.breakInput(root)
        let output = root + "/out.yaml"
        try "previous render\n".write(toFile: output, atomically: true, encoding: .utf8)
        let entriesBefore = try FileManager.default.contentsOfDirectory(atPath: root).sorted()

        let result = try SchemaJobExecutable.run(
            ["render", "--database", root + "/database", "--templates", root + "/templates", "-o", output] + extra,
            in: root)

        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "expected one line on stderr, got:\n\(result.stderr)")
        let expected = badCase.expected.replacingOccurrences(of: "ROOT", with: root)
        #expect(result.stderr.hasPrefix(expected), "stderr was: \(result.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous render\n")
        // No temporary file left behind either.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == entriesBefore)
    }

    @Test func settingsFromTheFileAreOverriddenByFlags() throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/schemajob.yaml"
        try "namespace: staging\napi:\n  replicas: 3\n  image: registry.example/api:1.0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let settings = try SchemaJob.settings(for: RenderRequest(configFile: config, settingOverrides: ["api.replicas=5"]))
        #expect(settings["namespace"] == .string("staging"))
        #expect(settings["api.replicas"] == .integer(5))
        #expect(settings["api.image"] == .string("registry.example/api:1.0"))
        #expect(settings["postgres.host"] == .string("postgres-primary"))
    }

    @Test func aValueThatLooksLikeANumberStaysAStringInTheManifests() throws {
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database, settingOverrides: ["postgres.database=0755", "postgres.user=yes"]))
        let yaml = try rendering.yaml()
        #expect(yaml.contains("value: '0755'"))
        #expect(yaml.contains("value: 'yes'"))
    }
}
