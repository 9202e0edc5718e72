/// The check every run path makes before a single statement runs: `render`, `script`,
/// `apply`, `test` and the library's `SchemaJob.render` (what `drift` and `plan` build
/// on) refuse a set holding a psql meta-command or a statement that reaches outside the
/// database, whether lint was asked for or skipped (`--no-lint`). The migration script
/// already sends statements to the server as query text, never through psql's lexer;
/// this refusal is the second wall, and it names the line.
public enum RunSafety {
    /// Every escape finding in the set, in the order lint prints findings.
    public static func refusals(_ set: MigrationSet) -> [Finding] {
        refusals(MigrationAnalysis(set))
    }

    /// The same, from the set's analysis: the statement rules' escape findings.
    public static func refusals(_ analysis: MigrationAnalysis) -> [Finding] {
        refusals(among: analysis.files.flatMap(\.statementRules.findings) + analysis.calledEscapes).sorted(by: Finding.precedes)
    }

    /// The escape findings among lint's (they are the same rules, and no allow comment
    /// removes them).
    public static func refusals(among findings: [Finding]) -> [Finding] {
        findings.filter { $0.lintRule?.family == .escape }
    }

    /// Throws the first refusal, naming its place and rule: a set no run path will
    /// execute is one line, `path:line:col: error: … [rule]`, and exit 2.
    public static func requireNone(_ refusals: [Finding]) throws {
        guard let first = refusals.first else { return }
        let more = refusals.count == 1 ? "" : " (and \(refusals.count - 1) more; schemajob lint lists them)"
        throw InputError(first.location, "\(first.message): refused, nothing was done\(more); \(first.hint ?? "") [\(first.rule.id)]")
    }
}
