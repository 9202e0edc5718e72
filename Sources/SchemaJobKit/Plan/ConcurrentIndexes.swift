import SQLSyntax

/// The indexes a no-transaction file builds with `CREATE [UNIQUE] INDEX CONCURRENTLY
/// [IF NOT EXISTS] name`, as `to_regclass` reads their names. A concurrent build that
/// fails (a lock timeout, a duplicate key) leaves its index behind marked invalid, and
/// `IF NOT EXISTS` then skips it on every later run: the migration script drops such an
/// index before the file runs, so the file builds it again.
public enum ConcurrentIndexes {
    public static func find(in file: MigrationFile) -> [String] {
        var names: [String] = []
        for statement in SQLLexer.statements(in: file.text) {
            let view = StatementView(statement.significantTokens)
            var index = 1
            guard view.isKeyword(0, "CREATE") else { continue }
            if view.isKeyword(index, "UNIQUE") { index += 1 }
            guard view.matches(index, "INDEX", "CONCURRENTLY") else { continue }
            index += 2
            if view.matches(index, "IF", "NOT", "EXISTS") { index += 3 }
            guard !view.isKeyword(index, "ON"), let name = view.qualifiedName(index) else { continue }
            let regclass = RequiredTables.regclass(name.parts)
            if !names.contains(regclass) { names.append(regclass) }
        }
        return names
    }
}
