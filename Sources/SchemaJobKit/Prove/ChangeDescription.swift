/// Turns a snapshot change into words a reader acts on: the object, what differs on
/// each side, and, where it follows mechanically, the SQL that closes the gap.
struct ChangeDescription {
    /// How each side is called: `on a fresh install` / `after the upgrade from v1`.
    var expectedLabel: String
    var actualLabel: String
    /// Fixes are offered for upgrades: a new file brings existing databases in line.
    var offersFixes: Bool
    /// The side that is right, for context (an enum value's neighbour).
    var expected: CatalogSnapshot

    func describe(_ change: SnapshotChange) -> (object: String, message: String, fix: String?) {
        let subject = change.subject
        let name = Self.shown(subject.name)
        var object = "\(subject.kind) \(name)"
        if subject.kind == "row" {
            // A table without a key is named as a table; its rows are in the message.
            object = name.contains(" {") ? "table \(name.prefix { $0 != " " })" : "row \(name)"
        }
        var (message, fix) = words(change, name: name)
        if !offersFixes { fix = nil }
        if subject.kind == "row" { message = rowWords(change) }
        return (object, message, fix)
    }

    /// `exists on a fresh install (text), missing after the upgrade from v1`.
    private func presence(_ change: SnapshotChange, detail: String? = nil) -> String {
        let shown = detail.map { " (\($0))" } ?? ""
        return change.after == nil
            ? "exists \(expectedLabel)\(shown), missing \(actualLabel)"
            : "exists \(actualLabel)\(shown), not \(expectedLabel)"
    }

    private func words(_ change: SnapshotChange, name: String) -> (String, String?) {
        let before = change.before ?? [], after = change.after ?? []
        let parts = CatalogSnapshot.splitQualified(name)
        let owner = parts.dropLast().joined(separator: ".")
        let last = parts.last ?? name
        let missing = change.after == nil, extra = change.before == nil
        switch change.subject.kind {
        case "column":
            if missing {
                return (presence(change, detail: before[0]), "ALTER TABLE \(owner) ADD COLUMN IF NOT EXISTS \(last) \(columnDefinition(before));")
            }
            if extra { return (presence(change, detail: after[0]), "ALTER TABLE \(owner) DROP COLUMN IF EXISTS \(last);  -- once nothing reads it") }
            var differences: [String] = [], fixes: [String] = []
            let labels = ["type", "default", "nullability", "identity", "generated", "comment"]
            for index in labels.indices where index < before.count && index < after.count && before[index] != after[index] {
                differences.append("\(labels[index]) \(shownValue(before[index], index)) \(expectedLabel), \(shownValue(after[index], index)) \(actualLabel)")
                let alter = "ALTER TABLE \(owner) ALTER COLUMN \(last)"
                switch index {
                case 0: fixes.append("\(alter) TYPE \(before[0]);")
                case 1: fixes.append(before[1].isEmpty ? "\(alter) DROP DEFAULT;" : "\(alter) SET DEFAULT \(before[1]);")
                case 2: fixes.append(before[2].isEmpty ? "\(alter) DROP NOT NULL;" : "\(alter) SET NOT NULL;")
                case 5: fixes.append("COMMENT ON COLUMN \(owner).\(last) IS \(before[5].isEmpty ? "NULL" : MigrationScript.sqlLiteral(before[5]));")
                default: break
                }
            }
            return (differences.joined(separator: "; "), fixes.isEmpty ? nil : fixes.joined(separator: "\n"))
        case "constraint":
            let drop = "ALTER TABLE \(owner) DROP CONSTRAINT IF EXISTS \(last);"
            let add = before.first.map { "ALTER TABLE \(owner) ADD CONSTRAINT \(last) \($0);" }
            if missing { return ("\(presence(change)): \(before[0])", add) }
            if extra { return ("\(presence(change)): \(after[0])", drop) }
            return ("\(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)", [drop, add ?? ""].joined(separator: "\n"))
        case "index":
            let drop = "DROP INDEX IF EXISTS \(name);"
            let create = before.count > 1 ? Self.ifNotExists(before[1]) + ";" : nil
            if missing { return ("\(presence(change))", create) }
            if extra { return ("\(presence(change))", drop) }
            return ("\(before[1]) \(expectedLabel), \(after[1]) \(actualLabel)", [drop, create ?? ""].joined(separator: "\n"))
        case "trigger":
            let drop = "DROP TRIGGER IF EXISTS \(last) ON \(owner);"
            if missing { return ("\(presence(change))", drop + "\n" + before[0] + ";") }
            if extra { return ("\(presence(change)): \(after[0])", drop) }
            return ("\(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)", drop + "\n" + before[0] + ";")
        case "function":
            if extra { return ("\(presence(change))", "DROP FUNCTION IF EXISTS \(name);") }
            if missing { return ("\(presence(change))", nil) }
            return ("its definition differs \(expectedLabel) and \(actualLabel)", nil)
        case "view":
            let create = before.count > 1 ? "CREATE OR REPLACE VIEW \(name) AS\n\(before[1])" : nil
            if missing { return ("\(presence(change))", create) }
            if extra { return ("\(presence(change))", "DROP VIEW IF EXISTS \(name);") }
            return ("its definition differs \(expectedLabel) and \(actualLabel)", create)
        case "enum value":
            guard let space = name.firstIndex(of: " ") else { return (presence(change), nil) }
            let type = String(name[..<space]), label = String(name[name.index(after: space)...])
            if missing {
                let rank = Int(before.first ?? "") ?? 0
                let previous = expected.entries.first { entry in
                    entry.key.kind == "enum value" && Self.shown(entry.key.name).hasPrefix(type + " ")
                        && entry.value.first == String(rank - 1)
                }
                let after = previous.map { " AFTER " + Self.shown($0.key.name).dropFirst(type.count + 1) } ?? ""
                return ("\(presence(change))", "ALTER TYPE \(type) ADD VALUE IF NOT EXISTS \(label)\(after);")
            }
            if extra { return ("\(presence(change)) (PostgreSQL cannot drop an enum value)", nil) }
            return ("position \(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)", nil)
        default:
            if missing || extra { return (presence(change), nil) }
            return ("\(before.joined(separator: " ")) \(expectedLabel), \(after.joined(separator: " ")) \(actualLabel)", nil)
        }
    }

    private func rowWords(_ change: SnapshotChange) -> String {
        let before = change.before ?? [], after = change.after ?? []
        let keyless = change.subject.name.contains(" {")
        if keyless || before.count > 1 || after.count > 1 {
            let row = (before.first ?? after.first) ?? ""
            let duplicated = after.count > before.count && !before.isEmpty ? " (a duplicated row)" : ""
            return "\(row) appears \(Self.times(before.count)) \(expectedLabel), \(Self.times(after.count)) \(actualLabel)\(duplicated)"
        }
        if before.isEmpty { return "\(presence(change)): \(after[0])" }
        if after.isEmpty { return "\(presence(change)): \(before[0])" }
        let old = Dictionary(CatalogSnapshot.columns(ofRow: before[0]), uniquingKeysWith: { first, _ in first })
        let new = Dictionary(CatalogSnapshot.columns(ofRow: after[0]), uniquingKeysWith: { first, _ in first })
        let differing = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
        return differing.map { "\($0) \(old[$0] ?? "(no column)") \(expectedLabel), \(new[$0] ?? "(no column)") \(actualLabel)" }
            .joined(separator: "; ")
    }

    private func columnDefinition(_ attributes: [String]) -> String {
        var text = attributes[0]
        if attributes.count > 1, !attributes[1].isEmpty { text += " DEFAULT \(attributes[1])" }
        if attributes.count > 2, !attributes[2].isEmpty { text += " NOT NULL" }
        return text
    }

    private func shownValue(_ value: String, _ index: Int) -> String {
        if value.isEmpty { return index == 2 ? "NULL allowed" : "none" }
        return index == 5 ? MigrationScript.sqlLiteral(value) : value
    }

    static func times(_ count: Int) -> String { count == 1 ? "once" : "\(count) times" }

    /// Names in `public`, the default search path, are shown without it.
    static func shown(_ name: String) -> String {
        name.hasPrefix("public.") ? String(name.dropFirst("public.".count)) : name
    }

    /// `CREATE [UNIQUE] INDEX name ...` → `... INDEX IF NOT EXISTS name ...`.
    static func ifNotExists(_ definition: String) -> String {
        for prefix in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] where definition.hasPrefix(prefix) {
            return prefix + "IF NOT EXISTS " + definition.dropFirst(prefix.count)
        }
        return definition
    }
}
