import SQLSyntax

/// `lint --from`: the upgrade check without a server. Every file runs again on every
/// deploy, but a `CREATE TABLE IF NOT EXISTS` whose table exists does nothing: whatever
/// was added inside it since an earlier state reaches fresh installs only. For each
/// schema file in both states whose bytes changed, this compares the tables (columns,
/// their type, default and NOT NULL, constraints) and enum types the two texts declare,
/// and names what an existing database will not get, with the statement to put in a new
/// file. A change the set already makes with ALTER (in any schema file) is not reported.
enum UpgradeRules {
    static func check(from earlier: MigrationSet, to current: MigrationSet) -> [Finding] {
        let parsed = current.files(in: .schema).map { file in (file, SQLLexer.statements(in: file.text)) }
        let alterations = Alterations(parsed.map(\.1))
        var findings: [Finding] = []
        let oldFiles = earlier.files(in: .schema)
        let newByName = Dictionary(parsed.map { ($0.0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for old in oldFiles {
            guard let (new, newStatements) = newByName[old.name] else {
                findings.append(removed(old, current: current))
                continue
            }
            guard old.sha256 != new.sha256 else { continue }
            let comparison = FileComparison(
                old: old, new: new, newStatements: newStatements, earlierName: earlier.directory, alterations: alterations)
            findings += comparison.findings()
        }
        return findings
    }

    static func removed(_ old: MigrationFile, current: MigrationSet) -> Finding {
        let location = SourceLocation(path: old.displayPath)
        if let renamed = current.files(in: .schema).first(where: { $0.sha256 == old.sha256 }) {
            return Finding(.upgradeFileRemoved, at: location,
                           "\(old.name) was renamed to \(renamed.name): existing databases ran it as \(old.name), and run it again at a new place in the order")
        }
        return Finding(.upgradeFileRemoved, at: location,
                       "\(old.name) is gone: existing databases keep what it made, fresh installs never get it")
    }

    /// Unquoted words in lower case, comments gone, one space between tokens: two texts
    /// that PostgreSQL reads alike compare equal.
    static func normalized(_ text: String) -> String {
        SQLLexer.tokens(in: text).filter { !$0.isTrivia }
            .map { $0.kind == .word ? $0.text.lowercased() : $0.text }
            .joined(separator: " ")
    }

    /// Type names PostgreSQL treats as one type.
    static let typeSynonyms: [String: String] = [
        "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean",
        "varchar": "character varying", "timestamptz": "timestamp with time zone",
        "timestamp without time zone": "timestamp", "timetz": "time with time zone", "time without time zone": "time",
        "float8": "double precision", "float4": "real", "decimal": "numeric", "char": "character",
        "serial4": "serial", "serial8": "bigserial",
    ]

    static func canonicalType(_ type: String) -> String {
        var text = normalized(type)
        // The longest synonym that starts the text, followed by nothing or a modifier.
        for (synonym, name) in typeSynonyms.sorted(by: { $0.key.count > $1.key.count })
        where text == synonym || text.hasPrefix(synonym + " (") || text.hasPrefix(synonym + " [") {
            text = name + text.dropFirst(synonym.count)
            break
        }
        return text
    }

    static func canonicalDefault(_ expression: String?) -> String? {
        guard let expression else { return nil }
        let text = normalized(expression)
        return text == "null" ? nil : text
    }

    /// `'a'` for a regclass or a comparison: quotes doubled.
    static func literal(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// The last part of a resolved name, without its schema.
    static func relationName(_ name: String) -> String {
        String(name.split(separator: ".").last ?? Substring(name))
    }

    /// `public.disks` and `disks` are one table for this check.
    static func tableKey(_ name: String) -> String {
        name.hasPrefix("public.") ? String(name.dropFirst("public.".count)) : name
    }
}

/// What the current files already change with ALTER: an upgrade finding the set has
/// answered is not one any more.
private struct Alterations {
    var addedColumns: Set<[String]> = []
    var alteredColumns: Set<[String]> = []
    var droppedColumns: Set<[String]> = []
    var addedConstraints: Set<[String]> = []
    var addedEnumValues: Set<[String]> = []

    init(_ files: [[SQLStatement]]) {
        for statements in files {
            for statement in statements {
                read(statement)
                let view = StatementView(statement.significantTokens)
                if view.isKeyword(0, "DO"), let body = view.tokens.first(where: { $0.kind == .dollarString }) {
                    for inner in ProceduralBody.statements(in: body) { read(inner.statement) }
                }
            }
        }
    }

    mutating func read(_ statement: SQLStatement) {
        let view = StatementView(statement.significantTokens)
        guard view.isKeyword(0, "ALTER") else { return }
        if view.isKeyword(1, "TYPE"), let (parts, next) = view.qualifiedName(2), view.matches(next, "ADD", "VALUE") {
            var index = next + 2
            if view.matches(index, "IF", "NOT", "EXISTS") { index += 3 }
            if index < view.count, view.tokens[index].kind == .string {
                addedEnumValues.insert([UpgradeRules.tableKey(parts.joined(separator: ".")), view.tokens[index].text])
            }
            return
        }
        guard view.isKeyword(1, "TABLE") else { return }
        var index = 2
        if view.matches(index, "IF", "EXISTS") { index += 2 }
        if view.isKeyword(index, "ONLY") { index += 1 }
        guard let (parts, next) = view.qualifiedName(index) else { return }
        let table = UpgradeRules.tableKey(parts.joined(separator: "."))
        for start in view.topLevelListStarts(from: next) {
            var at = start
            switch view.keyword(at) {
            case "ADD":
                at += 1
                if view.isKeyword(at, "CONSTRAINT"), let name = view.identifier(at + 1) {
                    addedConstraints.insert([table, name])
                    continue
                }
                if view.isKeyword(at, oneOf: TableDefinition.tableConstraintStarts) { continue }
                if view.isKeyword(at, "COLUMN") { at += 1 }
                if view.matches(at, "IF", "NOT", "EXISTS") { at += 3 }
                if let column = view.identifier(at) { addedColumns.insert([table, column]) }
            case "ALTER":
                at += 1
                if view.isKeyword(at, "COLUMN") { at += 1 }
                if let column = view.identifier(at) { alteredColumns.insert([table, column]) }
            case "DROP":
                at += 1
                if view.isKeyword(at, "CONSTRAINT") { continue }
                if view.isKeyword(at, "COLUMN") { at += 1 }
                if view.matches(at, "IF", "EXISTS") { at += 2 }
                if let column = view.identifier(at) { droppedColumns.insert([table, column]) }
            default:
                continue
            }
        }
    }
}

/// One schema file in both states, with different bytes.
private struct FileComparison {
    let old: MigrationFile
    let new: MigrationFile
    let newStatements: [SQLStatement]
    let earlierName: String
    let alterations: Alterations

    func findings() -> [Finding] {
        let oldStatements = SQLLexer.statements(in: old.text)
        let oldTables = Dictionary(
            TableDefinition.tables(in: oldStatements).map { (UpgradeRules.tableKey($0.name), $0) },
            uniquingKeysWith: { first, _ in first })
        var findings: [Finding] = []
        for table in TableDefinition.tables(in: newStatements) {
            // A table new to the file is created on existing databases too.
            guard let before = oldTables[UpgradeRules.tableKey(table.name)] else { continue }
            findings += compare(before, table)
        }
        let oldEnums = Dictionary(
            TableDefinition.enums(in: oldStatements).map { (UpgradeRules.tableKey($0.name), $0) },
            uniquingKeysWith: { first, _ in first })
        for type in TableDefinition.enums(in: newStatements) {
            let key = UpgradeRules.tableKey(type.name)
            guard let before = oldEnums[key] else { continue }
            let known = Set(before.values.map(\.0))
            for (offset, (value, position)) in type.values.enumerated()
            where !known.contains(value) && !alterations.addedEnumValues.contains([key, value]) {
                var statement = "ALTER TYPE \(type.writtenName) ADD VALUE IF NOT EXISTS \(value)"
                if offset > 0 {
                    statement += " AFTER \(type.values[offset - 1].0)"
                } else if type.values.count > 1 {
                    statement += " BEFORE \(type.values[1].0)"
                }
                statement += ";"
                findings.append(Finding(
                    .upgradeEnumValueAdded, at: location(position),
                    "enum value \(value) of \(type.writtenName) was added inside CREATE TYPE in \(new.name) since \(earlierName): databases where the type exists never get it; put \(statement) in a new schema file",
                    hint: "put \(statement) in a new schema file (the new value cannot be used in the same transaction that adds it)"))
            }
        }
        return findings
    }

    /// A place in the new file, where every finding of the comparison is.
    func location(_ position: SQLPosition) -> SourceLocation {
        SourceLocation(path: new.displayPath, position)
    }

    func describe(_ table: TableDefinition) -> String {
        "CREATE TABLE \(table.ifNotExists ? "IF NOT EXISTS " : "")\(table.writtenName) in \(new.name)"
    }

    func compare(_ before: TableDefinition, _ after: TableDefinition) -> [Finding] {
        let key = UpgradeRules.tableKey(after.name)
        let relation = UpgradeRules.relationName(after.name)
        let oldColumns = Dictionary(before.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let oldKey = Set(before.constraints.filter { $0.text.uppercased().hasPrefix("PRIMARY") }.flatMap(\.columns))
        let newKey = Set(after.constraints.filter { $0.text.uppercased().hasPrefix("PRIMARY") }.flatMap(\.columns))
        // Every constraint of the old table in the form ALTER TABLE takes, so that one
        // moved between a column and the table's list is not new.
        let oldConstraints = Set(before.constraints.map { UpgradeRules.normalized($0.text) } + before.columns.flatMap { column in
            column.constraints.compactMap { Self.tableForm(of: $0, column: column.writtenName).map { UpgradeRules.normalized($0.text) } }
        })
        var findings: [Finding] = []
        for column in after.columns {
            guard let was = oldColumns[column.name] else {
                guard !alterations.addedColumns.contains([key, column.name]) else { continue }
                findings.append(added(column, to: after))
                continue
            }
            if !alterations.alteredColumns.contains([key, column.name]),
                let changed = changed(was, column, in: after, wasKey: oldKey.contains(was.name), isKey: newKey.contains(column.name))
            {
                findings.append(changed)
            }
            for constraint in column.constraints {
                guard let tableForm = Self.tableForm(of: constraint, column: column.writtenName),
                    !oldConstraints.contains(UpgradeRules.normalized(tableForm.text))
                else { continue }
                let name = Self.defaultName(relation, [column.name], kind: tableForm.kind)
                guard !alterations.addedConstraints.contains([key, name]) else { continue }
                findings.append(constraintAdded(tableForm.text, name: name, at: location(column.position), of: column.name, in: after))
            }
        }
        let newNames = Set(after.columns.map(\.name))
        for column in before.columns where !newNames.contains(column.name) && !alterations.droppedColumns.contains([key, column.name]) {
            let statement = "ALTER TABLE \(after.writtenName) DROP COLUMN IF EXISTS \(column.writtenName);"
            findings.append(Finding(
                .upgradeColumnRemoved, at: location(after.position),
                "\(relation).\(column.name) was taken out of \(describe(after)) since \(earlierName): databases where the table exists keep it; put it back, or put \(statement) (it destroys the column's data) in a new schema file",
                hint: "put it back, or put \(statement) in a new schema file"))
        }
        for constraint in after.constraints where !oldConstraints.contains(UpgradeRules.normalized(constraint.text)) {
            let kind = constraint.text.split(separator: " ").first.map { $0.uppercased() } ?? ""
            let name = constraint.name ?? Self.defaultName(relation, constraint.columns, kind: kind)
            guard !alterations.addedConstraints.contains([key, name]) else { continue }
            findings.append(constraintAdded(constraint.text, name: name, at: location(constraint.position), of: nil, in: after))
        }
        return findings
    }

    func added(_ column: TableDefinition.Column, to table: TableDefinition) -> Finding {
        let relation = UpgradeRules.relationName(table.name)
        let statement = "ALTER TABLE \(table.writtenName) ADD COLUMN IF NOT EXISTS \(column.writtenName) \(column.definition);"
        let missing = "\(relation).\(column.name) was added inside \(describe(table)) since \(earlierName): databases where the table exists never get it"
        var message = "\(missing); put \(statement) in a new schema file"
        var hint = "put \(statement) in a new schema file"
        if let user = firstUse(of: column.name, in: table) {
            // The statement up to the name it makes or changes: `CREATE INDEX IF NOT EXISTS idx_x`.
            let what = user.significantTokens.prefix { !($0.kind == .punctuation || $0.text.uppercased() == "ON") }
                .prefix(6).map(\.text).joined(separator: " ")
            hint = "put \(statement) in \(new.name) right after the CREATE TABLE (before line \(user.line)), or in a new schema file together with the statement at line \(user.line), moved there after it"
            message = "\(missing), and there \(what) (line \(user.line)) fails the deploy: column \"\(column.name)\" does not exist; \(hint)"
        }
        if column.isNotNull && column.defaultExpression == nil && !column.constraints.contains(where: { $0.uppercased().hasPrefix("PRIMARY") }) {
            message += " (NOT NULL without a DEFAULT fails on a table that has rows)"
        }
        return Finding(.upgradeColumnAdded, at: location(column.position), message, hint: hint)
    }

    /// A later statement of the same file that names the table and the column: on an
    /// existing database it runs before any new file could add the column.
    func firstUse(of column: String, in table: TableDefinition) -> SQLStatement? {
        let relation = UpgradeRules.relationName(table.name)
        return newStatements.dropFirst(table.statementIndex + 1).first { statement in
            let view = StatementView(statement.significantTokens)
            let names = Set((0..<view.count).compactMap(view.identifier))
            return names.contains(relation) && names.contains(column)
        }
    }

    func changed(_ was: TableDefinition.Column, _ column: TableDefinition.Column, in table: TableDefinition,
                 wasKey: Bool, isKey: Bool) -> Finding? {
        var changes: [String] = []
        var actions: [String] = []
        let alter = "ALTER COLUMN \(column.writtenName)"
        if UpgradeRules.canonicalType(was.type) != UpgradeRules.canonicalType(column.type) {
            changes.append("type \(was.type) → \(column.type)")
            actions.append("\(alter) TYPE \(column.type)")
        }
        let oldDefault = UpgradeRules.canonicalDefault(was.defaultExpression)
        let newDefault = UpgradeRules.canonicalDefault(column.defaultExpression)
        if oldDefault != newDefault {
            changes.append("default \(was.defaultExpression ?? "none") → \(column.defaultExpression ?? "none")")
            actions.append(newDefault == nil ? "\(alter) DROP DEFAULT" : "\(alter) SET DEFAULT \(column.defaultExpression!)")
        }
        let wasNotNull = was.isNotNull || wasKey
        let isNotNull = column.isNotNull || isKey
        if wasNotNull != isNotNull {
            changes.append(isNotNull ? "now NOT NULL" : "NOT NULL dropped")
            actions.append("\(alter) \(isNotNull ? "SET" : "DROP") NOT NULL")
        }
        guard !changes.isEmpty else { return nil }
        let statement = "ALTER TABLE \(table.writtenName) \(actions.joined(separator: ", "));"
        let relation = UpgradeRules.relationName(table.name)
        return Finding(
            .upgradeColumnChanged, at: location(column.position),
            "\(relation).\(column.name) changed inside \(describe(table)) since \(earlierName) (\(changes.joined(separator: "; "))): databases where the table exists keep the old column; put \(statement) in a new schema file",
            hint: "put \(statement) in a new schema file\(changes.first?.hasPrefix("type") == true ? " (add USING \(column.writtenName)::<type> when there is no implicit cast)" : "")")
    }

    func constraintAdded(_ text: String, name: String, at location: SourceLocation, of column: String?,
                         in table: TableDefinition) -> Finding {
        let relation = UpgradeRules.relationName(table.name)
        let guarded = "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = \(UpgradeRules.literal(name)) AND conrelid = \(UpgradeRules.literal(table.writtenName))::regclass) THEN ALTER TABLE \(table.writtenName) ADD CONSTRAINT \(name) \(text); END IF; END $$;"
        let subject = column.map { "a constraint on \(relation).\($0) (\(text))" } ?? "constraint \(text)"
        return Finding(
            .upgradeConstraintAdded, at: location,
            "\(subject) was added inside \(describe(table)) since \(earlierName): databases where the table exists never get it; put \(guarded) in a new schema file",
            hint: "put \(guarded) in a new schema file")
    }

    /// A column's inline constraint in the form ALTER TABLE … ADD CONSTRAINT takes; nil
    /// for what cannot be added afterwards that way (GENERATED).
    static func tableForm(of constraint: String, column: String) -> (text: String, kind: String)? {
        let words = constraint.split(separator: " ", maxSplits: 1)
        switch words.first?.uppercased() {
        case "PRIMARY": return ("PRIMARY KEY (\(column))", "PRIMARY")
        case "UNIQUE":
            // `UNIQUE NULLS NOT DISTINCT` keeps its option before the column list.
            let option = words.count > 1 && words[1].uppercased().hasPrefix("NULLS") ? words[1] + " " : ""
            return ("UNIQUE \(option)(\(column))", "UNIQUE")
        case "REFERENCES": return ("FOREIGN KEY (\(column)) \(constraint)", "FOREIGN")
        case "CHECK": return (constraint, "CHECK")
        default: return nil
        }
    }

    /// The name PostgreSQL gives an unnamed constraint, so that the upgraded database and
    /// a fresh install agree: `<table>_pkey`, `<table>_<columns>_key`, `_fkey`, `_excl`;
    /// a CHECK is `<table>_<column>_check` when it names exactly one column, else
    /// `<table>_check` (PostgreSQL 15, tried).
    static func defaultName(_ relation: String, _ columns: [String], kind: String) -> String {
        switch kind {
        case "PRIMARY": return "\(relation)_pkey"
        case "UNIQUE": return ([relation] + columns + ["key"]).joined(separator: "_")
        case "FOREIGN": return ([relation] + columns + ["fkey"]).joined(separator: "_")
        case "CHECK": return ([relation] + (columns.count == 1 ? columns : []) + ["check"]).joined(separator: "_")
        default: return ([relation] + columns.prefix(1) + ["excl"]).joined(separator: "_")
        }
    }
}
