import SQLSyntax
import Testing
@testable import SchemaJobKit

/// How a table's name is written into `REQUIRED_TABLES`: bare when `to_regclass` reads it
/// back unquoted, quoted otherwise.
@Suite struct RequiredTablesNameTests {
    /// The rule as it was first written, over characters: a letter or `_` first, then only
    /// lower-case ASCII letters, digits, `_` and `$`.
    private func plainByCharacters(_ part: String) -> Bool {
        let plain = Set("abcdefghijklmnopqrstuvwxyz0123456789_$")
        guard let first = part.first, first.isLetter || first == "_" else { return false }
        return part.allSatisfy { plain.contains($0) }
    }

    @Test func aNamePartIsBareExactlyWhenEveryCharacterIsPlain() {
        let parts = [
            "users", "_x", "a1", "a$b", "t_2024", "", "1a", "$a", "Users", "a b", "a-b", "a\"b", "é", "aé",
            "a\u{301}", "\u{212A}", "k\u{212A}", "ı", "ﬃ", "a\u{0}", "ａ", "a;", "_", "z9$_",
        ]
        for part in parts {
            #expect(RequiredTables.isPlain(part) == plainByCharacters(part), "\(part.debugDescription)")
        }
        #expect(RequiredTables.regclass(["public", "Users", "a\"b"]) == "public.\"Users\".\"a\"\"b\"")
    }

    @Test func aCreatedDroppedOrRenamedTableIsReadFromItsStatement() throws {
        func change(_ sql: String) throws -> RequiredTables.Change? {
            let statement = try #require(SQLLexer.statements(in: sql).first)
            return RequiredTables.change(StatementView(statement.significantTokens))
        }
        guard case .create(let created)? = try change("create Unlogged table if NOT exists app.\"Items\" (id int);") else {
            Issue.record("no create")
            return
        }
        #expect(created == "app.\"Items\"")
        guard case .drop(let dropped)? = try change("DROP TABLE IF EXISTS a, b.c CASCADE;") else {
            Issue.record("no drop")
            return
        }
        #expect(dropped == ["a", "b.c"])
        guard case .rename(let old, let new)? = try change("ALTER TABLE IF EXISTS ONLY s.t RENAME TO u;") else {
            Issue.record("no rename")
            return
        }
        #expect(old == "s.t" && new == "s.u")
        #expect(try change("CREATE TEMP TABLE t (id int);") == nil)
        #expect(try change("CREATE INDEX i ON t (id);") == nil)
    }
}
