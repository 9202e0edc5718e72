import Foundation
import SQLSyntax

/// The tables the schema files leave behind: every `CREATE TABLE`, minus what a later
/// `DROP TABLE` removes, with `ALTER TABLE … RENAME TO` followed. Derived from the SQL,
/// never typed by hand, so a new table file is required by the API the moment it lands.
/// Tables made inside a `DO` block or by a function (pgmq's queues) are not seen.
public enum RequiredTables {
    /// The tables left after `changes`, the statements' changes in the files' order
    /// (`MigrationAnalysis` collects them in its one pass over each file).
    ///
    /// A create adds a table not listed yet at the end, a drop removes every entry of the
    /// name, a rename renames the first entry of the old name in place. Each name's places
    /// are indexed (a set of 20,000 tables made the plain list search quadratic), and a
    /// dropped entry is left as a hole until the end, so no place ever moves.
    static func tables<Changes: Sequence>(after changes: Changes) -> [String] where Changes.Element == Change {
        var tables: [String?] = []
        var places: [String: [Int]] = [:]  // each name's places in `tables`, ascending
        for change in changes {
            switch change {
            case .create(let table):
                if places[table, default: []].isEmpty {
                    places[table] = [tables.count]
                    tables.append(table)
                }
            case .drop(let dropped):
                for name in dropped {
                    for place in places.removeValue(forKey: name) ?? [] { tables[place] = nil }
                }
            case .rename(let old, let new):
                guard let place = places[old]?.first else { continue }
                places[old]?.removeFirst()
                tables[place] = new
                var newPlaces = places[new, default: []]
                newPlaces.insert(place, at: newPlaces.firstIndex { $0 > place } ?? newPlaces.count)
                places[new] = newPlaces
            }
        }
        return tables.compactMap { $0 }
    }

    enum Change: Sendable {
        case create(String)
        case drop([String])
        case rename(String, to: String)
    }

    static func change(_ statement: StatementView) -> Change? {
        var index = 0
        // One, two and three keywords without the array a variadic call would allocate:
        // every statement of every file is asked these.
        func accept(_ keyword: String) -> Bool {
            guard statement.isKeyword(index, keyword) else { return false }
            index += 1
            return true
        }
        func accept(_ first: String, _ second: String) -> Bool {
            guard statement.matches(index, first, second) else { return false }
            index += 2
            return true
        }
        func accept(_ first: String, _ second: String, _ third: String) -> Bool {
            guard statement.matches(index, first, second, third) else { return false }
            index += 3
            return true
        }
        func name() -> [String]? {
            guard let (parts, next) = statement.qualifiedName(index) else { return nil }
            index = next
            return parts
        }

        if accept("CREATE") {
            _ = accept("GLOBAL") || accept("LOCAL")
            if accept("TEMP") || accept("TEMPORARY") { return nil }
            _ = accept("UNLOGGED")
            guard accept("TABLE") else { return nil }
            _ = accept("IF", "NOT", "EXISTS")
            return name().map { .create(regclass($0)) }
        } else if accept("DROP", "TABLE") {
            _ = accept("IF", "EXISTS")
            var dropped: [String] = []
            for start in statement.topLevelListStarts(from: index) {
                index = start
                if let parts = name() { dropped.append(regclass(parts)) }
            }
            return .drop(dropped)
        } else if accept("ALTER", "TABLE") {
            _ = accept("IF", "EXISTS")
            _ = accept("ONLY")
            guard let old = name(), accept("RENAME", "TO"), let new = statement.identifier(index) else { return nil }
            // RENAME TO keeps the table in its schema; only the last part changes.
            return .rename(regclass(old), to: regclass(old.dropLast() + [new]))
        }
        return nil
    }

    /// A name as `to_regclass` reads it back: a part that needs no quotes is written bare,
    /// so `"users"` and `users` are one table; any other part keeps its quotes.
    static func regclass(_ parts: [String]) -> String {
        parts.map { part in
            if isPlain(part) { return part }
            return "\"" + part.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ".")
    }

    /// A part that needs no quotes: `[a-z_][a-z0-9_$]*`, told from the bytes (no
    /// character is canonically equal to one of these but the character itself).
    static func isPlain(_ part: String) -> Bool {
        func isStart(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
        }
        func continues(_ byte: UInt8) -> Bool {
            isStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "$")
        }
        guard let first = part.utf8.first, isStart(first) else { return false }
        return part.utf8.allSatisfy(continues)
    }
}
