/// How schemajob's own queries run psql: no ~/.psqlrc (a user's settings must not change
/// what is read), rows as bare `|`-separated lines for parsing, and stop at the first error.
/// The Job's migration has flags of its own (migrate.sh).
enum PsqlArguments {
    static let forReading = ["--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1"]
}
