/// One problem `lint` found, at a place. An error means the set would fail a run or
/// do harm, and stops `render` and `apply`; a warning is about layout or readability
/// and never blocks (unless `--strict` asks for that).
public struct Finding: Sendable, Hashable {
    public enum Severity: String, Sendable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public var location: SourceLocation
    /// The rule's id, e.g. `create-if-not-exists`.
    public var rule: String
    public var message: String
    public var hint: String
    public var severity: Severity

    public init(_ rule: LintRule, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.rule = rule.id
        self.message = message
        self.hint = hint ?? rule.hint
        self.severity = rule.severity
    }

    public var isError: Bool { severity == .error }

    /// Path (in byte order), then line and column (a finding about the whole file
    /// first), then rule: the same findings always print in the same order.
    static func precedes(_ lhs: Finding, _ rhs: Finding) -> Bool {
        if lhs.location.path != rhs.location.path {
            return DatabaseReader.byteOrder(lhs.location.path, rhs.location.path)
        }
        let left = (lhs.location.line ?? 0, lhs.location.column ?? 0)
        let right = (rhs.location.line ?? 0, rhs.location.column ?? 0)
        if left != right { return left < right }
        if lhs.rule != rhs.rule { return lhs.rule < rhs.rule }
        return lhs.message < rhs.message
    }
}
