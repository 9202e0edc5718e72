/// Everything one `schemajob drift` found, and what it read.
public struct DriftReport: Sendable {
    /// `test`'s findings, with drift's kinds (`missing-in-live`, ..., `undeclared`, a warning).
    public var findings: [Finding]
    /// The fix with `--fix-file`, as it fared on a copy of the live schema.
    public var fix: ProofFix?
    /// Without `--fix-file`: why the findings' fixes are unproven.
    public var unprovenFixes: String?
    /// "last migrated with hash H at T by pod P; these files hash to H2".
    public var ledger: String

    public init(findings: [Finding], ledger: String) {
        self.findings = findings
        self.ledger = ledger
    }

    /// Lines for stderr about the fix file(s) written, and where they go.
    public var fixNotes: [String] = []
    /// The relations the live session held a lock on at its end (schema.name mode):
    /// the ledger and the fixture tables it read, nothing else.
    public var lockedRelations: [String] = []

    /// The line for stderr about what the live session locked.
    public var locksLine: String {
        "drift: the live session's locks on relations outside the catalogs: "
            + (lockedRelations.isEmpty ? "none" : lockedRelations.joined(separator: ", "))
    }

    public var hasDrift: Bool { findings.contains(where: \.isError) }

    /// The findings and the fix as `test` prints its own (`ProofFormat`).
    public func rendered(as format: FindingFormat) throws -> String {
        try ProofFormat.render(ProofReport(findings: findings, proven: [], fix: fix, unprovenFixes: unprovenFixes), as: format)
    }

    public var summary: String {
        let errors = findings.filter(\.isError).count, warnings = findings.count - errors
        let counted = { (count: Int, noun: String) in count == 1 ? "1 \(noun)" : "\(count) \(noun)s" }
        let tail = warnings == 0 ? "" : "; \(counted(warnings, "warning")): undeclared objects"
        return errors == 0
            ? "drift: none: the live database equals a fresh install of the files\(tail)"
            : "drift: \(counted(errors, "difference")) between the live database and a fresh install of the files\(tail)"
    }
}

