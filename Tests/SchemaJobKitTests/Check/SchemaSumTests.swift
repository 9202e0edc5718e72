import Foundation
import Testing
@testable import SchemaJobKit

@Suite struct SchemaSumTests {
    static let deployed = [
        CheckFixtures.schema("001_users.sql", "CREATE TABLE IF NOT EXISTS users (id int);\n"),
        CheckFixtures.schema("002_keys.sql", "CREATE TABLE IF NOT EXISTS keys (id int);\n"),
    ]
    static let fixture = CheckFixtures.file(.fixtures, "001_rows.sql", "INSERT INTO users VALUES (1) ON CONFLICT DO NOTHING;\n")

    /// The set as deployed, with the sum `schemajob sum` wrote for it.
    static func lockedSet() -> MigrationSet {
        var set = MigrationSet(directory: "database", files: deployed + [fixture])
        set.schemaSum = SchemaSum.render(for: set)
        return set
    }

    static func lockFindings(_ set: MigrationSet) -> [Finding] {
        Linter.lint(set).filter { $0.rule.id.hasPrefix("schema-sum") }
    }

    @Test func theSumListsEachSchemaFileThenChecksumsTheLinesAbove() {
        let text = SchemaSum.render(for: Self.lockedSet())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4 && lines[3] == "", "two files, the sum line, and a final newline")
        #expect(lines[0] == "\(sha256Hex(Array(Self.deployed[0].text.utf8)))  001_users.sql")
        #expect(lines[1] == "\(sha256Hex(Array(Self.deployed[1].text.utf8)))  002_keys.sql")
        #expect(lines[2] == "sum " + sha256Hex(Array((lines[0] + "\n" + lines[1] + "\n").utf8)))
        #expect(!text.contains("001_rows.sql"), "fixtures are never locked")
    }

    @Test func anUntouchedSetPassesTheLock() {
        #expect(Self.lockFindings(Self.lockedSet()).isEmpty)
    }

    @Test func aChangedListedFileIsFound() {
        var set = Self.lockedSet()
        set.files[1] = CheckFixtures.schema("002_keys.sql", "CREATE TABLE IF NOT EXISTS keys (id bigint);\n")
        let findings = Self.lockFindings(set)
        #expect(findings.map(\.rule.id) == ["schema-sum-changed"])
        #expect(findings.first?.location == SourceLocation(path: "database/schema/002_keys.sql"))
    }

    @Test func aRemovedListedFileIsFound() {
        var set = Self.lockedSet()
        set.files.remove(at: 0)
        let findings = Self.lockFindings(set)
        #expect(findings.map(\.rule.id) == ["schema-sum-missing-file"])
        #expect(findings.first?.location == SourceLocation(path: "database/schema.sum", line: 1, column: 1))
        #expect(findings.first?.message.contains("001_users.sql") == true)
    }

    @Test func aHandEditedSumIsFound() throws {
        let set = Self.lockedSet()
        let original = try #require(set.schemaSum)
        // Someone "fixes" the lock by pasting the changed file's hash over the old one.
        var edited = set
        edited.files[0] = CheckFixtures.schema("001_users.sql", "CREATE TABLE IF NOT EXISTS users (id bigint);\n")
        edited.schemaSum = edited.files[0].sha256 + original.dropFirst(64)
        #expect(Self.lockFindings(edited).map(\.rule.id) == ["schema-sum-tampered"])
        #expect(Self.lockFindings(edited).first?.location.line == 3)

        // Or deletes a line, to unlock the file below it.
        var shortened = set
        shortened.schemaSum = original.split(separator: "\n").dropFirst().map { $0 + "\n" }.joined()
        #expect(Self.lockFindings(shortened).map(\.rule.id) == ["schema-sum-tampered"])

        // Or cuts the sum line off.
        var cut = set
        cut.schemaSum = original.split(separator: "\n").dropLast().map { $0 + "\n" }.joined()
        #expect(Self.lockFindings(cut).map(\.rule.id) == ["schema-sum-tampered"])
    }

    @Test func aMalformedLineIsTamperingAtThatLine() {
        var set = Self.lockedSet()
        set.schemaSum = "not a hash  001_users.sql\n" + (set.schemaSum ?? "")
        let findings = Self.lockFindings(set)
        #expect(findings.contains { $0.rule.id == "schema-sum-tampered" && $0.location.line == 1 })
    }

    @Test func aNewSchemaFileIsFine() {
        var set = Self.lockedSet()
        set.files.insert(CheckFixtures.schema("003_tags.sql", "CREATE TABLE IF NOT EXISTS tags (id int);\n"), at: 2)
        #expect(Self.lockFindings(set).isEmpty)
    }

    @Test func anEditedFixtureIsFine() {
        var set = Self.lockedSet()
        set.files[2] = CheckFixtures.file(.fixtures, "001_rows.sql", "INSERT INTO users VALUES (2) ON CONFLICT DO NOTHING;\n")
        #expect(Self.lockFindings(set).isEmpty)
    }

    @Test func withoutASumNothingIsLocked() {
        var set = Self.lockedSet()
        set.schemaSum = nil
        set.files.remove(at: 0)
        #expect(Self.lockFindings(set).isEmpty)
    }

    @Test func aSumWithCRLFLineEndingsStillReads() {
        var set = Self.lockedSet()
        set.schemaSum = set.schemaSum?.split(separator: "\n").map { $0 + "\r\n" }.joined()
        #expect(Self.lockFindings(set).isEmpty)
    }

    @Test func theReaderHandsTheWrittenSumBackToTheLinter() throws {
        let root = try CheckFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for file in Self.deployed {
            try CheckFixtures.write(file.text, to: root.appendingPathComponent("schema/\(file.name)"))
        }
        let before = try DatabaseReader.read(directory: root.path)
        try CheckFixtures.write(SchemaSum.render(for: before), to: root.appendingPathComponent("schema.sum"))
        #expect(Self.lockFindings(try DatabaseReader.read(directory: root.path)).isEmpty)

        try CheckFixtures.write("-- edited\n", to: root.appendingPathComponent("schema/001_users.sql"))
        let after = try DatabaseReader.read(directory: root.path)
        #expect(Self.lockFindings(after).map(\.rule.id) == ["schema-sum-changed"])
    }
}
