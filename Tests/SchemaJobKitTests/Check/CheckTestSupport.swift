import Foundation
@testable import SchemaJobKit

/// Sets built in memory, so a test states its files in full.
enum CheckFixtures {
    static func file(_ phase: Phase, _ name: String, _ text: String, directory: String = "database") -> MigrationFile {
        MigrationFile(phase: phase, name: name, displayPath: "\(directory)/\(phase.rawValue)/\(name)", text: text)
    }

    static func schema(_ name: String, _ text: String) -> MigrationFile {
        file(.schema, name, text)
    }

    /// One schema file, linted alone.
    static func lint(_ sql: String, phase: Phase = .schema) -> [Finding] {
        Linter.lint(MigrationSet(directory: "database", files: [file(phase, "001_test.sql", sql)]))
    }

    static var repositoryRoot: URL { URL(fileURLWithPath: Repository.root) }

    /// A fresh directory under the system's temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("schemajob-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
