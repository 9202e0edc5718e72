/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// What one pass over the files found: the findings and, read from the same
    /// statements, the tables the schema files leave behind (`RequiredTables`), so a
    /// render that lints never lexes a file a second time to find them.
    public struct Linting: Sendable {
        public var findings: [Finding]
        public var requiredTables: [String]
    }

    /// Every finding, sorted by path, line and column; with `earlier` (`--from`), also
    /// what a database made from that earlier set would not get from this one.
    public static func lint(_ set: MigrationSet, from earlier: MigrationSet? = nil) -> [Finding] {
        check(set, from: earlier).findings
    }

    public static func check(_ set: MigrationSet, from earlier: MigrationSet? = nil) -> Linting {
        var findings = LayoutRules.check(set)
        let deployed = SchemaSum.lockedNames(set)
        // Each file is checked on its own, so files go to every core (and each file's tokens
        // are freed as soon as it is checked). Lock advice on an index stands only for a table
        // an earlier file created, which may hold rows: that is decided here, in file order.
        let results = set.files.concurrentMap { file in
            (LayoutRules.characterFindings(file),
             StatementRules.check(file, advisesOnLocks: !(file.phase == .schema && deployed.contains(file.name))))
        }
        var tablesCreatedEarlier: Set<String> = []
        for (characterFindings, result) in results {
            findings += characterFindings
            findings += result.findings.filter { finding in
                guard finding.rule == .lint(.indexNotConcurrent), let table = result.indexAdviceTables[finding.location] else {
                    return true
                }
                return tablesCreatedEarlier.contains(table)
            }
            tablesCreatedEarlier.formUnion(result.createdTables)
        }
        findings += SchemaSum.verify(set)
        if let earlier { findings += UpgradeRules.check(from: earlier, to: set) }
        // The Job applies schema files in name order, whatever order the set holds them in.
        let schemaChanges = zip(set.files, results)
            .filter { $0.0.phase == .schema }
            .sorted { DatabaseReader.byteOrder($0.0.name, $1.0.name) }
            .flatMap { $0.1.1.tableChanges }
        return Linting(findings: findings.sorted(by: Finding.precedes), requiredTables: RequiredTables.tables(after: schemaChanges))
    }
}
