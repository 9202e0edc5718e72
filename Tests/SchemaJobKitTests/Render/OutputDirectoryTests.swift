import Foundation
import SchemaJobKit
import Testing
import Yams

/// `render --output-dir`, `render --check` and `render --format json`, run as a user runs
/// them, with the real kubectl (kustomize), yamllint and kubernetes-validate.
@Suite struct OutputDirectoryTests {
    /// A scratch directory holding a copy of the bundled database/.
    struct Workspace {
        let directory: TemporaryDirectory
        var root: String { directory.path }
        var database: String { root + "/database" }
        var deploy: String { root + "/deploy" }

        init() throws {
            directory = try TemporaryDirectory(prefix: "schemajob-output")
            try Repository.copy(Repository.database, to: database)
        }

        @discardableResult
        func schemajob(_ arguments: [String]) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.run(arguments + ["--database", database], in: root)
        }

        func addSchemaFile() throws {
            try "CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);\n".write(
                toFile: database + "/schema/010_audit_events.sql", atomically: true, encoding: .utf8)
        }

        /// The files, with those of subdirectories (`gate/Kustomization`) by their relative path.
        func files() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: deploy).flatMap { name -> [String] in
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: deploy + "/" + name, isDirectory: &isDirectory)
                guard isDirectory.boolValue else { return [name] }
                return try FileManager.default.contentsOfDirectory(atPath: deploy + "/" + name).map { name + "/" + $0 }
            }.sorted()
        }
    }

    /// Objects as canonical JSON (keys sorted), so two renders compare however they are laid out.
    static func objects(_ yaml: String) throws -> [String] {
        try Yams.load_all(yaml: yaml).compactMap { $0 }.map { object in
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }

    static let expectedFiles = [
        "Kustomization", "configmap-db-fixtures.yaml", "configmap-db-schema.yaml", "configmap-db-scripts.yaml",
        "deployment-api-service.yaml", "gate/Kustomization", "job-db-migration.yaml", "networkpolicy-api-service.yaml",
        "networkpolicy-db-migration.yaml",
    ]

    @Test func kubectlKustomizeBuildsExactlyTheObjectsRenderWritesToStdout() throws {
        let workspace = try Workspace()
        let render = try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        #expect(render.status == 0, "\(render.stderr)")
        #expect(render.stdout.isEmpty && render.stderr.isEmpty)
        #expect(try workspace.files() == Self.expectedFiles)
        let built = try SchemaJobExecutable.runProgram(try Tools.kubectl(), ["kustomize", workspace.deploy])
        #expect(built.status == 0, "\(built.stderr)")
        let stdout = try workspace.schemajob(["render"])
        let expected = try Self.objects(stdout.stdout)
        #expect(expected.count == 7)
        #expect(try Self.objects(built.stdout) == expected)
    }

    /// `kubectl apply -f DIR` needs a cluster; `kubectl annotate --local -f DIR` reads the
    /// directory through the same file reader without one, so it shows what `-f` takes.
    @Test func kubectlFileDirectoryReadsTheSevenObjectsAndSkipsTheKustomization() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let hash = String(try workspace.schemajob(["hash"]).stdout.prefix(10))
        let read = try SchemaJobExecutable.runProgram(try Tools.kubectl(), [
            "annotate", "--local", "-f", workspace.deploy, "-o", "name", "schemajob/probe=1",
        ], environment: ["KUBECONFIG": "/dev/null", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.split(separator: "\n").sorted() == [
            "configmap/db-fixtures-\(hash)", "configmap/db-schema-\(hash)", "configmap/db-scripts-\(hash)",
            "deployment.apps/api-service", "job.batch/db-migration-\(hash)",
            "networkpolicy.networking.k8s.io/api-service", "networkpolicy.networking.k8s.io/db-migration",
        ])
    }

    @Test func eachFileIsOneObjectAsTheStreamHasItAndNamesNoHash() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let hash = String(try workspace.schemajob(["hash"]).stdout.prefix(10))
        var joined: [String] = []
        for name in try workspace.files() where name.hasSuffix(".yaml") {
            #expect(!name.contains(hash))
            let text = try String(contentsOfFile: workspace.deploy + "/" + name, encoding: .utf8)
            #expect(text.hasPrefix(OutputDirectory.marker + "\n---\n"))
            joined += try Self.objects(text)
        }
        #expect(joined.sorted() == (try Self.objects(try workspace.schemajob(["render"]).stdout)))
    }

    @Test func aSecondRenderAfterASchemaChangeLeavesNoFileOfTheOldHash() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let oldHash = String(try workspace.schemajob(["hash"]).stdout.prefix(10))
        try workspace.addSchemaFile()
        let second = try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        #expect(second.status == 0, "\(second.stderr)")
        let newHash = String(try workspace.schemajob(["hash"]).stdout.prefix(10))
        #expect(oldHash != newHash)
        #expect(try workspace.files() == Self.expectedFiles)
        for name in try workspace.files() {
            let text = try String(contentsOfFile: workspace.deploy + "/" + name, encoding: .utf8)
            #expect(!text.contains(oldHash), "\(name) still names \(oldHash)")
        }
        let built = try SchemaJobExecutable.runProgram(try Tools.kubectl(), ["kustomize", workspace.deploy])
        #expect(built.stdout.contains("name: db-migration-\(newHash)"))
        #expect(!built.stdout.contains(oldHash))
    }

    @Test func schemajobsStaleFilesGoAndOtherFilesStayNamedOnStderr() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        // A shard an earlier, larger render wrote, and a file of the user's.
        try (OutputDirectory.marker + "\n---\nkind: ConfigMap\n").write(
            toFile: workspace.deploy + "/configmap-db-schema-2.yaml", atomically: true, encoding: .utf8)
        try "keep me\n".write(toFile: workspace.deploy + "/README.md", atomically: true, encoding: .utf8)
        let render = try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        #expect(render.status == 0)
        #expect(render.stderr == "schemajob: left alone: \(workspace.deploy)/README.md (not written by schemajob)\n")
        #expect(try workspace.files() == (Self.expectedFiles + ["README.md"]).sorted())
        #expect(try String(contentsOfFile: workspace.deploy + "/README.md", encoding: .utf8) == "keep me\n")
    }

    @Test func aFileOfTheSameNameSchemajobDidNotWriteStopsTheRenderAndIsKept() throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(atPath: workspace.deploy, withIntermediateDirectories: true)
        try "mine\n".write(toFile: workspace.deploy + "/job-db-migration.yaml", atomically: true, encoding: .utf8)
        let render = try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        #expect(render.status == 2)
        #expect(render.stderr == "\(workspace.deploy)/job-db-migration.yaml: error: file exists and was not written by schemajob; move it away to render here\n")
        #expect(try workspace.files() == ["job-db-migration.yaml"])
    }

    @Test func unchangedFilesAreNotRewritten() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let past = Date(timeIntervalSince1970: 1_000_000_000)
        for name in try workspace.files() {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: workspace.deploy + "/" + name)
        }
        try workspace.schemajob(["render", "--output-dir", workspace.deploy, "--set", "api.replicas=3"])
        for name in try workspace.files() {
            let modified = try FileManager.default.attributesOfItem(atPath: workspace.deploy + "/" + name)[.modificationDate] as? Date
            // api.replicas reaches only the Deployment: every other file keeps its mtime.
            #expect((modified == past) == (name != "deployment-api-service.yaml"), "\(name)")
        }
    }

    @Test func checkIsQuietAndExits0WhenTheDirectoryIsCurrent() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let check = try workspace.schemajob(["render", "--check", "--output-dir", workspace.deploy])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.isEmpty)
    }

    @Test func checkPrintsAUnifiedDiffWritesNothingAndExits1WhenTheDirectoryIsBehind() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let before = try workspace.files().map { try String(contentsOfFile: workspace.deploy + "/" + $0, encoding: .utf8) }
        try workspace.addSchemaFile()
        let check = try workspace.schemajob(["render", "--check", "--output-dir", workspace.deploy])
        #expect(check.status == 1)
        #expect(check.stdout.contains("--- a/\(workspace.deploy)/configmap-db-schema.yaml\n+++ b/\(workspace.deploy)/configmap-db-schema.yaml\n"))
        #expect(check.stdout.contains("\n+  010_audit_events.sql: |\n+    CREATE TABLE IF NOT EXISTS audit_events (event_id bigint PRIMARY KEY);\n"))
        #expect(try workspace.files().map { try String(contentsOfFile: workspace.deploy + "/" + $0, encoding: .utf8) } == before)
    }

    @Test func checkShowsFilesThatWouldBeAddedAndRemoved() throws {
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        try FileManager.default.removeItem(atPath: workspace.deploy + "/job-db-migration.yaml")
        try (OutputDirectory.marker + "\nold: true\n").write(
            toFile: workspace.deploy + "/configmap-db-schema-2.yaml", atomically: true, encoding: .utf8)
        let check = try workspace.schemajob(["render", "--check", "--output-dir", workspace.deploy])
        #expect(check.status == 1)
        #expect(check.stdout.contains("--- /dev/null\n+++ b/\(workspace.deploy)/job-db-migration.yaml\n@@ -0,0 +1,"))
        #expect(check.stdout.contains("--- a/\(workspace.deploy)/configmap-db-schema-2.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n"))
    }

    @Test func checkComparesOneFileToo() throws {
        let workspace = try Workspace()
        let file = workspace.root + "/manifests.yaml"
        try workspace.schemajob(["render", "-o", file])
        #expect(try workspace.schemajob(["render", "--check", "-o", file]).status == 0)
        let check = try workspace.schemajob(["render", "--check", "-o", file, "--set", "job.backoffLimit=6"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("-  backoffLimit: 4\n+  backoffLimit: 6\n"))
        let missing = try workspace.schemajob(["render", "--check", "-o", workspace.root + "/none.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stdout.hasPrefix("--- /dev/null\n"))
        #expect(!FileManager.default.fileExists(atPath: workspace.root + "/none.yaml"))
        let nowhere = try workspace.schemajob(["render", "--check"])
        #expect(nowhere.status == 2)
    }

    @Test func jsonIsOneArrayOfTheSameObjectsWithKeysInOrder() throws {
        let workspace = try Workspace()
        let json = try workspace.schemajob(["render", "--format", "json"])
        #expect(json.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["kind"] as? String } == ["ConfigMap", "ConfigMap", "ConfigMap", "Job", "Deployment", "NetworkPolicy", "NetworkPolicy"])
        let job = try #require(array.first { $0["kind"] as? String == "Job" })
        #expect((job["spec"] as? [String: Any])?["backoffLimit"] as? Int == 4)
        let yaml = try workspace.schemajob(["render"])
        #expect(try Self.objects(json.stdout).count == 1)  // one document: the array
        let fromJSON = try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        #expect(fromJSON.sorted() == (try Self.objects(yaml.stdout)))
        #expect(json.stdout == (try workspace.schemajob(["render", "--format", "json"])).stdout)
        // Keys are sorted at every level, so the bytes never depend on a dictionary's order.
        let keys = json.stdout.split(separator: "\n").prefix(3).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(keys == ["[", "{", "\"apiVersion\" : \"v1\","])
        let hash = try JSONSerialization.jsonObject(with: Data(try workspace.schemajob(["hash", "--json"]).stdout.utf8))
        #expect((hash as? [String: String])?.keys.sorted() == ["hash", "job_name"])
    }

    @Test func theOutputPassesYamllintWithTheCommittedConfig() throws {
        let yamllint = try Tools.venv("yamllint", variable: "SCHEMAJOB_YAMLLINT")
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        try workspace.schemajob(["render", "-o", workspace.root + "/manifests.yaml"])
        let result = try SchemaJobExecutable.runProgram(yamllint, [
            "--strict", "--format", "parsable", "-c", Repository.root + "/.yamllint.yaml",
            workspace.deploy, workspace.deploy + "/Kustomization", workspace.root + "/manifests.yaml",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func everyObjectValidatesStrictlyForKubernetes1_29ToTheNewestKubernetesValidateKnows() throws {
        let tool = try Tools.venv("kubernetes-validate", variable: "SCHEMAJOB_KUBERNETES_VALIDATE")
        let workspace = try Workspace()
        try workspace.schemajob(["render", "--output-dir", workspace.deploy])
        let files = try workspace.files().filter { $0.hasSuffix(".yaml") }.map { workspace.deploy + "/" + $0 }
        var validated: [String] = []
        var minor = 29
        while true {
            let version = "1.\(minor).0"
            let result = try SchemaJobExecutable.runProgram(tool, ["--strict", "-k", version] + files)
            let text = result.stdout + result.stderr
            if text.contains("does not support kubernetes version") { break }
            #expect(result.status == 0, "Kubernetes \(version):\n\(text)")
            #expect(text.components(separatedBy: "INFO").count - 1 == 7, "Kubernetes \(version):\n\(text)")
            validated.append(version)
            minor += 1
        }
        #expect(validated.first == "1.29.0")
        #expect(validated.count >= 9, "kubernetes-validate 1.37.0 knows Kubernetes 1.29 to 1.37: \(validated)")
    }
}
