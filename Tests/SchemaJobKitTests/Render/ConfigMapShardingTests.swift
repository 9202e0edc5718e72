import Foundation
import SchemaJobKit
import Testing
import Yams

/// A database/ too large for one ConfigMap is split across `db-schema-<hash>-N`, and every
/// one of those objects, as written, stays under the limit Kubernetes puts on an object.
@Suite struct ConfigMapShardingTests {
    /// Kubernetes refuses a ConfigMap over 1 MiB.
    static let objectLimit = 1_048_576

    /// A `database/` of about `megabytes` MiB: schema file N creates `shard_tN` with a
    /// foreign key to `shard_t(N-1)`, so the files apply only in their order; every file
    /// is padded with a function whose body is many short lines (the indentation of a
    /// literal block costs most there); `quotedFiles` of them end their lines with a space,
    /// which YAML can only write as a double-quoted scalar with escapes.
    static func corpus(megabytes: Double, quotedFiles: Int = 0) throws -> (TemporaryDirectory, String, Int) {
        let directory = try TemporaryDirectory(prefix: "schemajob-sharding")
        let database = directory.path + "/database"
        for phase in ["schema", "fixtures"] {
            try FileManager.default.createDirectory(atPath: database + "/" + phase, withIntermediateDirectories: true)
        }
        let fileSize = 30_000
        let count = Int(megabytes * 1_048_576) / fileSize
        for number in 1...count {
            let table = "shard_t\(number)"
            var text = "-- \(table): refers to the table of the file before it.\n"
            text += "CREATE TABLE IF NOT EXISTS \(table) (\n    id BIGINT PRIMARY KEY,\n"
            if number > 1 { text += "    previous BIGINT REFERENCES shard_t\(number - 1)(id),\n" }
            text += "    note TEXT\n);\n\n"
            text += "CREATE OR REPLACE FUNCTION \(table)_checks() RETURNS integer AS $$\nBEGIN\n"
            let trailing = number <= quotedFiles ? " " : ""
            var line = 0
            while text.utf8.count < fileSize {
                text += "    -- \"step\" \(line) <ok>\(trailing)\n"
                line += 1
            }
            text += "    RETURN \(line);\nEND;\n$$ LANGUAGE plpgsql;\n"
            try text.write(toFile: database + "/schema/" + String(format: "%03d_shard_%03d.sql", number, number),
                           atomically: false, encoding: .utf8)
        }
        try """
            INSERT INTO shard_t1 (id, note) VALUES (1, 'first') ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note;
            INSERT INTO shard_t\(count) (id, previous, note) VALUES (1, NULL, 'last')
                ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note;

            """.write(toFile: database + "/fixtures/001_rows.sql", atomically: false, encoding: .utf8)
        return (directory, database, count)
    }

    /// The object as written on its own, in YAML and in JSON. Go's JSON encoder (the API
    /// server's) writes `<`, `>` and `&` as six-byte escapes, which Foundation's does not:
    /// they are added to the JSON figure.
    static func serializedSizes(_ manifest: Manifest) throws -> (yaml: Int, json: Int) {
        let yaml = try YAMLWriter.yaml([manifest])
        let object = try #require(try Yams.load(yaml: yaml))
        let json = try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
        let htmlEscapes = json.filter { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") }.count
        return (yaml.utf8.count, json.count + 5 * htmlEscapes)
    }

    @Test func aThreeMebibyteCorpusRendersIntoSeveralConfigMapsEachUnderTheObjectLimit() throws {
        let (directory, database, _) = try Self.corpus(megabytes: 3, quotedFiles: 3)
        defer { withExtendedLifetime(directory) {} }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        let schemaMaps = rendering.plan.configMaps(for: .schema)
        #expect(schemaMaps.count >= 4, "3 MiB, padded by indentation and escapes, needs at least four")
        #expect(schemaMaps.map(\.name) == (1...schemaMaps.count).map { "db-schema-\(rendering.plan.shortHash)-\($0)" })
        let files = rendering.migrationSet.files(in: .schema).map(\.name)
        #expect(schemaMaps.flatMap { $0.entries.map(\.key) } == files, "every file once, in order")
        for manifest in rendering.manifests where manifest.kind == "ConfigMap" {
            let (yaml, json) = try Self.serializedSizes(manifest)
            #expect(yaml < Self.objectLimit, "\(manifest.name) is \(yaml) bytes of YAML")
            #expect(json < Self.objectLimit, "\(manifest.name) is \(json) bytes of JSON")
        }
        // Quoted files really were written as double-quoted scalars.
        #expect(try rendering.yaml().contains("\"-- shard_t1: refers to the table of the file before it.\\n"))

        let file = directory.path + "/render.yaml"
        try rendering.yaml().write(toFile: file, atomically: true, encoding: .utf8)
        let validated = try SchemaJobExecutable.runProgram(KubernetesValidate.path(), ["--strict", file])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        let objects = (validated.stdout + validated.stderr).components(separatedBy: "INFO").count - 1
        #expect(objects == rendering.manifests.count, "every object validated:\n\(validated.stdout)")
    }

    @Test func filesWhoseYAMLIsQuotedAreBudgetedAtTheirQuotedSize() throws {
        // Under 1,000,000 bytes of data, but every line doubles its line break as `\n`
        // inside double quotes: one ConfigMap of it would be over the limit.
        let (directory, database, _) = try Self.corpus(megabytes: 0.9, quotedFiles: 1_000)
        defer { withExtendedLifetime(directory) {} }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        let dataBytes = rendering.migrationSet.files(in: .schema).reduce(0) { $0 + $1.bytes.count }
        #expect(dataBytes < Planner.configMapDataBudget)
        #expect(rendering.plan.configMaps(for: .schema).count >= 2)
        for manifest in rendering.manifests where manifest.kind == "ConfigMap" {
            let (yaml, json) = try Self.serializedSizes(manifest)
            #expect(max(yaml, json) < Self.objectLimit, "\(manifest.name): YAML \(yaml), JSON \(json) bytes")
        }
    }
}

/// The real `kubernetes-validate`, from scripts/test's .venv or the environment.
enum KubernetesValidate {
    static func path() throws -> String {
        let tool = ProcessInfo.processInfo.environment["SCHEMAJOB_KUBERNETES_VALIDATE"]
            ?? Repository.root + "/.venv/bin/kubernetes-validate"
        try #require(FileManager.default.isExecutableFile(atPath: tool),
                     "kubernetes-validate is missing: run `bash scripts/test`, which installs it into .venv")
        return tool
    }
}

extension AgainstPostgreSQL {
    @Suite struct ShardedMigrationTests {
        @Test func theRenderedJobAppliesAShardedCorpusInOrder() async throws {
            let (directory, database, count) = try ConfigMapShardingTests.corpus(megabytes: 3, quotedFiles: 3)
            defer { withExtendedLifetime(directory) {} }
            let target = try #require(PostgresServer.current).createDatabase()
            let rendered = try RenderedForTest(target, databaseDirectory: database)
            try #require(rendered.plan.configMaps(for: .schema).count > 1)
            let log = try await rendered.migrate()
            #expect(log.output.contains("  → 001_shard_001.sql\n"))
            #expect(try target.sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'shard\\_t%'") == "\(count)\n")
            #expect(try target.sql("SELECT shard_t\(count)_checks() > 0") == "t\n")
            #expect(try target.sql("SELECT note FROM shard_t\(count)") == "last\n")
        }
    }
}
