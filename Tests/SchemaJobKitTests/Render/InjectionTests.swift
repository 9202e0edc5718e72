import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// Hostile setting values: each either lands verbatim where it belongs (the manifests stay
/// valid YAML, the same objects, the value the exact environment variable) or is refused
/// with one line naming the setting. Scripts get values only as environment variables.
@Suite struct InjectionTests {
    static let verbatim: [String] = [
        #"it's a "quoted" name"#,
        "`id`",
        "---",
        "...",
        "{{ .Values.database }}",
        "&anchor",
        "*alias",
        "!!binary aGVsbG8=",
        "!local tag",
        "key: value",
        "# not a comment",
        "[a, b]",
        "host=203.0.113.9 dbname=other",
        "; DROP TABLE api_users; --",
        String(repeating: "x", count: 10_000),
    ]

    @Test(arguments: verbatim)
    func aHostileValueLandsVerbatimInTheEnvironment(_ value: String) throws {
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database, settingOverrides: ["postgres.database=\(value)"]))
        let yaml = try rendering.yaml()
        let documents = Array(try Yams.load_all(yaml: yaml)).compactMap { $0 as? [String: Any] }
        #expect(documents.map { $0["kind"] as? String } == rendering.manifests.map(\.kind), "no object added or lost")
        let job = try #require(documents.first { $0["kind"] as? String == "Job" })
        let deployment = try #require(documents.first { $0["kind"] as? String == "Deployment" })
        #expect(Self.environment(of: job, container: "migrate")["PGDATABASE"] == value)
        #expect(Self.environment(of: job, container: "wait-for-postgres")["PGDATABASE"] == value)
        #expect(Self.environment(of: deployment, container: "schemajob-wait-for-schema")["PGDATABASE"] == value)
        #expect(Self.environment(of: deployment, container: "api")["POSTGRES_DB"] == value)
        // No script text changed: the value is nowhere but in `env`.
        let plain = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database))
        #expect(rendering.migrationScript == plain.migrationScript)
    }

    static let refused: [(value: String, message: String)] = [
        ("first\nsecond", "'postgres.database' must not contain control characters"),
        ("a\r\nb", "'postgres.database' must not contain control characters"),
        ("$(PGPASSWORD)", "'postgres.database' must not contain '$('"),
        ("x$(whoami)", "'postgres.database' must not contain '$('"),
        ("", "'postgres.database' must not be empty"),
    ]

    @Test(arguments: refused.indices)
    func aValueKubernetesOrYAMLWouldReadAsCodeIsRefused(_ index: Int) throws {
        let (value, message) = Self.refused[index]
        let result = try SchemaJobExecutable.run(["render", "--set", "postgres.database=\(value)"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("error: \(message)"), "\(result.stderr)")
    }

    @Test(arguments: ["api.image", "image"])
    func anImageWithSpacesOrABadDigestIsRefused(_ key: String) throws {
        for value in ["repo/api:1 --privileged", "repo/api@sha256:\(String(repeating: "0", count: 63))", "@sha256:" + String(repeating: "a", count: 64)] {
            let result = try SchemaJobExecutable.run(["render", "--set", "\(key)=\(value)"])
            #expect(result.status == 2, "\(key)=\(value)")
            #expect(result.stderr.hasPrefix("--set \(key)=\(value): error: '\(key)' "), "\(result.stderr)")
        }
    }

    @Test func anImageByDigestIsAccepted() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database,
            settingOverrides: ["image=ghcr.io/pgmq/pg18-pgmq:v1.8.1@\(digest)", "api.image=registry.example/api@\(digest)"]))
        let yaml = try rendering.yaml()
        #expect(yaml.contains("image: ghcr.io/pgmq/pg18-pgmq:v1.8.1@\(digest)\n"))
        #expect(yaml.contains("image: registry.example/api@\(digest)\n"))
    }

    /// The `env` of one container of a Job's or Deployment's pod template, as parsed YAML.
    static func environment(of object: [String: Any], container name: String) -> [String: String] {
        let spec = (object["spec"] as? [String: Any])?["template"] as? [String: Any]
        let podSpec = spec?["spec"] as? [String: Any]
        let containers = ((podSpec?["containers"] as? [[String: Any]]) ?? []) + ((podSpec?["initContainers"] as? [[String: Any]]) ?? [])
        let container = containers.first { $0["name"] as? String == name }
        var environment: [String: String] = [:]
        for variable in (container?["env"] as? [[String: Any]]) ?? [] {
            if let key = variable["name"] as? String, let value = variable["value"] as? String { environment[key] = value }
        }
        return environment
    }
}
