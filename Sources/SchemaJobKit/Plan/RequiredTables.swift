import Foundation

/// The tables the schema files leave behind: every `CREATE TABLE`, minus what a later
/// `DROP TABLE` removes, with `ALTER TABLE … RENAME TO` followed. Derived from the SQL,
/// never typed by hand, so a new table file is required by the API the moment it lands.
/// Tables made inside a `DO` block or by a function (pgmq's queues) are not seen.
public enum RequiredTables {
    public static func find(in schemaFiles: [MigrationFile]) -> [String] {
        var tables: [String] = []
        for file in schemaFiles {
            for statement in SQLLexer.statements(in: file.text) {
                apply(StatementView(statement.significantTokens), to: &tables)
            }
        }
        return tables
    }

    static func apply(_ statement: StatementView, to tables: inout [String]) {
        var index = 0
        func accept(_ keywords: String...) -> Bool {
            guard keywords.enumerated().allSatisfy({ statement.isKeyword(index + $0.offset, $0.element) }) else { return false }
            index += keywords.count
            return true
        }
        func name() -> [String]? {
            guard let (parts, next) = statement.qualifiedName(index) else { return nil }
            index = next
            return parts
        }

        if accept("CREATE") {
            _ = accept("GLOBAL") || accept("LOCAL")
            if accept("TEMP") || accept("TEMPORARY") { return }
            _ = accept("UNLOGGED")
            guard accept("TABLE") else { return }
            _ = accept("IF", "NOT", "EXISTS")
            if let parts = name(), !tables.contains(regclass(parts)) {
                tables.append(regclass(parts))
            }
        } else if accept("DROP", "TABLE") {
            _ = accept("IF", "EXISTS")
            for start in statement.topLevelListStarts(from: index) {
                index = start
                if let parts = name() { tables.removeAll { $0 == regclass(parts) } }
            }
        } else if accept("ALTER", "TABLE") {
            _ = accept("IF", "EXISTS")
            _ = accept("ONLY")
            guard let old = name(), accept("RENAME", "TO"), let new = statement.identifier(index),
                  let position = tables.firstIndex(of: regclass(old)) else { return }
            // RENAME TO keeps the table in its schema; only the last part changes.
            tables[position] = regclass(old.dropLast() + [new])
        }
    }

    /// A name as `to_regclass` reads it back: a part that needs no quotes is written bare,
    /// so `"users"` and `users` are one table; any other part keeps its quotes.
    static func regclass(_ parts: [String]) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyz0123456789_$")
        return parts.map { part in
            if let first = part.first, first.isLetter || first == "_", part.allSatisfy({ plain.contains($0) }) {
                return part
            }
            return "\"" + part.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ".")
    }
}
