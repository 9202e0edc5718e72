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
        refusals(among: analysis.files.flatMap(\.statementRules.findings)).sorted(by: Finding.precedes)
    }

    /// The escape findings among lint's (they are the same rules, and no allow comment
    /// removes them).
    public static func refusals(among findings: [Finding]) -> [Finding] {
        let escapes = Set(LintRule.all.filter { $0.family == .escape }.map(\.id))
        return findings.filter { escapes.contains($0.rule) }
    }

    /// Throws the first refusal, naming its place and rule.
    public static func requireNone(_ refusals: [Finding]) throws {
        guard let first = refusals.first else { return }
        throw RunRefusal(finding: first, others: refusals.count - 1)
    }
}

/// A set no run path will execute: one line, `path:line:col: error: … [rule]`, exit 2.
public struct RunRefusal: InputError {
    public var finding: Finding
    public var others: Int

    public var location: SourceLocation { finding.location }
    public var message: String {
        let more = others == 0 ? "" : " (and \(others) more; schemajob lint lists them)"
        return "\(finding.message): refused, nothing was done\(more); \(finding.hint) [\(finding.rule)]"
    }
}
