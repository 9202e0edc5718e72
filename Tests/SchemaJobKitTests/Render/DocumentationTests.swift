import Foundation
import Testing
@testable import SchemaJobKit

/// docs/settings.md is part of the contract: its settings table must match the code
/// (GeneratedTablesTests holds it to the generated text; this reads it as a user would).
@Suite struct DocumentationTests {
    @Test func theSettingsPageListsEverySettingWithItsDefault() throws {
        let page = try String(contentsOfFile: Repository.root + "/docs/settings.md", encoding: .utf8)
        let rows = page.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for setting in SettingKey.all {
            let row = rows.first { $0.hasPrefix("| `\(setting.key)` |") }
            #expect(row != nil, "docs/settings.md has no row for \(setting.key)")
            #expect(row?.contains("| `\(setting.defaultValue)` |") == true, "docs/settings.md's default for \(setting.key) is not \(setting.defaultValue)")
            #expect(row?.contains(setting.reachesJob ? "| yes |" : "| no |") == true, "docs/settings.md says the wrong thing about \(setting.key) and the hash")
        }
    }
}
