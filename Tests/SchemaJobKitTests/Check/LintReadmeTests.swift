import Foundation
import Testing
@testable import SchemaJobKit

/// The README's table of lint rules is part of the contract: every rule is in it once,
/// with the severity the code gives it.
@Suite struct LintReadmeTests {
    @Test func theReadmeNamesEveryRuleWithItsSeverity() throws {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Lint\n").dropFirst().first)
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for rule in LintRule.all {
            let matching = rows.filter { $0.contains("`\(rule.id)`") && ($0.contains("| error |") || $0.contains("| warning |")) }
            #expect(matching.count == 1, "README's lint table lists \(rule.id) \(matching.count) times")
            #expect(matching.first?.contains("| \(rule.severity.rawValue) |") == true, "README gives \(rule.id) the wrong severity")
        }
    }
}
