import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// Every command's JSON has the fields docs/json.md lists, and the golden files under
/// Golden/ pin whole documents. SCHEMAJOB_UPDATE_GOLDEN=1 rewrites the golden files;
/// read every changed line before committing them.
@Suite struct JSONShapeTests {
    static let page = Repository.root + "/docs/json.md"

    /// The first column of the table under the `finding fields` comment.
    static func documentedFindingFields() throws -> [String] {
        let text = try String(contentsOfFile: page, encoding: .utf8)
        let table = try #require(text.components(separatedBy: "<!-- finding fields").dropFirst().first)
        return table.split(separator: "\n").dropFirst(3).prefix { $0.hasPrefix("|") }.compactMap { row in
            row.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        }
    }

    /// Every `"name"` in the command's row of the page's table of documents.
    static func documentedKeys(_ command: String) throws -> Set<String> {
        let text = try String(contentsOfFile: page, encoding: .utf8)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `\(command)") })
        return Set(row.matches(of: #/"([a-z_0-9]+)"/#).map { String($0.1) })
    }

    /// Every key at every level of a document, except the keys of `locks` (table names).
    static func keys(_ value: Any) -> Set<String> {
        switch value {
        case let object as [String: Any]:
            return object.reduce(into: Set(object.keys)) { keys, entry in
                if entry.key != "locks" { keys.formUnion(Self.keys(entry.value)) }
            }
        case let array as [Any]:
            return array.reduce(into: []) { $0.formUnion(Self.keys($1)) }
        default:
            return []
        }
    }

    static func parsed(_ json: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(json.utf8))
    }

    static func expectGolden(_ text: String, _ name: String) throws {
        let path = Repository.golden + "/" + name
        if ProcessInfo.processInfo.environment["SCHEMAJOB_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden, "differs from Golden/\(name); rerun with SCHEMAJOB_UPDATE_GOLDEN=1 and review the diff")
    }

    // MARK: The documents, made from plain values

    static let lintSet = MigrationSet(directory: "database", files: [
        CheckFixtures.schema("001_disks.sql", "CREATE TABLE disks (id int);\nCREATE INDEX disks_id ON disks (id);\n"),
        CheckFixtures.schema("notes.sql", "SELECT 1;\n"),
    ])

    static let proofReport = ProofReport(
        findings: [
            Finding(.notIdempotent, at: SourceLocation(path: "database/fixtures/001_gpu_types.sql", line: 3),
                    object: "row gpu_types ('t4')", "memory_gb is 16 after run 1, 32 after run 2"),
            Finding(.upgradeDiffers, at: SourceLocation(path: "database/schema/001_disks.sql", line: 1),
                    object: "column disks.zone", "exists on a fresh install (text), missing after the upgrade",
                    fix: "ALTER TABLE disks ADD COLUMN IF NOT EXISTS zone text;"),
        ],
        proven: [],
        fix: ProofFix(script: "ALTER TABLE disks ADD COLUMN IF NOT EXISTS zone text;\n",
                      path: "database/schema/002_upgrade_fix.sql", isProven: true, remaining: []))

    static let planReport = LivePlanReport(
        outcome: .wouldFail, headline: "plan: last migrated with hash 2dc9a37b2b",
        steps: [
            PlanStep(location: SourceLocation(path: "database/schema/001_disks.sql", line: 1),
                     statement: "ALTER TABLE disks ALTER COLUMN size_gb TYPE bigint", changes: ["alters column disks.size_gb"],
                     locks: ["public.disks": "ACCESS EXCLUSIVE"], rewrites: ["public.disks"]),
            PlanStep(location: SourceLocation(path: "database/fixtures/001_gpu_types.sql", line: 2),
                     statement: "INSERT INTO gpu_types VALUES ('t4')", changes: [], locks: [:], rewrites: []),
        ],
        failure: Finding(.sqlFailed, at: SourceLocation(path: "database/fixtures/001_gpu_types.sql", line: 2),
                         object: "statement `INSERT INTO gpu_types VALUES ('t4')`",
                         "fails as the next deploy: ERROR: duplicate key value violates unique constraint"),
        notes: [])

    /// A two-object render: a ConfigMap named by its hash and a Service.
    static func render(hash: String, columnType: String, port: Int) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: db-schema-\(hash), labels: {schemajob/hash: \(hash)}}
        data: {001_a.sql: "CREATE TABLE IF NOT EXISTS a (id \(columnType));\\n"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api}
        spec: {ports: [{name: http, port: \(port)}]}
        """
    }

    static func renderDiff() throws -> RenderDiff {
        let directory = try TemporaryDirectory(prefix: "schemajob-json")
        try render(hash: "aaaaaaaaaa", columnType: "int", port: 80)
            .write(toFile: directory.path + "/old.yaml", atomically: true, encoding: .utf8)
        try render(hash: "bbbbbbbbbb", columnType: "bigint", port: 8080)
            .write(toFile: directory.path + "/new.yaml", atomically: true, encoding: .utf8)
        return RenderDiff.compare(old: try RenderReader.read(directory.path + "/old.yaml"),
                                  new: try RenderReader.read(directory.path + "/new.yaml"))
    }

    // MARK: Fields

    @Test func everyFindingHasExactlyTheDocumentedFieldsWhicheverCommandPrintsIt() throws {
        let fields = Set(try Self.documentedFindingFields())
        #expect(fields.count == 11, "\(fields.sorted())")
        let lint = try #require(try Self.parsed(try FindingFormat.json.render(Linter.lint(Self.lintSet))) as? [[String: Any]])
        let proof = try #require(try Self.parsed(try ProofFormat.render(Self.proofReport, as: .json)) as? [[String: Any]])
        let plan = try #require(try Self.parsed(try LivePlanFormat.render(Self.planReport, as: .json)) as? [String: Any])
        let failure = try #require(plan["failure"] as? [String: Any])
        #expect(!lint.isEmpty && !proof.isEmpty)
        for finding in lint + proof + [failure] {
            #expect(Set(finding.keys) == fields, "\(finding)")
        }
    }

    @Test func planDiffAndHashHaveExactlyTheDocumentedKeys() throws {
        let plan = try Self.parsed(try LivePlanFormat.render(Self.planReport, as: .json))
        let findingFields = Set(try Self.documentedFindingFields())
        #expect(Self.keys(plan).subtracting(findingFields.subtracting(["path", "line", "column"])) == (try Self.documentedKeys("plan")))

        let diff = try Self.parsed(try Self.renderDiff().json())
        #expect(Self.keys(diff) == (try Self.documentedKeys("diff")))

        let hash = try SchemaJobExecutable.run(["hash", "--json", "--database", Repository.database])
        #expect(hash.status == 0, "\(hash.stderr)")
        let object = try #require(try Self.parsed(hash.stdout) as? [String: String])
        #expect(Set(object.keys) == (try Self.documentedKeys("hash")))
        #expect(object["job_name"] == Plan.jobName(hash: object["hash"] ?? ""))
    }

    // MARK: Whole documents

    @Test func lintJSONMatchesTheReviewedGoldenFile() throws {
        try Self.expectGolden(try FindingFormat.json.render(Linter.lint(Self.lintSet)), "lint.json")
    }

    @Test func testJSONWithAProvenFixSetMatchesTheReviewedGoldenFile() throws {
        try Self.expectGolden(try ProofFormat.render(Self.proofReport, as: .json), "test.json")
    }

    @Test func planJSONMatchesTheReviewedGoldenFile() throws {
        try Self.expectGolden(try LivePlanFormat.render(Self.planReport, as: .json), "plan.json")
    }

    @Test func diffJSONMatchesTheReviewedGoldenFile() throws {
        try Self.expectGolden(try Self.renderDiff().json(), "diff.json")
    }

    @Test func noFindingsIsAnEmptyArrayOnOneLine() throws {
        #expect(try FindingFormat.json.render([]) == "[]\n")
        #expect(try ProofFormat.render(ProofReport(findings: [], proven: []), as: .json) == "[]\n")
    }

    @Test func renderJSONKeepsEachScalarsYAMLType() throws {
        let node = try #require(try Yams.compose(yaml: """
            count: 4
            quoted: "4"
            ratio: 1.5
            flag: true
            nothing: null
            when: 2001-12-14t21:59:43.10-05:00
            empty: {}
            list: []
            """))
        #expect(try JSONOutput.text(JSONValue(node)) == """
            {
              "count" : 4,
              "empty" : {},
              "flag" : true,
              "list" : [],
              "nothing" : null,
              "quoted" : "4",
              "ratio" : 1.5,
              "when" : "2001-12-14t21:59:43.10-05:00"
            }

            """)
    }
}
