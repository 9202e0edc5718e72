import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// A set past what one scripts ConfigMap or one environment string can hold: the
/// statement lengths move to ConfigMaps of their own (`StatementLengths`) and the required
/// tables to a file of the scripts (`RequiredTablesValue`). Below both, nothing moves.
@Suite struct VeryLargeSetTests {
    /// A `database/` of one schema file (`CREATE TABLE` of `tables` tables named
    /// `t_NNNNNNN_events`, 16 bytes each) and `fixtureFiles` fixture files of
    /// `statementsPerFile` one-line statements each (`SELECT n;`, ten bytes with the newline).
    static func corpus(tables: Int = 1, fixtureFiles: Int = 0, statementsPerFile: Int = 0) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory(prefix: "schemajob-very-large")
        let database = directory.path + "/database"
        for phase in ["schema", "fixtures"] {
            try FileManager.default.createDirectory(atPath: database + "/" + phase, withIntermediateDirectories: true)
        }
        let schema = (1...tables).map { String(format: "CREATE TABLE IF NOT EXISTS t_%07d_events (id bigint PRIMARY KEY);\n", $0) }.joined()
        try schema.write(toFile: database + "/schema/001_events.sql", atomically: false, encoding: .utf8)
        for file in 0..<fixtureFiles {
            let text = (0..<statementsPerFile).map { "SELECT \($0 % 10);\n" }.joined()
            try text.write(toFile: database + "/fixtures/" + String(format: "%03d_rows.sql", file + 1), atomically: false, encoding: .utf8)
        }
        return (directory, database)
    }

    /// Each line of a lengths key: its file's statement lengths.
    static func lines(_ configMaps: [ConfigMapPlan]) -> [[Int]] {
        configMaps.flatMap { $0.entries.flatMap { $0.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() } }
            .map { $0.split(separator: ",").map { Int($0)! } }
    }

    @Test func statementLengthsPastTheScriptsBudgetLeaveTheScriptForConfigMapsOfTheirOwn() throws {
        // 350,000 statements: about 1.05 MB of lengths (`10,` each), more than the scripts
        // ConfigMap can hold beside the scripts, and more than one ConfigMap of lengths.
        let (directory, database) = try Self.corpus(fixtureFiles: 35, statementsPerFile: 10_000)
        defer { withExtendedLifetime(directory) {} }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        let plan = rendering.plan
        let fixtures = plan.statementConfigMaps.filter { $0.role == .fixturesStatements }
        #expect(fixtures.map(\.name) == ["db-fixtures-statements-\(plan.shortHash)-1", "db-fixtures-statements-\(plan.shortHash)-2"])
        #expect(fixtures.map { $0.entries.map(\.key) } == [["schemajob-statements-1"], ["schemajob-statements-2"]])
        #expect(plan.statementConfigMaps.filter { $0.role == .schemaStatements }.map(\.name) == ["db-schema-statements-\(plan.shortHash)"])
        // One line a file, in order: each file's lengths, the first counted from its start.
        #expect(Self.lines(fixtures) == Array(repeating: [9] + Array(repeating: 10, count: 9_999), count: 35))
        let create = "CREATE TABLE IF NOT EXISTS t_0000001_events (id bigint PRIMARY KEY);"
        #expect(Self.lines(plan.statementConfigMaps.filter { $0.role == .schemaStatements }) == [[create.utf8.count]])
        // The phase's volume projects its files' ConfigMaps, then its lengths'.
        #expect(plan.configMaps(for: .fixtures).map(\.name) == plan.dataConfigMaps.filter { $0.role == .fixtures }.map(\.name) + fixtures.map(\.name))
        let job = try #require(rendering.manifests.first { $0.kind == "Job" })
        let volumes = try #require(job.node.mapping?["spec"]?.mapping?["template"]?.mapping?["spec"]?.mapping?["volumes"]?.sequence)
        let projected = volumes.first { $0.mapping?["name"]?.string == "fixtures" }?.mapping?["projected"]?.mapping?["sources"]?.sequence ?? []
        #expect(projected.compactMap { $0.mapping?["configMap"]?.mapping?["name"]?.string } == plan.configMaps(for: .fixtures).map(\.name))
        // The script reads them and holds no array of lengths: far under the budget now.
        #expect(rendering.migrationScript.contains("\\set schemajob_text_statements `cd :'files'/fixtures && cat -- schemajob-statements-1 schemajob-statements-2`"))
        let scripts = try #require(rendering.manifests.first { $0.name == plan.scriptsConfigMapName })
        #expect(try ConfigMapShardingTests.serializedSizes(scripts).yaml < 400_000)
        for manifest in rendering.manifests where manifest.kind == "ConfigMap" {
            let (yaml, json) = try ConfigMapShardingTests.serializedSizes(manifest)
            #expect(max(yaml, json) < ConfigMapShardingTests.objectLimit, "\(manifest.name): YAML \(yaml), JSON \(json) bytes")
        }
        let file = directory.path + "/render.yaml"
        try rendering.yaml().write(toFile: file, atomically: true, encoding: .utf8)
        let validated = try SchemaJobExecutable.runProgram(KubernetesValidate.path(), ["--strict", file])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
    }

    @Test func lengthsArePackedALineAFileInOrderAndTheDigestIsOfWhatPsqlHolds() throws {
        let files = (1...3).map { MigrationFile(phase: .fixtures, name: "00\($0)_x.sql", displayPath: "database/fixtures/00\($0)_x.sql", text: "SELECT 1;\n") }
        // Lines cost their bytes and five for the line break and the next line's indentation:
        // 12, 5 (a file with no statements) and 8; 17 fit in one ConfigMap.
        let budget = SerializedSize.entry(key: "schemajob-statements-3", text: "") + 17
        let (configMaps, outside) = try StatementLengths.configMaps(
            [[9, 10, 10], [], [120]], phase: .fixtures, shortHash: "0123456789", files: files, budget: budget)
        #expect(configMaps.map(\.name) == ["db-fixtures-statements-0123456789-1", "db-fixtures-statements-0123456789-2"])
        #expect(configMaps.map(\.role) == [.fixturesStatements, .fixturesStatements])
        #expect(configMaps.map { $0.entries.map(\.key) } == [["schemajob-statements-1"], ["schemajob-statements-2"]])
        #expect(configMaps.map { $0.entries.map(\.text) } == [["9,10,10\n\n"], ["120\n"]])
        #expect(outside.keys == ["schemajob-statements-1", "schemajob-statements-2"])
        // `cat` of both, its last newline dropped by the backtick.
        #expect(outside.digest == sha256Hex(Array("9,10,10\n\n120".utf8)))

        let one = try StatementLengths.configMaps([[9, 10, 10], [], [120]], phase: .schema, shortHash: "0123456789", files: files)
        #expect(one.configMaps.map(\.name) == ["db-schema-statements-0123456789"] && one.outside.keys == ["schemajob-statements"])

        // A file whose own line is past the budget (29 bytes of lengths and 5) is named.
        let error = #expect(throws: InputError.self) {
            try StatementLengths.configMaps([[9], Array(repeating: 10, count: 10), []], phase: .fixtures, shortHash: "0123456789", files: files, budget: budget)
        }
        #expect(error?.diagnosticLine.hasPrefix("database/fixtures/002_x.sql: error: file has 10 statements whose lengths take 34 bytes") == true,
                "\(String(describing: error))")
    }

    @Test func aBatchWithItsLengthsOutsideReadsThemByOneMoreBacktickChecksThemAndCutsByThem() throws {
        let members = [QueryTextTests.member("001_a.sql", "SELECT 1;\nSELECT 2;\n"), QueryTextTests.member("002_b.sql", "SELECT 3;\n")]
        let outside = QueryText.Batch.LengthsOutside(keys: ["schemajob-statements-1", "schemajob-statements-2"], digest: String(repeating: "ab", count: 32))
        let batch = QueryText.Batch(members, directory: "schema", shownDirectory: "schema", lengthsOutside: outside)
        let inScript = QueryText.Batch(members, directory: "schema", shownDirectory: "schema")
        #expect(batch.opening[1] == "\\set schemajob_text_statements `cd :'files'/schema && cat -- schemajob-statements-1 schemajob-statements-2`")
        let check = try #require(batch.opening.first { $0.hasSuffix("AS c \\gset") })
        #expect(check.contains("CASE WHEN sha256(convert_to(:'schemajob_text_statements', 'UTF8')) <> decode('\(outside.digest)', 'hex') "
            + "THEN 'schema/schemajob-statements-1 schemajob-statements-2' END"), "\(check)")
        let cut = try #require(batch.opening.first { $0.hasPrefix("WITH b AS MATERIALIZED") })
        #expect(cut.contains("FROM unnest(array_remove(string_to_array(translate(:'schemajob_text_statements', E'\\n', ','), ','), '')::int[], "), "\(cut)")
        // Nothing else differs: the script's own array is the one thing left out.
        let inScriptCut = try #require(inScript.opening.first { $0.hasPrefix("WITH b AS MATERIALIZED") })
        #expect(cut == inScriptCut.replacingOccurrences(
            of: "'{9,10,9}'::int[]", with: "array_remove(string_to_array(translate(:'schemajob_text_statements', E'\\n', ','), ','), '')::int[]"))
        #expect(batch.closing.last == "\\unset schemajob_text_statements" && inScript.closing.count == batch.closing.count - 1)
        #expect(QueryText.Batch.statementLengths(of: members) == [[9, 10], [9]])
    }

    @Test func requiredTablesPastOneEnvironmentStringAreAFileOfTheScripts() throws {
        // 8,000 tables of 16 bytes: 135,999 bytes joined, past Linux's 131,072.
        let (directory, database) = try Self.corpus(tables: 8_000)
        defer { withExtendedLifetime(directory) {} }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        #expect(rendering.plan.requiredTablesInFile)
        let scripts = try #require(rendering.manifests.first { $0.name == rendering.plan.scriptsConfigMapName })
        let file = try #require(scripts.node.mapping?["data"]?.mapping?["required-tables"]?.string)
        #expect(file == rendering.requiredTables.joined(separator: ",") + "\n")
        #expect(rendering.requiredTables.count == 8_000 && rendering.requiredTables[7_999] == "t_0008000_events")
        // Every container that waits for the schema (the Job's, the API's gate, its own),
        // and the gate other workloads get.
        let values = try rendering.yaml().components(separatedBy: "- name: REQUIRED_TABLES\n").dropFirst().map {
            $0.split(separator: "\n")[0].trimmingCharacters(in: .whitespaces)
        }
        #expect(values.count >= 3 && values.allSatisfy { $0 == "value: '@required-tables'" }, "\(values)")
        let gateEnvironment = try rendering.gateFragment().initContainer.mapping?["env"]?.sequence ?? []
        let gateValue = gateEnvironment.first { $0.mapping?["name"]?.string == "REQUIRED_TABLES" }?.mapping?["value"]?.string
        #expect(gateValue == "@required-tables")
        // The statement lengths stay in the script: only what is past its limit moves.
        #expect(rendering.plan.statementConfigMaps.isEmpty)
    }

    @Test func aListThatFitsOneEnvironmentStringStaysTheValue() throws {
        // `REQUIRED_TABLES=` (16 bytes) and a NUL: 131,055 bytes of tables fit, one more does not.
        let fits = [String(repeating: "a", count: 131_055)]
        #expect(RequiredTablesValue.environmentString(fits) == 131_072 && RequiredTablesValue.fitsEnvironment(fits))
        #expect(!RequiredTablesValue.fitsEnvironment([String(repeating: "a", count: 131_000), String(repeating: "b", count: 55)]))
        let (directory, database) = try Self.corpus(tables: 7_000)
        defer { withExtendedLifetime(directory) {} }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        #expect(!rendering.plan.requiredTablesInFile)
        #expect(try rendering.yaml().contains("value: t_0000001_events,t_0000002_events,"))
        let scripts = try #require(rendering.manifests.first { $0.name == rendering.plan.scriptsConfigMapName })
        #expect(scripts.node.mapping?["data"]?.mapping?["required-tables"] == nil)
    }

    @Test func templatesWithoutTheTablesReaderAreRefusedForASetThatNeedsIt() throws {
        let (directory, database) = try Self.corpus(tables: 8_000)
        defer { withExtendedLifetime(directory) {} }
        let templates = directory.path + "/templates"
        try Repository.copy(Repository.root + "/templates", to: templates)
        try FileManager.default.removeItem(atPath: templates + "/scripts/required-tables.psql")
        let result = try SchemaJobExecutable.run(["render", "--database", database, "--templates", templates, "-o", directory.path + "/out.yaml"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("\(templates)/scripts/required-tables.psql: error: missing: REQUIRED_TABLES (8000 tables, 136016 bytes"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out.yaml"))
        // A set whose tables fit needs no such file.
        let (small, smallDatabase) = try Self.corpus(tables: 10)
        defer { withExtendedLifetime(small) {} }
        #expect(try SchemaJobExecutable.run(["render", "--database", smallDatabase, "--templates", templates, "-o", small.path + "/out.yaml"]).status == 0)
    }
}

extension AgainstPostgreSQL {
    /// The paths only a very large set takes, run on the bundled `database/` with limits
    /// small enough to send it down them, against the real server.
    @Suite struct VeryLargeSetJobTests {
        /// database/ and three fixture files of 500 one-row upserts into gpu_types each:
        /// lengths enough (about 6 KB) that the script without them is the smaller one.
        static func database() throws -> (TemporaryDirectory, String) {
            let (directory, copy) = try MigrationFailureTests.copyOfDatabase()
            for file in 0..<3 {
                let rows = (1...500).map { row in
                    let number = file * 500 + row
                    return "INSERT INTO gpu_types (gpu_type, instance_type, max_gpus, cpus, memory_gb, total_cluster_gpus, max_per_node, is_active, description)\n"
                        + "VALUES ('spare-\(number)', 'c7i.large', 0, 2, 4, 0, 0, false, 'spare \(number)') ON CONFLICT (gpu_type) DO NOTHING;\n"
                }
                try ("-- Spare CPU types, one statement each.\n" + rows.joined()).write(
                    toFile: copy + "/fixtures/00\(file + 2)_spare_gpu_types.sql", atomically: false, encoding: .utf8)
            }
            return (directory, copy)
        }

        /// `databaseDirectory` rendered with its tables past a 40-byte environment string,
        /// its scripts one byte over what they take holding the lengths, and the lengths in
        /// ConfigMaps of at most 2,500 bytes (a file of 500 statements fills one).
        static func rendering(_ database: TestDatabase, databaseDirectory: String) throws -> Rendering {
            let request = RenderedForTest.request(databaseName: database.name, port: database.server.port, databaseDirectory: databaseDirectory)
            let inputs = try SchemaJob.inputs(request)
            let inScript = try SchemaJob.render(inputs, limits: JobLimits(environmentString: 40))
            #expect(inScript.plan.requiredTablesInFile && inScript.plan.statementConfigMaps.isEmpty)
            let scripts = try #require(inScript.manifests.first { $0.name == inScript.plan.scriptsConfigMapName })
            let size = JobLimits.size(ConfigMapPlan(name: "", role: .scripts, entries: (scripts.node.mapping?["data"]?.mapping ?? [:]).map {
                ($0.key.string ?? "", $0.value.string ?? "")
            }))
            return try SchemaJob.render(inputs, limits: JobLimits(scriptsConfigMap: size - 1, statementsConfigMap: 2_500, environmentString: 40))
        }

        @Test func theJobReadsItsLengthsAndTablesFromFilesAndLogsWhatItLogsWithout() async throws {
            let server = try #require(PostgresServer.current)
            let (plainDatabase, largeDatabase) = (try server.createDatabase(), try server.createDatabase())
            let (directory, copy) = try Self.database()
            defer { withExtendedLifetime(directory) {} }
            let plain = try RenderedForTest(plainDatabase, databaseDirectory: copy)
            let rendering = try Self.rendering(largeDatabase, databaseDirectory: copy)
            #expect(rendering.plan.statementConfigMaps.filter { $0.role == .fixturesStatements }.count > 2)
            #expect(rendering.plan.requiredTablesInFile)
            let large = try RenderedForTest(rendering, password: server.password)

            // Before the migration the gate names the tables the file lists, not `@required-tables`.
            let waiting = try await large.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(waiting.exitCode == 1)
            #expect(waiting.output.contains("missing tables: \(rendering.requiredTables.prefix(3).joined(separator: ", ")),"), "\(waiting.output)")

            let expected = try await plain.migrate().output
            let log = try await large.migrate().output
            func normalized(_ log: String, _ rendered: RenderedForTest) -> String {
                LockRetries(in: log).finished.replacingOccurrences(of: rendered.plan.shortHash, with: "HASH")
            }
            #expect(normalized(log, large) == normalized(expected, plain))
            #expect(try largeDatabase.schemaDump() == (try plainDatabase.schemaDump()))
            let rows = "SELECT gpu_type, instance_type, max_gpus, is_active, description FROM gpu_types ORDER BY gpu_type"
            #expect(try largeDatabase.sql(rows) == (try plainDatabase.sql(rows)))
            #expect(try largeDatabase.sql("SELECT count(*) FROM gpu_types") == "1510\n")
            let ready = try await large.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(ready.exitCode == 0, "\(ready.output)")
            // Run again: the ledger, with every table of the file present, says it is applied.
            let again = try await large.migrate().output
            #expect(again.contains("Schema \(rendering.plan.shortHash) is already applied"), "\(again)")
        }

        @Test func aFailingStatementIsStillNamedByItsFileAndLine() async throws {
            let server = try #require(PostgresServer.current)
            let target = try server.createDatabase()
            let (directory, copy) = try Self.database()
            defer { withExtendedLifetime(directory) {} }
            let second = try #require(try DatabaseFiles.listed(in: copy).filter { $0.phase == "schema" }.dropFirst().first)
            var text = try String(contentsOfFile: second.path, encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            let errorLine = text.filter { $0 == "\n" }.count + 2
            text += "-- a statement that fails\nSELECT no_such_column FROM gpu_types;\n"
            try text.write(toFile: second.path, atomically: true, encoding: .utf8)
            let broken = try RenderedForTest(try Self.rendering(target, databaseDirectory: copy), password: server.password)
            let migrate = try await broken.run("migrate")
            #expect(migrate.exitCode == (try broken.sqlFailedCode))
            #expect(migrate.output.contains("\(second.name):\(errorLine): ERROR:"), "\(migrate.output)")
            #expect(try target.sql("SELECT to_regclass('schemajob.runs') IS NULL") == "t\n")
        }

        @Test func aTablesFileThatIsNotThereStopsTheJobAndTheGateNamingItAndRunsNothing() async throws {
            let server = try #require(PostgresServer.current)
            let target = try server.createDatabase()
            let (directory, copy) = try Self.database()
            defer { withExtendedLifetime(directory) {} }
            let good = try RenderedForTest(try Self.rendering(target, databaseDirectory: copy), password: server.password)
            // The scripts ConfigMap without its `required-tables` key (the key and its one line).
            var lines = good.yaml.components(separatedBy: "\n")
            let key = try #require(lines.firstIndex { $0 == "  required-tables: |" })
            #expect(lines[key + 1].hasPrefix("    api_users,api_keys,"), "\(lines[key + 1].prefix(80))")
            lines.removeSubrange(key...(key + 1))
            let broken = try RenderedForTest(good, yaml: lines.joined(separator: "\n"), password: server.password)

            let migrate = try await broken.run("migrate")
            #expect(migrate.exitCode == (try broken.sqlFailedCode))
            #expect(migrate.output.contains("schemajob: REQUIRED_TABLES is @required-tables, but "), "\(migrate.output)")
            #expect(migrate.output.contains("/required-tables is missing or empty"), "\(migrate.output)")
            #expect(!migrate.output.contains("Applying schema files"))
            #expect(try target.sql("SELECT to_regclass('schemajob.runs') IS NULL AND to_regclass('api_users') IS NULL") == "t\n")
            let gate = try await broken.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(gate.exitCode == 1)
            #expect(gate.output.contains("/required-tables is missing or empty"), "\(gate.output)")
        }

        @Test func lengthsOutOfStepWithTheFilesFailTheRunNamingTheirKeysAndRunNothing() async throws {
            let server = try #require(PostgresServer.current)
            let target = try server.createDatabase()
            let (directory, copy) = try Self.database()
            defer { withExtendedLifetime(directory) {} }
            let rendering = try Self.rendering(target, databaseDirectory: copy)
            // The fixtures' lengths: the schema phase has run by then, in the same transaction.
            let keys = rendering.plan.statementConfigMaps.filter { $0.role == .fixturesStatements }.flatMap { $0.entries.map(\.key) }
            let good = try RenderedForTest(rendering, password: server.password)
            // One length one longer: every statement after it would be cut in the wrong place.
            let lines = good.yaml.components(separatedBy: "\n")
            let key = try #require(lines.firstIndex { $0.hasPrefix("  schemajob-statements-1: |") })
            let first = try #require(lines[key + 1].split(separator: ",").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) })
            var edited = lines
            edited[key + 1] = lines[key + 1].replacingOccurrences(of: "    \(first)", with: "    \(first + 1)")
            let broken = try RenderedForTest(good, yaml: edited.joined(separator: "\n"), password: server.password)
            let migrate = try await broken.run("migrate")
            #expect(migrate.exitCode == (try broken.sqlFailedCode))
            #expect(migrate.output.contains("schemajob: fixtures/\(keys.joined(separator: " ")) was not read whole"), "\(migrate.output)")
            #expect(try target.sql("SELECT to_regclass('schemajob.runs') IS NULL AND to_regclass('api_users') IS NULL") == "t\n")
        }
    }
}
