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
                apply(statement.significantTokens, to: &tables)
            }
        }
        return tables
    }

    static func apply(_ tokens: [SQLToken], to tables: inout [String]) {
        var reader = TokenReader(tokens: tokens)
        if reader.accept("CREATE") {
            _ = reader.accept("GLOBAL") || reader.accept("LOCAL")
            if reader.accept("TEMP") || reader.accept("TEMPORARY") { return }
            _ = reader.accept("UNLOGGED")
            guard reader.accept("TABLE") else { return }
            _ = reader.accept("IF", "NOT", "EXISTS")
            if let name = reader.qualifiedName(), !tables.contains(name) {
                tables.append(name)
            }
        } else if reader.accept("DROP", "TABLE") {
            _ = reader.accept("IF", "EXISTS")
            repeat {
                if let name = reader.qualifiedName() { tables.removeAll { $0 == name } }
            } while reader.acceptPunctuation(",")
        } else if reader.accept("ALTER", "TABLE") {
            _ = reader.accept("IF", "EXISTS")
            _ = reader.accept("ONLY")
            guard let old = reader.qualifiedName(), reader.accept("RENAME", "TO"),
                  let new = reader.qualifiedName(), let index = tables.firstIndex(of: old) else { return }
            // RENAME TO keeps the schema; only the last part is new.
            let prefix = old.split(separator: ".").dropLast().joined(separator: ".")
            tables[index] = prefix.isEmpty ? new : prefix + "." + new
        }
    }

    /// Walks the significant tokens of one statement.
    struct TokenReader {
        var tokens: [SQLToken]
        var position = 0

        mutating func accept(_ keywords: String...) -> Bool {
            guard position + keywords.count <= tokens.count else { return false }
            for (offset, keyword) in keywords.enumerated() {
                let token = tokens[position + offset]
                guard token.kind == .word, token.text.uppercased() == keyword else { return false }
            }
            position += keywords.count
            return true
        }

        mutating func acceptPunctuation(_ text: String) -> Bool {
            guard position < tokens.count, tokens[position].kind == .punctuation, tokens[position].text == text else { return false }
            position += 1
            return true
        }

        /// `name`, `schema.name`, `"Quoted"`: written as `to_regclass` reads it back.
        mutating func qualifiedName() -> String? {
            var parts: [String] = []
            repeat {
                guard position < tokens.count else { return nil }
                let token = tokens[position]
                switch token.kind {
                case .word: parts.append(token.text.lowercased())
                case .quotedIdentifier: parts.append(Self.identifier(fromQuoted: token.text))
                default: return nil
                }
                position += 1
            } while acceptPunctuation(".")
            return parts.joined(separator: ".")
        }

        /// A quoted identifier that needs no quotes is written bare, so `"users"` and
        /// `users` name one table; any other keeps its quotes.
        static func identifier(fromQuoted text: String) -> String {
            let inner = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
            let plain = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
            if let first = inner.first, !first.isNumber, inner.allSatisfy({ plain.contains($0) }) {
                return inner
            }
            return text
        }
    }
}
