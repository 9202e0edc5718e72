/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// Every finding, sorted by path, line and column; with `earlier` (`--from`), also
    /// what a database made from that earlier set would not get from this one.
    public static func lint(_ set: MigrationSet, from earlier: MigrationSet? = nil) -> [Finding] {
        var findings = LayoutRules.check(set)
        let deployed = SchemaSum.lockedNames(set)
        // Lexing is most of the cost and each file's own, so it goes to every core; the rules
        // then run in file order, because lock advice on an index needs the tables that
        // earlier files created.
        let lexed = set.files.concurrentMap(StatementRules.Lexed.init)
        var tablesCreatedEarlier: Set<String> = []
        for (file, lexed) in zip(set.files, lexed) {
            let result = StatementRules.check(
                file, lexed: lexed, tablesCreatedEarlier: tablesCreatedEarlier,
                advisesOnLocks: !(file.phase == .schema && deployed.contains(file.name)))
            findings += result.findings
            tablesCreatedEarlier.formUnion(result.createdTables)
        }
        findings += SchemaSum.verify(set)
        if let earlier { findings += UpgradeRules.check(from: earlier, to: set) }
        return findings.sorted(by: Finding.precedes)
    }
}
