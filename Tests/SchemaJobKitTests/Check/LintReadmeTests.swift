import Foundation
import Testing
@testable import SchemaJobKit

/// docs/lint.md's table of lint rules is part of the contract: every rule is in it once,
/// with the severity the code gives it.
@Suite struct LintReadmeTests {
    @Test func theLintPageNamesEveryRuleWithItsSeverity() throws {
        let page = try String(contentsOfFile: Repository.root + "/docs/lint.md", encoding: .utf8)
        let rows = page.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for rule in LintRule.all {
            let matching = rows.filter { $0.contains("`\(rule.id)`") && ($0.contains("| error |") || $0.contains("| warning |")) }
            #expect(matching.count == 1, "docs/lint.md's table lists \(rule.id) \(matching.count) times")
            #expect(matching.first?.contains("| \(rule.severity.rawValue) |") == true, "docs/lint.md gives \(rule.id) the wrong severity")
        }
    }
}
