/// Turns a snapshot change into words a reader acts on: the object and what differs on
/// each side. The SQL that closes the gap is `FixSet`'s.
struct ChangeDescription {
    /// How each side is called: `on a fresh install` / `after the upgrade from v1`.
    var expectedLabel: String
    var actualLabel: String

    func describe(_ change: SnapshotChange) -> (object: String, message: String) {
        let subject = change.subject
        let name = Self.shown(subject.name)
        var object = "\(subject.kind) \(name)"
        if subject.kind == .row {
            // A table without a key is named as a table; its rows are in the message.
            object = name.contains(" {") ? "table \(name.prefix { $0 != " " })" : "row \(name)"
        }
        let message = subject.kind == .row ? rowWords(change) : words(change, name: name)
        return (object, message)
    }

    /// `exists on a fresh install (text), missing after the upgrade from v1`.
    private func presence(_ change: SnapshotChange, detail: String? = nil) -> String {
        let shown = detail.map { " (\($0))" } ?? ""
        return change.after == nil
            ? "exists \(expectedLabel)\(shown), missing \(actualLabel)"
            : "exists \(actualLabel)\(shown), not \(expectedLabel)"
    }

    private func words(_ change: SnapshotChange, name: String) -> String {
        let before = change.before ?? [], after = change.after ?? []
        let missing = change.after == nil, extra = change.before == nil
        switch change.subject.kind {
        case .column:
            if missing { return presence(change, detail: ColumnState(before).type) }
            if extra { return presence(change, detail: ColumnState(after).type) }
            // An attribute only one side's record has is not compared (records are never short in practice).
            let compared = min(before.count, after.count)
            let expected = ColumnState(before), actual = ColumnState(after)
            return ColumnState.fields.prefix(compared).filter { expected[keyPath: $0.value] != actual[keyPath: $0.value] }.map { field in
                let old = shownValue(expected[keyPath: field.value], of: field.value)
                let new = shownValue(actual[keyPath: field.value], of: field.value)
                return "\(field.label) \(old) \(expectedLabel), \(new) \(actualLabel)"
            }.joined(separator: "; ")
        case .constraint:
            if missing { return "\(presence(change)): \(before[0])" }
            if extra { return "\(presence(change)): \(after[0])" }
            return "\(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)"
        case .index:
            if missing || extra { return presence(change) }
            return "\(IndexState(before)?.definition ?? "") \(expectedLabel), \(IndexState(after)?.definition ?? "") \(actualLabel)"
        case .trigger:
            if missing { return presence(change) }
            if extra { return "\(presence(change)): \(after[0])" }
            return "\(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)"
        case .function, .view:
            if missing || extra { return presence(change) }
            return "its definition differs \(expectedLabel) and \(actualLabel)"
        case .enumValue:
            if missing { return presence(change) }
            if extra { return "\(presence(change)) (PostgreSQL cannot drop an enum value)" }
            return "position \(before[0]) \(expectedLabel), \(after[0]) \(actualLabel)"
        default:
            if missing || extra { return presence(change) }
            return "\(before.joined(separator: " ")) \(expectedLabel), \(after.joined(separator: " ")) \(actualLabel)"
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

    func shownValue(_ value: String, of field: KeyPath<ColumnState, String>) -> String {
        if value.isEmpty { return field == \.notNull ? "NULL allowed" : "none" }
        return field == \.comment ? MigrationScript.sqlLiteral(value) : value
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
