/// What one `CREATE TABLE … (…)` or `CREATE TYPE … AS ENUM (…)` statement declares, read
/// from its tokens for the upgrade check: enough to compare two versions of a file, not a
/// full grammar. Texts are as written, comments dropped and whitespace runs made one space.
package struct TableDefinition {
    package struct Column {
        /// As PostgreSQL resolves it (unquoted folds to lower case).
        package var name: String
        /// The name as written, for the statements the check suggests.
        package var writtenName: String
        package var type: String
        package var defaultExpression: String?
        package var isNotNull: Bool
        /// Inline constraints other than NULL, NOT NULL and DEFAULT (PRIMARY KEY, UNIQUE,
        /// REFERENCES, CHECK, GENERATED), each as written.
        package var constraints: [String]
        /// The whole definition after the name, as written.
        package var definition: String
        package var position: SQLPosition
    }

    package struct Constraint {
        /// The name given with CONSTRAINT, when there is one.
        package var name: String?
        /// The constraint after its name (`UNIQUE (user_id, disk_name)`).
        package var text: String
        /// The words of its first parenthesised list: the columns a UNIQUE, PRIMARY KEY
        /// or FOREIGN KEY names, or those a CHECK mentions.
        package var columns: [String]
        package var position: SQLPosition
    }

    /// `name` or `schema.name`, resolved; the key two versions are matched on.
    package var name: String
    package var writtenName: String
    package var ifNotExists: Bool
    package var columns: [Column]
    package var constraints: [Constraint]
    package var position: SQLPosition
    /// The statement's index among the file's statements.
    package var statementIndex: Int

    /// The words that end a column's type or default and start its next clause.
    package static let columnClauseStarts: Set<String> = [
        "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "GENERATED",
    ]
    package static let tableConstraintStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE"]

    /// Every non-temporary `CREATE TABLE name (…)` among the statements.
    package static func tables(in statements: [SQLStatement]) -> [TableDefinition] {
        statements.indices.compactMap { index in
            StatementText(statements[index]).table(statementIndex: index)
        }
    }

    /// `CREATE TYPE name AS ENUM (…)`: the type and its values (with where each is), at the
    /// top level and inside DO blocks (where a guard usually wraps it).
    package static func enums(in statements: [SQLStatement]) -> [(name: String, writtenName: String, values: [(String, SQLPosition)])] {
        var found: [(name: String, writtenName: String, values: [(String, SQLPosition)])] = []
        for statement in statements {
            var candidates = [statement]
            let view = StatementView(statement.significantTokens)
            if view.isKeyword(0, "DO"), let body = view.tokens.first(where: { $0.kind == .dollarString }) {
                candidates += ProceduralBody.statements(in: body).map(\.statement)
            }
            for candidate in candidates {
                if let enumType = StatementText(candidate).enumType() { found.append(enumType) }
            }
        }
        return found
    }
}

/// One statement's significant tokens, with a way back to the text between them.
private struct StatementText {
    let view: StatementView
    let all: [SQLToken]
    /// For each significant token, its index in `all`.
    let positions: [Int]

    init(_ statement: SQLStatement) {
        view = StatementView(statement.significantTokens)
        let tokens = statement.tokens
        all = tokens
        positions = tokens.indices.filter { !tokens[$0].isTrivia }
    }

    /// Significant tokens `range`, as written, comments dropped and whitespace made one space.
    func text(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        var text = ""
        var pendingSpace = false
        for token in all[positions[range.lowerBound]...positions[range.upperBound - 1]] {
            if token.isTrivia {
                pendingSpace = true
                continue
            }
            if pendingSpace && !text.isEmpty { text += " " }
            pendingSpace = false
            text += token.text
        }
        return text
    }

    func position(_ index: Int) -> SQLPosition { view.position(index) }

    func table(statementIndex: Int) -> TableDefinition? {
        guard view.isKeyword(0, "CREATE") else { return nil }
        var index = 1
        while let word = view.keyword(index), ["GLOBAL", "LOCAL", "UNLOGGED", "TEMP", "TEMPORARY"].contains(word) {
            // A temporary table is gone with the session: nothing to upgrade.
            if word == "TEMP" || word == "TEMPORARY" { return nil }
            index += 1
        }
        guard view.isKeyword(index, "TABLE") else { return nil }
        index += 1
        let ifNotExists = view.matches(index, "IF", "NOT", "EXISTS")
        if ifNotExists { index += 3 }
        guard let (parts, next) = view.qualifiedName(index), view.isPunctuation(next, UInt8(ascii: "(")) else { return nil }
        let open = next
        guard let close = (open + 1..<view.count).first(where: { view.depths[$0] == 0 && view.isPunctuation($0, UInt8(ascii: ")")) }) else { return nil }
        var table = TableDefinition(
            name: parts.joined(separator: "."), writtenName: text(index..<open), ifNotExists: ifNotExists,
            columns: [], constraints: [], position: position(0), statementIndex: statementIndex)
        for element in elements(open + 1..<close) {
            let first = view.keyword(element.lowerBound) ?? ""
            if TableDefinition.tableConstraintStarts.contains(first) {
                table.constraints.append(constraint(element))
            } else if first != "LIKE", let column = column(element) {
                table.columns.append(column)
            }
        }
        return table
    }

    /// The comma-separated parts of a parenthesised list.
    func elements(_ range: Range<Int>) -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        let depth = view.depths[range.lowerBound]
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        for index in range where view.depths[index] == depth && view.isPunctuation(index, UInt8(ascii: ",")) {
            parts.append(start..<index)
            start = index + 1
        }
        parts.append(start..<range.upperBound)
        return parts.filter { !$0.isEmpty }
    }

    func constraint(_ range: Range<Int>) -> TableDefinition.Constraint {
        var start = range.lowerBound
        var name: String?
        if view.isKeyword(start, "CONSTRAINT") {
            name = view.identifier(start + 1)
            start += 2
        }
        var columns: [String] = []
        // A CHECK may name its columns at any depth (`length(name) > 0`); the others list them.
        let isCheck = view.isKeyword(start, "CHECK")
        if let open = (start..<range.upperBound).first(where: { view.isPunctuation($0, UInt8(ascii: "(")) }) {
            let depth = view.depths[open] + 1
            var index = open + 1
            while index < range.upperBound, view.depths[index] >= depth {
                // A word before `(` is a function's name, one after `::` a type's.
                if view.depths[index] == depth || isCheck, let word = view.identifier(index),
                    !view.isPunctuation(index + 1, UInt8(ascii: "(")), !view.isPunctuation(index - 1, "::"),
                    view.keyword(index).map(Self.notColumnWords.contains) != true, !columns.contains(word)
                {
                    columns.append(word)
                }
                index += 1
            }
        }
        return TableDefinition.Constraint(
            name: name, text: text(min(start, range.upperBound)..<range.upperBound), columns: columns, position: position(range.lowerBound))
    }

    /// Words in a CHECK's parentheses that are not columns.
    static let notColumnWords: Set<String> = ["AND", "OR", "NOT", "IS", "NULL", "IN", "TRUE", "FALSE", "BETWEEN", "LIKE", "ILIKE", "ANY", "ALL"]

    func column(_ range: Range<Int>) -> TableDefinition.Column? {
        let start = range.lowerBound
        guard let name = view.identifier(start) else { return nil }
        let clauses = clauseStarts(in: start + 1..<range.upperBound)
        let typeEnd = clauses.first ?? range.upperBound
        var column = TableDefinition.Column(
            name: name, writtenName: text(start..<start + 1), type: text(start + 1..<typeEnd), defaultExpression: nil,
            isNotNull: false, constraints: [], definition: text(start + 1..<range.upperBound), position: position(start))
        for (offset, clause) in clauses.enumerated() {
            let end = offset + 1 < clauses.count ? clauses[offset + 1] : range.upperBound
            switch view.keyword(clause) {
            case "NOT": column.isNotNull = true
            case "NULL": break
            case "DEFAULT": column.defaultExpression = text(clause + 1..<end)
            case "CONSTRAINT": break  // the name; the constraint itself is the next clause
            default:
                column.constraints.append(text(clause..<end))
                if view.isKeyword(clause, "PRIMARY") { column.isNotNull = true }
            }
        }
        return column
    }

    /// Where each clause of a column definition starts. A DEFAULT takes at least one
    /// token (`DEFAULT NULL`); `SET NULL` / `SET DEFAULT` belong to a REFERENCES action;
    /// `NOT` starts a clause only before `NULL` (not `NOT DEFERRABLE`, `NULLS NOT DISTINCT`).
    func clauseStarts(in range: Range<Int>) -> [Int] {
        guard !range.isEmpty else { return [] }
        let depth = view.depths[range.lowerBound]
        var starts: [Int] = []
        var index = range.lowerBound
        while index < range.upperBound {
            defer { index += 1 }
            guard view.depths[index] == depth, let word = view.keyword(index), TableDefinition.columnClauseStarts.contains(word) else { continue }
            if view.isKeyword(index - 1, "SET") && (word == "NULL" || word == "DEFAULT") { continue }
            if word == "NOT" && !view.isKeyword(index + 1, "NULL") { continue }
            if word == "NULL" && view.isKeyword(index - 1, "NOT") { continue }
            if let last = starts.last, view.isKeyword(last, "DEFAULT"), last + 1 == index { continue }
            starts.append(index)
        }
        return starts
    }

    func enumType() -> (name: String, writtenName: String, values: [(String, SQLPosition)])? {
        guard view.matches(0, "CREATE", "TYPE"), let (parts, next) = view.qualifiedName(2),
            view.matches(next, "AS", "ENUM"), view.isPunctuation(next + 2, UInt8(ascii: "("))
        else { return nil }
        let values = (next + 3..<view.count)
            .filter { view.depths[$0] == 1 && view.tokens[$0].kind == .string }
            .map { (view.tokens[$0].text, position($0)) }
        return (parts.joined(separator: "."), text(2..<next), values)
    }
}
