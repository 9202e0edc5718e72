/// The `check` stage: every rule over a `MigrationSet`. Reads nothing from disk;
/// what it needs (the files, the entries the reader skipped, `schema.sum`) is in the set.
public enum Linter {
    /// Every finding, sorted by path, line and column.
    public static func lint(_ set: MigrationSet) -> [Finding] {
        var findings = LayoutRules.check(set)
        // Each file's statements are checked on their own, so files go to every core.
        findings += set.files.concurrentMap(StatementRules.check).joined()
        findings += SchemaSum.verify(set)
        return findings.sorted(by: Finding.precedes)
    }
}
