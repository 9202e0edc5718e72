/// What the cluster and the pod's kernel refuse in the objects `build` makes, checked
/// before anything is written. The data ConfigMaps are split under the budget (`Planner`);
/// the scripts ConfigMap is one object, and REQUIRED_TABLES one environment string, so a
/// set too large for either is refused at render time with the figures, not by
/// `kubectl apply` or a pod that never starts.
public enum JobLimits {
    /// Linux refuses an environment string or a program argument longer than 32 pages
    /// (`MAX_ARG_STRLEN`, 131,072 bytes, its final NUL included): REQUIRED_TABLES is one in
    /// every container that waits for the schema, and migrate.sh passes it on to psql as
    /// `-v tables=…`, which is shorter.
    public static let environmentStringLimit = 131_072
    static let requiredTablesName = "REQUIRED_TABLES"

    /// `directory` is the set's, as given: the messages name it.
    static func check(scripts: ConfigMapPlan, requiredTables: [String], statements: Int, files: Int, directory: String) throws {
        let size = scripts.entries.reduce(0) { $0 + SerializedSize.entry(key: $1.key, text: $1.text) }
        guard size <= Planner.configMapDataBudget else {
            throw InputError(
                SourceLocation(path: directory),
                "the Job's scripts take \(size) bytes written into their ConfigMap (\(scripts.name)) for \(statements) statements in \(files) files; one ConfigMap holds at most \(Planner.configMapDataBudget): apply part of the set in an earlier release")
        }
        // The tables are joined with commas, as the templates' `${requiredTables}` is.
        let value = requiredTables.reduce(max(requiredTables.count - 1, 0)) { $0 + $1.utf8.count }
        let string = requiredTablesName.utf8.count + 1 + value + 1
        guard string <= environmentStringLimit else {
            throw InputError(
                SourceLocation(path: directory),
                "\(requiredTablesName), the \(requiredTables.count) tables the API waits for, takes \(value) bytes (\(string) as an environment string); Linux refuses one over \(environmentStringLimit) and the pod would not start: apply part of the set in an earlier release")
        }
    }
}
