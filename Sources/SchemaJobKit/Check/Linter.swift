/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// Every finding, sorted by path, line and column.
    public static func lint(_ set: MigrationSet) -> [Finding] {
        var findings = LayoutRules.check(set)
        let deployed = SchemaSum.lockedNames(set)
        var tablesCreatedEarlier: Set<String> = []
        for file in set.files {
            let result = StatementRules.check(
                file, tablesCreatedEarlier: tablesCreatedEarlier, advisesOnLocks: !(file.phase == .schema && deployed.contains(file.name)))
            findings += result.findings
            tablesCreatedEarlier.formUnion(result.createdTables)
        }
        findings += SchemaSum.verify(set)
        return findings.sorted(by: Finding.precedes)
    }
}
