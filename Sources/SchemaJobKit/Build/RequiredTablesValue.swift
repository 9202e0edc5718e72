/// How the tables the gate waits for reach the scripts. `${requiredTables}` is
/// REQUIRED_TABLES in every container that waits for the schema: the tables joined with
/// commas. Linux refuses an environment string longer than 32 pages (`MAX_ARG_STRLEN`,
/// 131,072 bytes, its final NUL included), and a pod with one never starts. A longer list
/// (some 8,000 tables of 15-byte names) is the scripts ConfigMap's `required-tables` key
/// instead, and `${requiredTables}` is `@required-tables`: migrate.sh and
/// wait-for-schema.sh hand psql that file's path (`-v tables_file`, required-tables.sh),
/// never the list, and required-tables.psql reads it. A table's name never starts with `@` (a name that is not
/// plain is quoted, `RequiredTables.regclass`).
enum RequiredTablesValue {
    static let environmentName = "REQUIRED_TABLES"
    static let fileKey = "required-tables"
    /// The scripts that find the file (migrate.sh and wait-for-schema.sh source the first)
    /// and read it: a template set without them cannot take a long list.
    static let readers = ["required-tables.sh", "required-tables.psql"].map { TemplateSet.scriptsDirectory + $0 }

    /// The list as one text, as the scripts read it.
    static func joined(_ tables: [String]) -> String {
        tables.joined(separator: ",")
    }

    /// Whether `NAME=value` fits in one environment string of `limit` bytes.
    static func fitsEnvironment(_ tables: [String], limit: Int = JobLimits.environmentStringLimit) -> Bool {
        environmentString(tables) <= limit
    }

    /// Bytes of `REQUIRED_TABLES=value` and its NUL.
    static func environmentString(_ tables: [String]) -> Int {
        environmentName.utf8.count + 1 + tables.reduce(max(tables.count - 1, 0)) { $0 + $1.utf8.count } + 1
    }

    /// `${requiredTables}`: the list, or a reference to the file that holds it.
    static func templateValue(_ tables: [String], inFile: Bool) -> String {
        inFile ? "@" + fileKey : joined(tables)
    }

    /// The scripts ConfigMap's `required-tables` entry. It ends with a newline, which
    /// psql's backtick drops.
    static func scriptsEntry(_ tables: [String]) -> (key: String, text: String) {
        (fileKey, joined(tables) + "\n")
    }
}
