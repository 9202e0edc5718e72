import Foundation
import Testing
@testable import SchemaJobKit

@Suite struct FindingFormatTests {
    static let findings = [
        Finding(.createIfNotExists, at: SourceLocation(path: "database/schema/001_a.sql", line: 3, column: 5),
                "CREATE TABLE \"a,b\": fails\non the next run"),
        Finding(.notSQL, at: SourceLocation(path: "database/schema/notes 100%.txt"), "not a .sql file"),
    ]

    @Test func textIsOneCompilerStyleLinePerFinding() throws {
        // The line break inside the message is escaped as JSON escapes it.
        #expect(try FindingFormat.text.render(Self.findings) == #"""
            database/schema/001_a.sql:3:5: error: CREATE TABLE "a,b": fails\non the next run [create-if-not-exists]
            database/schema/notes 100%.txt: warning: not a .sql file [not-sql]

            """#)
    }

    @Test func textEscapesControlCharactersButLeavesQuotesAndBackslashesAsSQLWritesThem() {
        let finding = Finding(
            .createIfNotExists, at: SourceLocation(path: "a.sql", line: 1), "command 'vacuumdb\r\n\t--all \u{1B}[0m' ~ '\\d'")
        let line = FindingFormat.textLine(finding)
        #expect(line == #"a.sql:1: error: command 'vacuumdb\r\n\t--all \u001b[0m' ~ '\d' [create-if-not-exists]"#)
        #expect(!line.contains("\n"))
    }

    @Test func jsonIsAnArrayOfObjectsThatDecode() throws {
        let data = Data(try FindingFormat.json.render(Self.findings).utf8)
        let objects = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(objects.count == 2)
        #expect(objects[0]["path"] as? String == "database/schema/001_a.sql")
        #expect(objects[0]["line"] as? Int == 3)
        #expect(objects[0]["column"] as? Int == 5)
        #expect(objects[0]["rule"] as? String == "create-if-not-exists")
        #expect(objects[0]["message"] as? String == "CREATE TABLE \"a,b\": fails\non the next run")
        #expect(objects[0]["hint"] as? String == LintRule.createIfNotExists.hint)
        #expect(objects[1]["line"] is NSNull)
        #expect(try FindingFormat.json.render([]) == "[]\n")
    }

    @Test func githubAnnotationsEscapeWhatTheRunnerReads() throws {
        let lines = try FindingFormat.github.render(Self.findings).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("::error file=database/schema/001_a.sql,line=3,col=5,title=create-if-not-exists::"))
        #expect(lines[0].contains("CREATE TABLE \"a,b\": fails%0Aon the next run%0A"))
        #expect(lines[1].hasPrefix("::warning file=database/schema/notes 100%25.txt,title=not-sql::not a .sql file%0A"))
    }

    @Test func theSummaryCountsErrorsWarningsAndFiles() {
        #expect(FindingFormat.summary([], fileCount: 10) == "lint: no findings in 10 files")
        #expect(FindingFormat.summary(Self.findings, fileCount: 1) == "lint: 1 error, 1 warning in 1 file")
        #expect(FindingFormat.summary(Self.findings + Self.findings, fileCount: 2) == "lint: 2 errors, 2 warnings in 2 files")
        #expect(FindingFormat.summary([Self.findings[1]], fileCount: 3) == "lint: 1 warning in 3 files")
    }

    @Test func layoutRulesLockAdviceStoredCodeAndCompatibilityAreWarningsAndEverythingThatBreaksARunIsAnError() {
        for rule in LintRule.all {
            let isWarning = rule.family == .layout || rule.family == .locking || rule.family == .storedCode
                || rule.family == .compatibility
            #expect(rule.severity == (isWarning ? .warning : .error), "\(rule.id)")
        }
        #expect(LintRule.storedEscape.severity == .warning)
        #expect(LintRule.replaceTrigger.severity == .warning)
        #expect(LintRule.trailingWhitespace.severity == .warning)
        #expect(LintRule.unterminated.severity == .error)
        #expect(LintRule.schemaSumChanged.severity == .error)
    }
}
