import Foundation
import Testing
@testable import SchemaJobKit

/// The hash names the Job: it must change exactly when what the Job runs changes.
@Suite struct ContentHashTests {
    /// A copy of the bundled database/ and templates/ that a test may edit.
    struct Workspace {
        let directory: TemporaryDirectory
        var database: String { directory.path + "/database" }
        var templates: String { directory.path + "/templates" }

        init() throws {
            directory = try TemporaryDirectory()
            try Repository.copy(Repository.database, to: database)
            try Repository.copy(Repository.templates, to: templates)
        }

        func hash(_ settings: [String] = []) throws -> String {
            try SchemaJob.render(RenderRequest(databaseDirectory: database, templatesDirectory: templates,
                                               settingOverrides: settings)).plan.hash
        }

        func append(_ text: String, to relativePath: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: directory.path + "/" + relativePath))
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        }
    }

    @Test func editingAFixtureChangesTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try workspace.append("-- a new comment\n", to: "database/fixtures/001_initial_gpu_types.sql")
        #expect(try workspace.hash() != before)
    }

    @Test func editingASchemaFileChangesTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try workspace.append("\n", to: "database/schema/001_users_and_keys.sql")
        #expect(try workspace.hash() != before)
    }

    @Test func renamingAFileChangesTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try FileManager.default.moveItem(atPath: workspace.database + "/fixtures/001_initial_gpu_types.sql",
                                         toPath: workspace.database + "/fixtures/002_initial_gpu_types.sql")
        #expect(try workspace.hash() != before)
    }

    @Test func editingTheJobTemplateChangesTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try workspace.append("# an operator's edit\n", to: "templates/job.yaml")
        #expect(try workspace.hash() != before)
    }

    @Test func editingAContainerScriptChangesTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try workspace.append("# an operator's edit\n", to: "templates/scripts/migrate.sh")
        #expect(try workspace.hash() != before)
    }

    @Test func editingOnlyTheDeploymentTemplateKeepsTheHash() throws {
        let workspace = try Workspace()
        let before = try workspace.hash()
        try workspace.append("# an operator's edit\n", to: "templates/deployment.yaml")
        #expect(try workspace.hash() == before)
    }

    @Test(arguments: [
        "namespace=other", "image=postgres:18", "postgres.host=db.internal", "postgres.port=6432",
        "postgres.database=app", "postgres.user=app", "postgres.secretName=db-secret", "postgres.passwordKey=password",
        "job.backoffLimit=2", "job.ttlSecondsAfterFinished=60", "job.activeDeadlineSeconds=600",
        "job.reapply=always", "job.lockTimeoutMilliseconds=2000", "job.lockRetrySeconds=5",
    ])
    func aSettingThatReachesTheJobChangesTheHash(setting: String) throws {
        let workspace = try Workspace()
        #expect(try workspace.hash([setting]) != (try workspace.hash()))
    }

    @Test(arguments: ["api.image=registry.example/api:2.0.0", "api.replicas=5", "api.name=api-v2"])
    func aSettingThatReachesOnlyTheAPIKeepsTheHash(setting: String) throws {
        let workspace = try Workspace()
        #expect(try workspace.hash([setting]) == (try workspace.hash()))
    }

    @Test func mtimesAndTheDirectoryTheFilesLiveInKeepTheHash() throws {
        let first = try Workspace()
        let second = try Workspace()
        let old = Date(timeIntervalSince1970: 1_000_000)
        for file in try FileManager.default.subpathsOfDirectory(atPath: second.database) {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: second.database + "/" + file)
        }
        #expect(first.database != second.database)
        #expect(try first.hash() == (try second.hash()))
    }

    @Test func theBuiltInTemplatesHashLikeTheTemplatesDirectory() throws {
        let embedded = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database)).plan.hash
        let workspace = try Workspace()
        #expect(embedded == (try workspace.hash()))
    }

    @Test func hashJSONGivesTheHashAndTheJobName() throws {
        let result = try SchemaJobExecutable.run(["hash", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        let hash = try #require(object["hash"])
        #expect(hash.count == 64)
        #expect(object["job_name"] == "db-migration-" + hash.prefix(10))
        let plain = try SchemaJobExecutable.run(["hash"])
        #expect(plain.stdout == hash + "\n")
    }
}
