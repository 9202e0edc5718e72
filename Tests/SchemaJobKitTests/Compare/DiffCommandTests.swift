import Foundation
import SchemaJobKit
import Testing

/// `schemajob diff OLD NEW`, run as CI runs it on two renders.
@Suite struct DiffCommandTests {
    struct Renders {
        let directory: TemporaryDirectory
        var root: String { directory.path }
        var database: String { root + "/database" }

        init() throws {
            directory = try TemporaryDirectory(prefix: "schemajob-diff")
            try Repository.copy(Repository.database, to: database)
        }

        /// Renders the current database/ to `name` (a file, or a directory with `dir: true`).
        func render(_ name: String, dir: Bool = false, _ extra: [String] = []) throws -> String {
            let path = root + "/" + name
            let result = try SchemaJobExecutable.run(
                ["render", "--database", database] + (dir ? ["--output-dir", path] : ["-o", path]) + extra, in: root)
            try #require(result.status == 0, "\(result.stderr)")
            return path
        }

        func shortHash(_ extra: [String] = []) throws -> String {
            String(try SchemaJobExecutable.run(["hash", "--database", database] + extra, in: root).stdout.prefix(10))
        }

        func diff(_ arguments: [String]) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.run(["diff"] + arguments, in: root)
        }
    }

    @Test func twoEqualRendersAreTheSameAndExit0() throws {
        let renders = try Renders()
        let file = try renders.render("a.yaml")
        let directory = try renders.render("deploy", dir: true)
        let result = try renders.diff([file, directory])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aNewHashIsARenameWithItsReasonAndTheSQLAsALineDiff() throws {
        let renders = try Renders()
        let old = try renders.render("old.yaml")
        let oldHash = try renders.shortHash()
        try "CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);\n".write(
            toFile: renders.database + "/schema/010_audit_events.sql", atomically: true, encoding: .utf8)
        let fixture = renders.database + "/fixtures/001_initial_gpu_types.sql"
        let text = try String(contentsOfFile: fixture, encoding: .utf8)
        try text.replacingOccurrences(of: "'NVIDIA H100", with: "'NVIDIA H100 SXM").write(toFile: fixture, atomically: true, encoding: .utf8)
        let new = try renders.render("new", dir: true, ["--set", "job.backoffLimit=6"])
        let newHash = try renders.shortHash(["--set", "job.backoffLimit=6"])

        let result = try renders.diff([old, new])
        // The Job's gate check reads REQUIRED_TABLES too, so the new table is a reason as well.
        let tables = "api_users,api_keys,reservations,disks,gpu_types,domain_mappings,alb_target_groups"
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("~ ConfigMap db-schema-\(oldHash) → db-schema-\(newHash): 010_audit_events.sql added"))
        #expect(lines.contains("~ ConfigMap db-fixtures-\(oldHash) → db-fixtures-\(newHash): 001_initial_gpu_types.sql changed"))
        #expect(lines.contains("~ Job db-migration-\(oldHash) → db-migration-\(newHash): 010_audit_events.sql added, 001_initial_gpu_types.sql changed, migration.psql changed, spec.backoffLimit 4 → 6, "
                + "spec.template.spec.containers[migrate].env[REQUIRED_TABLES].value \(tables) → \(tables),audit_events"),
                "\(result.stdout)")
        #expect(lines.contains("    +CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);"))
        #expect(lines.contains { $0.hasPrefix("    -") && $0.contains("'NVIDIA H100") }
                && lines.contains { $0.hasPrefix("    +") && $0.contains("'NVIDIA H100 SXM") })
        #expect(lines.contains { $0.hasPrefix("~ Deployment api-service: ") && $0.contains("audit_events") })
    }

    @Test func listEntriesWithANameAreNamedByItNotByTheirPlace() throws {
        let renders = try Renders()
        let old = try renders.render("old.yaml")
        // The API's template with one variable inserted near the top of its env (which moves
        // every later entry down one place), one removed, one changed in the init container,
        // a port added and the /tmp mount removed.
        let templates = renders.root + "/templates"
        try Repository.copy(Repository.templates, to: templates)
        let deployment = templates + "/deployment.yaml"
        var text = try String(contentsOfFile: deployment, encoding: .utf8)
        for (from, to) in [
            ("            - name: POSTGRES_HOST\n", "            - name: LOG_LEVEL\n              value: info\n            - name: POSTGRES_HOST\n"),
            ("            - name: SCHEMA_HASH\n              value: ${hash}\n", ""),
            ("            - name: PGCONNECT_TIMEOUT\n              value: \"10\"\n", "            - name: PGCONNECT_TIMEOUT\n              value: \"20\"\n"),
            ("              containerPort: 8000\n", "              containerPort: 8000\n            - name: metrics\n              containerPort: 9090\n"),
            ("          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n      volumes:\n", "      volumes:\n"),
        ] {
            #expect(text.contains(from), "\(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        try text.write(toFile: deployment, atomically: true, encoding: .utf8)
        let new = try renders.render("new.yaml", ["--templates", templates])

        let result = try renders.diff([old, new])
        #expect(result.status == 1)
        let pod = "spec.template.spec"
        #expect(result.stdout == "~ Deployment api-service: "
            + "\(pod).containers[api].env[LOG_LEVEL].name (none) → LOG_LEVEL, "
            + "\(pod).containers[api].env[LOG_LEVEL].value (none) → info, "
            + "\(pod).containers[api].env[SCHEMA_HASH].name SCHEMA_HASH → (none), "
            + "\(pod).containers[api].env[SCHEMA_HASH].value <hash> → (none), "
            + "\(pod).containers[api].ports[metrics].containerPort (none) → 9090, "
            + "\(pod).containers[api].ports[metrics].name (none) → metrics, "
            + "\(pod).containers[api].volumeMounts[tmp].mountPath /tmp → (none), "
            + "\(pod).containers[api].volumeMounts[tmp].name tmp → (none), "
            + "\(pod).initContainers[schemajob-wait-for-schema].env[PGCONNECT_TIMEOUT].value 10 → 20\n",
            "\(result.stdout)\(result.stderr)")
    }

    @Test func jsonNamesEachObjectsChangeAndReadsStdin() throws {
        let renders = try Renders()
        let old = try renders.render("old.yaml")
        let new = try renders.render("new.json", ["--format", "json", "--set", "api.replicas=3", "--set", "api.name=api"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SchemaJobExecutable.path)
        process.arguments = ["diff", "-", new, "--format", "json"]
        process.standardInput = FileHandle(forReadingAtPath: old)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let answer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let objects = try #require(answer["objects"] as? [[String: Any]])
        #expect(objects.count == 4, "api.* settings do not change the hash: only the Deployment and its NetworkPolicy move")
        #expect(objects.contains { $0["kind"] as? String == "NetworkPolicy" && $0["status"] as? String == "removed" && $0["old_name"] as? String == "api-service" })
        #expect(objects.contains { $0["kind"] as? String == "NetworkPolicy" && $0["status"] as? String == "added" && $0["new_name"] as? String == "api" })
        #expect(objects.contains { $0["kind"] as? String == "Deployment" && $0["status"] as? String == "removed" && $0["old_name"] as? String == "api-service" })
        #expect(objects.contains { $0["kind"] as? String == "Deployment" && $0["status"] as? String == "added" && $0["new_name"] as? String == "api" })
    }

    @Test func badInputExits2WithOneLine() throws {
        let renders = try Renders()
        let good = try renders.render("good.yaml")
        try "kind: [\n".write(toFile: renders.root + "/broken.yaml", atomically: true, encoding: .utf8)
        try "---\nfoo: bar\n".write(toFile: renders.root + "/notk8s.yaml", atomically: true, encoding: .utf8)
        for (argument, message) in [
            ("missing.yaml", "missing.yaml: error: no such file or directory"),
            ("broken.yaml", "broken.yaml:2:1: error: not valid YAML or JSON"),
            ("notk8s.yaml", "notk8s.yaml: error: object 1 is not a Kubernetes object (needs kind and metadata.name)"),
        ] {
            let result = try renders.diff([good, argument])
            #expect(result.status == 2, "\(argument)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }
}
