/// What the cluster and the pod's kernel refuse in the objects `build` makes, checked
/// before anything is written. The data ConfigMaps are split under the budget (`Planner`),
/// and so are the statement lengths of a set too large for its script to hold them
/// (`StatementLengths`); a list of required tables too long for an environment string
/// travels as a file of the scripts (`RequiredTablesValue`). The scripts ConfigMap is one
/// object, so a set whose scripts it still cannot hold is refused at render time with the
/// figures, not by `kubectl apply`.
public struct JobLimits: Sendable {
    /// Linux refuses an environment string or a program argument longer than 32 pages
    /// (`MAX_ARG_STRLEN`, 131,072 bytes, its final NUL included).
    public static let environmentStringLimit = 131_072

    /// Serialized bytes the scripts ConfigMap may take (`SerializedSize`).
    var scriptsConfigMap = Planner.configMapDataBudget
    /// Serialized bytes one ConfigMap of statement lengths may take (`StatementLengths`).
    var statementsConfigMap = Planner.configMapDataBudget
    /// Bytes REQUIRED_TABLES may take as an environment string.
    var environmentString = Self.environmentStringLimit

    /// Kubernetes' and Linux's. Tests give smaller ones, to send a small set down the
    /// paths only a very large one takes.
    static let cluster = JobLimits()

    static func size(_ configMap: ConfigMapPlan) -> Int {
        configMap.entries.reduce(0) { $0 + SerializedSize.entry(key: $1.key, text: $1.text) }
    }

    /// `directory` is the set's, as given: the messages name it.
    func check(scripts: ConfigMapPlan, requiredTables: [String], statements: Int, files: Int, directory: String) throws {
        let size = Self.size(scripts)
        guard size > scriptsConfigMap else { return }
        let limit = "one ConfigMap holds at most \(scriptsConfigMap): apply part of the set in an earlier release"
        if let tables = scripts.entries.first(where: { $0.key == RequiredTablesValue.fileKey }) {
            throw InputError(
                SourceLocation(path: directory),
                "the \(requiredTables.count) required tables take \(SerializedSize.entry(key: tables.key, text: tables.text)) bytes in the Job's scripts ConfigMap (\(scripts.name)), \(size) with the scripts for \(statements) statements in \(files) files; \(limit)")
        }
        throw InputError(
            SourceLocation(path: directory),
            "the Job's scripts take \(size) bytes written into their ConfigMap (\(scripts.name)) for \(statements) statements in \(files) files; \(limit)")
    }
}
