extension LintRule {
    /// The rule table of `docs/lint.md`: one row per rule, in `all`'s order, with the
    /// severity and family the code gives it, whether `-- schemajob:allow` can silence it,
    /// why it matters and how to fix it. A test compares the page with this text.
    public static func markdownTable(_ rules: [LintRule] = all) -> String {
        MarkdownTable.render(
            header: ["rule", "severity", "family", "allow", "why", "fix"],
            rows: rules.map { rule in
                [MarkdownTable.code(rule.id), rule.severity.rawValue, rule.family.rawValue,
                 rule.canBeAllowed ? "yes" : "no", MarkdownTable.cell(rule.reason), MarkdownTable.cell(rule.hint)]
            })
    }
}
