/// One problem found, at a place: a statement that breaks one of `lint`'s rules, or
/// what `test`, `drift` and `plan` found on a real database (then about an `object`,
/// with the SQL `fix` when one follows mechanically). An error means the set would fail
/// a run or do harm, and stops `render` and `apply`; a warning is about layout,
/// readability or an undeclared object and never blocks (unless `--strict` asks).
public struct Finding: Sendable, Hashable {
    public enum Severity: String, Sendable, Comparable, Codable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    /// What a finding is an instance of: a lint rule, or one of the things a proof on a
    /// database finds. Compared as values, so a misspelt rule does not compile.
    public enum Rule: Sendable, Hashable {
        case lint(LintRule)
        case proof(ProofKind)

        /// The name printed in brackets and in json's `rule`: `create-if-not-exists`,
        /// `upgrade-differs`.
        public var id: String {
            switch self {
            case .lint(let rule): rule.id
            case .proof(let kind): kind.rawValue
            }
        }
    }

    public var location: SourceLocation
    public var rule: Rule
    /// The database object it is about: `column disks.disk_size`, `statement `…``.
    public var object: String?
    public var message: String
    /// How to fix it, in words (every lint rule has one).
    public var hint: String?
    /// SQL to put in a new file, when the fix follows mechanically.
    public var fix: String?
    public var severity: Severity

    public init(_ rule: LintRule, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.rule = .lint(rule)
        self.message = message
        self.hint = hint ?? rule.hint
        self.severity = rule.severity
    }

    public init(
        _ kind: ProofKind, at location: SourceLocation, object: String, _ message: String, fix: String? = nil,
        severity: Severity = .error
    ) {
        self.location = location
        self.rule = .proof(kind)
        self.object = object
        self.message = message
        self.fix = fix
        self.severity = severity
    }

    public var isError: Bool { severity == .error }

    /// The lint rule it breaks; nil for a proof's finding.
    public var lintRule: LintRule? {
        if case .lint(let rule) = rule { rule } else { nil }
    }

    /// Path (in byte order), then line and column (a finding about the whole file
    /// first), then rule: the same findings always print in the same order.
    static func precedes(_ lhs: Finding, _ rhs: Finding) -> Bool {
        if lhs.location.path != rhs.location.path {
            return DatabaseReader.byteOrder(lhs.location.path, rhs.location.path)
        }
        let left = (lhs.location.line ?? 0, lhs.location.column ?? 0)
        let right = (rhs.location.line ?? 0, rhs.location.column ?? 0)
        if left != right { return left < right }
        if lhs.rule.id != rhs.rule.id { return lhs.rule.id < rhs.rule.id }
        return lhs.message < rhs.message
    }
}

/// What `test`, `drift` and `plan` find on a real database, as a finding's rule.
public enum ProofKind: String, Sendable, CaseIterable {
    /// A second (or third) run changed the schema or the rows.
    case notIdempotent = "not-idempotent"
    /// An upgraded database differs from a fresh install of the same files.
    case upgradeDiffers = "upgrade-differs"
    /// The set failed outright: on an empty database, or as the next deploy (or, with
    /// `--rollback`, as the rollback or the roll forward after it).
    case sqlFailed = "sql-failed"
    /// `test --rollback`: what the earlier set's migration puts back on the upgraded
    /// database (a function body, a default, a fixture row; a warning).
    case rollbackPutsBack = "rollback-puts-back"
    /// `test --rollback`: this set, run again after the rollback, leaves the database
    /// other than a fresh install.
    case rollForwardDiffers = "roll-forward-differs"
    /// drift: the files declare it and the live database lacks it.
    case missingInLive = "missing-in-live"
    /// drift: both have it, with different attributes (type, default, body, ...).
    case differsInLive = "differs-in-live"
    /// drift: a fixture row the live database lacks or holds other values for.
    case fixtureRow = "fixture-row"
    /// drift: the live database has it and no file declares it (a warning).
    case undeclared = "undeclared"
    /// test --from: the upgraded database took away (or narrowed) what the previous
    /// release, still running during the rollout, uses.
    case breaksPreviousRelease = "breaks-previous-release"
    /// test --from: the same, by a statement marked `-- schemajob:contract` (a warning).
    case contractStep = "contract-step"
    /// test --from: a contract marker on a statement that breaks nothing (a warning).
    case contractBreaksNothing = "contract-breaks-nothing"
}
