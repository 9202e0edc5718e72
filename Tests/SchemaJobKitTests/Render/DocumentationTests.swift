import Foundation
import Testing
@testable import SchemaJobKit

/// The README is part of the contract: its settings table must match the code.
@Suite struct DocumentationTests {
    @Test func theReadmeSettingsTableListsEverySettingWithItsDefault() throws {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for setting in SettingKey.all {
            let row = rows.first { $0.hasPrefix("| `\(setting.key)` |") }
            #expect(row != nil, "README has no row for \(setting.key)")
            #expect(row?.contains("| `\(setting.defaultValue)` |") == true, "README's default for \(setting.key) is not \(setting.defaultValue)")
            #expect(row?.contains(setting.reachesJob ? "| yes |" : "| no |") == true, "README says the wrong thing about \(setting.key) and the hash")
        }
    }
}
