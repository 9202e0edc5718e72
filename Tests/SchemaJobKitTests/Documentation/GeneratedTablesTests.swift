import Foundation
import Testing
@testable import SchemaJobKit

/// The settings and lint-rule tables in docs/ are generated from `SettingKey.all` and
/// `LintRule.all`. Each sits between a begin and an end marker in its page; the page must
/// hold exactly what the code generates, so adding a setting or a rule without
/// regenerating the page fails here. SCHEMAJOB_UPDATE_GOLDEN=1 rewrites the tables
/// (the rest of each page is left as it is), as it rewrites the golden render.
@Suite struct GeneratedTablesTests {
    static let regenerate = "SCHEMAJOB_UPDATE_GOLDEN=1 swift test --filter GeneratedTablesTests"
    static let begin = "<!-- generated from the code: edit it there, then run " + regenerate + " -->\n"
    static let end = "<!-- end of the generated table -->\n"

    @Test func theSettingsPageHoldsTheTableGeneratedFromSettingKeyAll() throws {
        try expectGenerated(page: "docs/settings.md", table: SettingKey.markdownTable(), source: "SettingKey.all")
    }

    @Test func theLintPageHoldsTheTableGeneratedFromLintRuleAll() throws {
        try expectGenerated(page: "docs/lint.md", table: LintRule.markdownTable(), source: "LintRule.all")
    }

    @Test func aCellsPipeAngleBracketAndBackslashAreEscaped() {
        #expect(MarkdownTable.cell(#"a | b <table> U&'\+01F600'"#) == #"a \| b \<table> U&'\\+01F600'"#)
        #expect(MarkdownTable.code("text|json") == #"`text\|json`"#)
    }

    @Test func aTableHasAHeaderASeparatorAndOneLinePerRow() {
        #expect(MarkdownTable.render(header: ["a", "b"], rows: [["1", "2"], ["3", "4"]])
                == "| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |\n")
    }

    private func expectGenerated(page: String, table: String, source: String,
                                 sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let path = Repository.root + "/" + page
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "\(page) has no line \(Self.begin)", sourceLocation: sourceLocation)
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex),
                                "\(page) has no line \(Self.end) after its begin marker", sourceLocation: sourceLocation)
        let committed = String(text[start.upperBound..<stop.lowerBound])
        if ProcessInfo.processInfo.environment["SCHEMAJOB_UPDATE_GOLDEN"] == "1", committed != table {
            let updated = String(text[..<start.upperBound]) + table + String(text[stop.lowerBound...])
            try updated.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        #expect(committed == table,
                "\(page)'s table differs from \(source); regenerate it with \(Self.regenerate) and review the diff",
                sourceLocation: sourceLocation)
    }
}
