import Foundation
import SchemaJobKit
import Testing

/// The OpenTofu module of docs/integrations.md (Fixtures/opentofu/main.tf), run with the real
/// terraform (or tofu) binary: init and apply offline, re-run on a new hash only.
@Suite struct OpenTofuModuleTests {
    static let fixture = Repository.fixtures + "/opentofu/main.tf"

    @Test func theModuleRendersAndAppliesOnANewHashAndOnlyThen() throws {
        let terraform = try Tools.terraform()
        let kubectl = try Tools.kubectl()
        let directory = try TemporaryDirectory(prefix: "schemajob-opentofu")
        let root = directory.path
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: root + "/main.tf")
        try Repository.copy(Repository.database, to: root + "/database")
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        // Stands in for `kubectl apply -k`, which needs a cluster: builds the directory
        // with the real kustomize and counts the runs.
        let applyScript = root + "/apply.sh"
        try """
            #!/bin/sh
            set -e
            "\(kubectl)" kustomize "$1" > "\(root)/built.yaml"
            echo "$1" >> "\(root)/applies.log"

            """.write(toFile: applyScript, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: applyScript)

        func run(_ arguments: [String]) throws -> SchemaJobExecutable.Result {
            let hash = try SchemaJobExecutable.run(["hash", "--database", root + "/database"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return try SchemaJobExecutable.runProgram(terraform, arguments, in: root, environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": root + "/home", "TF_DATA_DIR": root + "/.terraform", "TF_IN_AUTOMATION": "1",
                "CHECKPOINT_DISABLE": "1",
                "TF_VAR_schema_hash": hash, "TF_VAR_schemajob": SchemaJobExecutable.path,
                "TF_VAR_apply_command": applyScript,
            ])
        }
        func applies() -> [String] {
            ((try? String(contentsOfFile: root + "/applies.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"]

        let initialize = try run(["init", "-input=false", "-no-color"])
        #expect(initialize.status == 0, "\(initialize.stdout)\(initialize.stderr)")

        let first = try run(apply)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(applies() == ["deploy"])
        let firstHash = String(try SchemaJobExecutable.run(["hash", "--database", root + "/database"]).stdout.prefix(10))
        #expect(try String(contentsOfFile: root + "/built.yaml", encoding: .utf8).contains("name: db-migration-\(firstHash)"))

        try "CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);\n".write(
            toFile: root + "/database/schema/010_audit_events.sql", atomically: true, encoding: .utf8)
        let second = try run(apply)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(applies() == ["deploy", "deploy"], "a new hash re-runs the provisioner")
        let built = try String(contentsOfFile: root + "/built.yaml", encoding: .utf8)
        #expect(built.contains("010_audit_events.sql"))
        #expect(!built.contains(firstHash))

        let third = try run(apply)
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        #expect(third.stdout.contains("No changes."), "\(third.stdout)")
        #expect(applies() == ["deploy", "deploy"], "nothing changed: the provisioner does not run")
    }

    @Test func theIntegrationsPageShowsTheModuleTheTestRuns() throws {
        let page = try String(contentsOfFile: Repository.root + "/docs/integrations.md", encoding: .utf8)
        let module = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        #expect(page.contains("```hcl\n" + module + "```\n"))
    }
}
