import SQLSyntax

/// The indexes a no-transaction file builds with `CREATE [UNIQUE] INDEX CONCURRENTLY
/// [IF NOT EXISTS] name`, as `to_regclass` reads their names. A concurrent build that
/// fails (a lock timeout, a duplicate key) leaves its index behind marked invalid, and
/// `IF NOT EXISTS` then skips it on every later run: the migration script drops such an
/// index before the file runs, so the file builds it again. Read from each statement by
/// `MigrationAnalysis`, in the one pass over the file.
enum ConcurrentIndexes {
    /// The index `statement` builds concurrently, if it builds one under a name.
    static func index(_ statement: StatementView) -> String? {
        var index = 1
        guard statement.isKeyword(0, "CREATE") else { return nil }
        if statement.isKeyword(index, "UNIQUE") { index += 1 }
        guard statement.matches(index, "INDEX", "CONCURRENTLY") else { return nil }
        index += 2
        if statement.matches(index, "IF", "NOT", "EXISTS") { index += 3 }
        guard !statement.isKeyword(index, "ON"), let name = statement.qualifiedName(index) else { return nil }
        return RequiredTables.regclass(name.parts)
    }
}
