import ArgumentParser
import Foundation
import SchemaJobKit

/// Where the SQL lives.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database directory, holding schema/ and fixtures/.", valueName: "dir"))
    var database: String = "database"
}

/// Everything a render reads: the database, the templates and the settings.
struct RenderInputOptions: ParsableArguments {
    static let defaultConfigFile = "schemajob.yaml"

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("Templates to use instead of the ones built in.", valueName: "dir"))
    var templates: String?

    @Option(name: .long, help: ArgumentHelp("Settings file (default: \(defaultConfigFile) when it exists).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A setting, as key=value with dotted keys (repeatable; wins over the file).", valueName: "key=value"))
    var settings: [String] = []

    var request: RenderRequest {
        // Any entry by that name counts (lstat does not follow links), so a `schemajob.yaml`
        // that is a link is refused by the reader, never silently skipped.
        var status = stat()
        let present = lstat(Self.defaultConfigFile, &status) == 0
        let configFile = config ?? (present ? Self.defaultConfigFile : nil)
        return RenderRequest(
            databaseDirectory: databaseOptions.database,
            templatesDirectory: templates,
            configFile: configFile,
            settingOverrides: settings)
    }
}

/// The database `apply` and `verify` connect to: libpq's `PG*` variables, or `--dsn`.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A libpq connection string or URI (wins over PG* variables for what it names; its password is never passed as an argument).", valueName: "dsn"))
    var dsn: String?

    var target: Connection {
        Connection(environment: ProcessInfo.processInfo.environment, dsn: dsn)
    }
}

/// Which PostgreSQL the scratch server of `test`, `drift` and `plan` runs.
struct PostgresVersionOptions: ParsableArguments {
    @Option(name: .customLong("postgres-bin"), help: ArgumentHelp("The bin directory of the PostgreSQL to start the scratch server with (default: the live server's major among those installed; for test, the newest).", valueName: "dir"))
    var postgresBin: String?

    @Flag(name: .customLong("allow-version-mismatch"), help: "Go on with another major when the live server's is not installed (a warning on every run).")
    var allowVersionMismatch = false

    var choice: PostgresInstallation.Choice {
        PostgresInstallation.Choice(postgresBin: postgresBin, allowVersionMismatch: allowVersionMismatch)
    }
}

/// How `diff` and `history` print their report: for people, or as JSON for scripts.
enum ReportFormat: String, ExpressibleByArgument {
    case text, json
}

/// Where `drift` and `plan` build their scratch databases, what runs there first, and how they print.
struct ScratchOptions: ParsableArguments {
    @Option(name: .customLong("scratch-dsn"), help: ArgumentHelp("A server for the scratch databases (default: a throwaway one).", valueName: "dsn"))
    var scratchDSN: String?

    @Option(name: .long, help: ArgumentHelp("SQL to run first in the scratch database (extensions).", valueName: "file"))
    var setup: String?

    @Option(name: .long, help: ArgumentHelp("text, json or github.", valueName: "format"))
    var format: FindingFormat = .text

    @Option(name: .customLong("pg-dump"), help: ArgumentHelp("The pg_dump to copy the live schema with (plan; drift --fix-file; default: of the live server's major or newer).", valueName: "path"))
    var pgDump: String?

    @OptionGroup var postgres: PostgresVersionOptions
}
