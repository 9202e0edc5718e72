/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// Every finding, sorted by path, line and column; with `earlier` (`--from`), also
    /// what a database made from that earlier set would not get from this one.
    public static func lint(_ set: MigrationSet, from earlier: MigrationSet? = nil) -> [Finding] {
        lint(MigrationAnalysis(set), from: earlier)
    }

    /// The same, over a set already analysed (a render's): no file is lexed again.
    public static func lint(_ analysis: MigrationAnalysis, from earlier: MigrationSet? = nil) -> [Finding] {
        let set = analysis.set
        var findings = LayoutRules.check(set)
        // Each file was checked on its own (`MigrationAnalysis`). Lock advice on an index
        // stands only for a table an earlier file created, which may hold rows: that is
        // decided here, in file order.
        var tablesCreatedEarlier: Set<String> = []
        for file in analysis.files {
            let result = file.statementRules
            findings += file.characterFindings
            findings += result.findings.filter { finding in
                guard finding.rule == .lint(.indexNotConcurrent), let table = result.indexAdviceTables[finding.location] else {
                    return true
                }
                return tablesCreatedEarlier.contains(table)
            }
            tablesCreatedEarlier.formUnion(result.createdTables)
        }
        findings += analysis.calledEscapes
        findings += StatementRules.signatureFindings(analysis.files.lazy.flatMap(\.statementRules.routineSignatures))
        findings += SchemaSum.verify(set)
        if let earlier { findings += UpgradeRules.check(from: earlier, to: set) }
        return findings.sorted(by: Finding.precedes)
    }
}
