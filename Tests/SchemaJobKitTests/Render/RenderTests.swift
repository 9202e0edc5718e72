import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// What `schemajob render` promises about its output.
@Suite struct RenderTests {
    static func renderBundled(_ overrides: [String] = []) throws -> Rendering {
        try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database, settingOverrides: overrides))
    }

    static func objects(_ yaml: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: yaml).map { try #require($0 as? [String: Any]) }
    }

    /// The full render of the bundled database/, read by a person before it was committed.
    /// Set SCHEMAJOB_UPDATE_GOLDEN=1 to rewrite it, then read the diff.
    @Test func theBundledDatabaseRendersToTheReviewedGoldenFile() throws {
        let yaml = try Self.renderBundled().yaml()
        let path = Repository.golden + "/render.yaml"
        if ProcessInfo.processInfo.environment["SCHEMAJOB_UPDATE_GOLDEN"] == "1" {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(yaml == golden, "render differs from Golden/render.yaml; rerun with SCHEMAJOB_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test func theRenderHoldsThreeConfigMapsTheJobTheDeploymentAndTwoNetworkPolicies() throws {
        let rendering = try Self.renderBundled()
        let short = rendering.plan.shortHash
        #expect(rendering.manifests.map { "\($0.kind)/\($0.name)" } == [
            "ConfigMap/db-schema-\(short)", "ConfigMap/db-fixtures-\(short)", "ConfigMap/db-scripts-\(short)",
            "Job/db-migration-\(short)", "Deployment/api-service",
            "NetworkPolicy/db-migration", "NetworkPolicy/api-service",
        ])
    }

    @Test func theMigrationPodsReachOnlyPostgreSQLAndDNSAndNothingReachesThem() throws {
        let objects = try Self.objects(try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database, settingOverrides: ["postgres.port=6543"])).yaml())
        let policy = try #require(objects.first { $0["kind"] as? String == "NetworkPolicy" && ($0["metadata"] as? [String: Any])?["name"] as? String == "db-migration" })
        let spec = try #require(policy["spec"] as? [String: Any])
        #expect(spec["policyTypes"] as? [String] == ["Ingress", "Egress"])
        #expect((spec["ingress"] as? [Any])?.isEmpty == true)
        let ports = ((spec["egress"] as? [[String: Any]]) ?? []).flatMap { ($0["ports"] as? [[String: Any]]) ?? [] }
        #expect(ports.map { "\($0["protocol"] ?? "")/\($0["port"] ?? "")" } == ["TCP/6543", "UDP/53", "TCP/53"])
        #expect(((spec["egress"] as? [[String: Any]]) ?? []).allSatisfy { $0["to"] == nil })
        // It selects the Job's pods by the labels the Job's pod template carries.
        let job = try #require(objects.first { $0["kind"] as? String == "Job" })
        let podLabels = (((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["metadata"] as? [String: Any])?["labels"] as? [String: String]
        let selector = (spec["podSelector"] as? [String: Any])?["matchLabels"] as? [String: String]
        #expect(selector != nil && selector!.allSatisfy { podLabels?[$0.key] == $0.value })
    }

    @Test func networkPoliciesCanBeTurnedOffWithoutChangingTheHash() throws {
        let on = try Self.renderBundled()
        let off = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database, settingOverrides: ["networkPolicy.enabled=false"]))
        #expect(!off.manifests.contains { $0.kind == "NetworkPolicy" })
        #expect(on.plan.hash == off.plan.hash)
    }

    @Test func eachConfigMapHoldsItsFilesByteForByte() throws {
        let rendering = try Self.renderBundled()
        let objects = try Self.objects(try rendering.yaml())
        let configMaps = objects.filter { $0["kind"] as? String == "ConfigMap" }
        func data(_ prefix: String) throws -> [String: String] {
            let configMap = try #require(configMaps.first { (($0["metadata"] as? [String: Any])?["name"] as? String)?.hasPrefix(prefix) == true })
            #expect(configMap["immutable"] as? Bool == true)
            return try #require(configMap["data"] as? [String: String])
        }
        let set = try DatabaseReader.read(directory: Repository.database)
        for (prefix, phase) in [("db-schema-", Phase.schema), ("db-fixtures-", .fixtures)] {
            let data = try data(prefix)
            #expect(data.keys.sorted() == set.files(in: phase).map(\.name))
            for file in set.files(in: phase) {
                let onDisk = try String(contentsOfFile: Repository.database + "/\(phase.rawValue)/\(file.name)", encoding: .utf8)
                #expect(data[file.name] == onDisk, "\(file.name) differs from its ConfigMap entry")
            }
        }
        let scripts = try data("db-scripts-")
        #expect(scripts["migration.psql"] == (try MigrationScript.render(plan: rendering.plan, templates: rendering.templates, analysis: rendering.analysis)))
        for name in ["migrate.sh", "wait-for-postgres.sh", "wait-for-schema.sh", "schema-ready.psql"] {
            #expect(scripts[name] == (try String(contentsOfFile: Repository.templates + "/scripts/\(name)", encoding: .utf8)))
        }
    }

    @Test func sqlIsWrittenAsLiteralBlocksSoDiffsReadLikeSQL() throws {
        let yaml = try Self.renderBundled().yaml()
        for name in ["001_users_and_keys.sql", "009_add_availability_to_gpu_types.sql", "001_initial_gpu_types.sql", "migrate.sh"] {
            #expect(yaml.contains("  \(name): |\n"), "\(name) is not a literal block")
        }
    }

    @Test func theJobHasTheBackoffTTLDeadlineAndFailurePolicy() throws {
        let objects = try Self.objects(try Self.renderBundled().yaml())
        let job = try #require(objects.first { $0["kind"] as? String == "Job" })
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["backoffLimit"] as? Int == 4)
        #expect(spec["ttlSecondsAfterFinished"] as? Int == 3600)
        #expect(spec["activeDeadlineSeconds"] as? Int == 1800)
        let rules = try #require((spec["podFailurePolicy"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.contains { $0["action"] as? String == "FailJob" && (($0["onExitCodes"] as? [String: Any])?["values"] as? [Int]) == [65] })
        #expect(rules.contains { $0["action"] as? String == "Ignore" })
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["restartPolicy"] as? String == "Never")
        #expect((pod["initContainers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["wait-for-postgres"])
        #expect((pod["containers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["migrate"])
        // The SQL-error code the policy names is the one migrate.sh exits with.
        let migrate = try String(contentsOfFile: Repository.templates + "/scripts/migrate.sh", encoding: .utf8)
        #expect(migrate.contains("readonly EXIT_SQL_FAILED=65"))
    }

    @Test func theDeploymentWaitsForThisHashAndKnowsItsRequiredTables() throws {
        let rendering = try Self.renderBundled()
        let objects = try Self.objects(try rendering.yaml())
        let deployment = try #require(objects.first { $0["kind"] as? String == "Deployment" })
        let template = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
        #expect(((template["metadata"] as? [String: Any])?["annotations"] as? [String: String])?["schemajob/hash"] == rendering.plan.hash)
        let pod = try #require(template["spec"] as? [String: Any])
        let gate = try #require((pod["initContainers"] as? [[String: Any]])?.first)
        #expect(gate["name"] as? String == "schemajob-wait-for-schema")
        let api = try #require((pod["containers"] as? [[String: Any]])?.first)
        let env = try #require(api["env"] as? [[String: Any]])
        func value(_ name: String) -> String? { env.first { $0["name"] as? String == name }?["value"] as? String }
        #expect(value("SCHEMA_HASH") == rendering.plan.hash)
        #expect(value("REQUIRED_TABLES") == "api_users,api_keys,reservations,disks,gpu_types,domain_mappings,alb_target_groups")
        let password = try #require(env.first { $0["name"] as? String == "POSTGRES_PASSWORD" })
        let reference = (password["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: String]
        #expect(reference == ["name": "postgres-credentials", "key": "POSTGRES_PASSWORD"])
    }

    @Test func requiredTablesComeFromCreateTableStatementsOnly() {
        func tables(_ sql: String) -> [String] {
            MigrationAnalysis(MigrationSet(directory: "database", files: [MigrationFile(phase: .schema, name: "001_x.sql", displayPath: "x", text: sql)]))
                .requiredTables
        }
        #expect(tables("-- CREATE TABLE not_me (id int);\nCREATE TABLE IF NOT EXISTS me (id int);") == ["me"])
        #expect(tables("CREATE TEMP TABLE scratch (id int); CREATE UNLOGGED TABLE Fast (id int);") == ["fast"])
        #expect(tables("CREATE TABLE app.\"Mixed Case\" (id int); CREATE TABLE \"plain\" (id int);") == ["app.\"Mixed Case\"", "plain"])
        #expect(tables("CREATE TABLE a (id int); CREATE TABLE b (id int); DROP TABLE IF EXISTS a;") == ["b"])
        #expect(tables("CREATE TABLE old_name (id int); ALTER TABLE old_name RENAME TO new_name;") == ["new_name"])
        #expect(tables("SELECT 'CREATE TABLE in_a_string (id int)';") == [])
    }

    @Test func requiredTablesFollowRenamesAndDropsAcrossFilesInOrder() {
        func tables(_ files: [String]) -> [String] {
            MigrationAnalysis(MigrationSet(directory: "database", files: files.enumerated().map { index, sql in
                MigrationFile(phase: .schema, name: "00\(index + 1)_x.sql", displayPath: "x", text: sql)
            })).requiredTables
        }
        // A rename keeps the table's place; a name renamed onto one already listed is there
        // twice until a drop removes both; a table dropped and made again goes last.
        #expect(tables(["CREATE TABLE a (id int); CREATE TABLE b (id int);", "ALTER TABLE a RENAME TO c;"]) == ["c", "b"])
        #expect(tables(["CREATE TABLE a (id int); CREATE TABLE b (id int);", "ALTER TABLE a RENAME TO b;"]) == ["b", "b"])
        #expect(tables(["CREATE TABLE a (id int); CREATE TABLE b (id int); ALTER TABLE a RENAME TO b;", "DROP TABLE b;"]) == [])
        #expect(tables(["CREATE TABLE a (id int); CREATE TABLE b (id int);", "DROP TABLE a; CREATE TABLE a (id int);"]) == ["b", "a"])
        #expect(tables(["CREATE TABLE a (id int); ALTER TABLE a RENAME TO b;", "CREATE TABLE a (id int);"]) == ["b", "a"])
    }

    /// A render reads each file once (`MigrationAnalysis`); lint over that reading finds
    /// what lint over the set alone finds, and the tables the API waits for follow the
    /// schema files in name order, whatever order they were read in.
    @Test func aRenderingsAnalysisLintsAsTheSetAloneDoesAndOrdersTheRequiredTablesByName() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-render-lint")
        let database = directory.path + "/database"
        try FileManager.default.createDirectory(atPath: database + "/schema", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: database + "/fixtures", withIntermediateDirectories: true)
        try "CREATE TABLE IF NOT EXISTS b (id int);\nCREATE TABLE IF NOT EXISTS a (id int);\n"
            .write(toFile: database + "/schema/002_b.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE IF NOT EXISTS z (id int);\nALTER TABLE IF EXISTS z RENAME TO y;\n"
            .write(toFile: database + "/schema/001_z.sql", atomically: true, encoding: .utf8)
        try "DROP TABLE IF EXISTS a; -- schemajob:allow drop-table: test\n"
            .write(toFile: database + "/schema/003_drop.sql", atomically: true, encoding: .utf8)
        try "INSERT INTO y VALUES (1) ON CONFLICT DO NOTHING;\n"
            .write(toFile: database + "/fixtures/001_y.sql", atomically: true, encoding: .utf8)
        for request in [RenderRequest(databaseDirectory: database), RenderRequest(databaseDirectory: Repository.database)] {
            let rendering = try SchemaJob.render(request)
            #expect(Linter.lint(rendering.analysis) == Linter.lint(try DatabaseReader.read(directory: request.databaseDirectory)))
        }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        #expect(rendering.requiredTables == ["y", "b"])
        let job = try #require(try Self.objects(rendering.yaml()).first { $0["kind"] as? String == "Job" })
        #expect("\(job)".contains("y,b"))
    }

    /// A file ending in empty lines is kept with `|+`, after which libyaml ends a stream
    /// with a `...` line; documents are emitted one by one, and only the stream's last
    /// may keep it.
    @Test func aFileEndingInEmptyLinesLeavesNoDocumentEndMarkerBetweenDocuments() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-render-keep")
        let database = directory.path + "/database"
        try FileManager.default.createDirectory(atPath: database + "/schema", withIntermediateDirectories: true)
        let sql = "CREATE TABLE IF NOT EXISTS a (id int);\n\n\n"
        try sql.write(toFile: database + "/schema/001_a.sql", atomically: true, encoding: .utf8)
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        let yaml = try rendering.yaml()
        #expect(yaml.contains("001_a.sql: |+\n"))
        #expect(!yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast(2).contains("..."))
        #expect(try rendering.pieces(.yaml).joined() == yaml)
        let schema = try #require(try Self.objects(yaml).first { ($0["data"] as? [String: String])?["001_a.sql"] != nil })
        #expect((schema["data"] as? [String: String])?["001_a.sql"] == sql)
    }

    @Test func twoRendersAreByteIdenticalFromAnyWorkingDirectory() throws {
        let first = try SchemaJobExecutable.run(["render"])
        let second = try SchemaJobExecutable.run(["render"])
        let elsewhere = try TemporaryDirectory()
        let third = try SchemaJobExecutable.run(["render", "--database", Repository.database], in: elsewhere.path)
        #expect(first.status == 0 && second.status == 0 && third.status == 0, "\(first.stderr)\(third.stderr)")
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout == third.stdout)
        #expect(!first.stdout.contains(Repository.root))
    }

    @Test func outputFileIsWrittenWithTheSameBytesAsStdout() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/manifests.yaml"
        let written = try SchemaJobExecutable.run(["render", "-o", file])
        let printed = try SchemaJobExecutable.run(["render"])
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == printed.stdout)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["manifests.yaml"])
    }

    @Test func theBuiltInTemplatesAreExactlyTheTemplatesDirectory() throws {
        let onDisk = try TemplateSet.load(directory: Repository.templates)
        let embedded = try TemplateSet.embedded()
        #expect(embedded.files.keys.sorted() == onDisk.files.keys.sorted())
        for (name, bytes) in onDisk.files {
            #expect(embedded.files[name] == bytes, "embedded \(name) differs from templates/\(name): rebuild")
        }
    }

    @Test func theRenderPassesKubernetesValidateStrict() throws {
        let environment = ProcessInfo.processInfo.environment
        let tool = environment["SCHEMAJOB_KUBERNETES_VALIDATE"] ?? Repository.root + "/.venv/bin/kubernetes-validate"
        try #require(FileManager.default.isExecutableFile(atPath: tool),
                     "kubernetes-validate is missing: run `bash scripts/test`, which installs it into .venv")
        let directory = try TemporaryDirectory()
        let file = directory.path + "/render.yaml"
        try Self.renderBundled().yaml().write(toFile: file, atomically: true, encoding: .utf8)
        let result = try SchemaJobExecutable.runProgram(tool, ["--strict", file])
        let text = result.stdout + result.stderr
        #expect(result.status == 0, "\(text)")
        #expect(text.components(separatedBy: "INFO").count - 1 == 7, "expected seven validated objects:\n\(text)")
    }
}
