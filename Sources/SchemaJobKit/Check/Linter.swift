/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// Every finding, sorted by path, line and column; with `earlier` (`--from`), also
    /// what a database made from that earlier set would not get from this one.
    public static func lint(_ set: MigrationSet, from earlier: MigrationSet? = nil) -> [Finding] {
        var findings = LayoutRules.check(set)
        let deployed = SchemaSum.lockedNames(set)
        // Each file is checked on its own, so files go to every core (and each file's tokens
        // are freed as soon as it is checked). Lock advice on an index stands only for a table
        // an earlier file created, which may hold rows: that is decided here, in file order.
        let results = set.files.concurrentMap { file in
            StatementRules.check(file, advisesOnLocks: !(file.phase == .schema && deployed.contains(file.name)))
        }
        var tablesCreatedEarlier: Set<String> = []
        for result in results {
            findings += result.findings.filter { finding in
                guard finding.rule == LintRule.indexNotConcurrent.id, let table = result.indexAdviceTables[finding.location] else {
                    return true
                }
                return tablesCreatedEarlier.contains(table)
            }
            tablesCreatedEarlier.formUnion(result.createdTables)
        }
        findings += SchemaSum.verify(set)
        if let earlier { findings += UpgradeRules.check(from: earlier, to: set) }
        return findings.sorted(by: Finding.precedes)
    }
}
