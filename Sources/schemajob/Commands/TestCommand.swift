import ArgumentParser
import Foundation
import SchemaJobKit

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Prove the set on scratch databases: a second run changes nothing; an upgrade equals a fresh install.",
        discussion: """
            Applies database/ the way the Job does (the rendered migrate container, its script, \
            its one psql session) to scratch databases named schemajob_test_<random>, which it \
            creates and drops itself. It runs the whole set three times on one database and \
            compares schema and rows (by key) after each run. With --from (a directory, or a git \
            revision whose database/ is read with git), it applies the earlier set and then this \
            one to a second database, and compares it with a fresh install of this one. Catalogs \
            are compared, not pg_dump text; values the run generates are not differences (see README). \
            A difference names the file (and statement) responsible and, for an upgrade, the \
            statement to put in a new file. The upgrade's fix is one script, tried on a copy of \
            the upgraded database before it is called a fix (see docs/upgrade-fixes.md); \
            --fix-file PATH writes it, atomically and only when proven, to PATH (a directory: \
            as the file numbered after its last one). With --from it also proves that the \
            earlier release keeps running on the upgraded database: what the earlier set's \
            install has (tables, columns, functions, views, enum values, sequences) is still \
            there in a type it reads and writes; a statement marked \
            `-- schemajob:contract <reason>` breaks it on purpose, as a warning (docs/proving.md).

            With --rollback REV (a directory, or a git revision), it proves a rollback to the \
            release REV and the roll forward after it: on a database REV installed and this set \
            upgraded, REV's migration runs again, as a rollback's Job runs it, and must succeed; \
            what it puts back (function bodies, view definitions, defaults, fixture rows) is \
            printed as warnings, object by object, old → new, at REV's statement; then this set \
            runs again and must give a fresh install's schema and rows (docs/rollbacks.md).

            The server: the one --dsn or libpq's PG* variables name (only scratch databases are \
            created there), else a throwaway PostgreSQL started for this run: --postgres-bin DIR, \
            else the newest major installed (initdb on PATH or under /usr/lib/postgresql/*/bin); \
            its version is printed. --setup FILE runs first in every scratch database; \
            without it, pgmq is created when the server has it, else schemajob's pgmq stand-in.

            The files are untrusted input (a pull request): a set with a psql meta-command or a \
            statement that reaches outside the database (COPY PROGRAM, server files, untrusted \
            languages, ...) is refused before anything runs (exit 2). On its own server, the set \
            runs as a role that owns the scratch database and is no superuser; every statement \
            is cancelled after --statement-timeout seconds, and a scratch database that grows past \
            --max-database-size MiB ends the run (docs/security.md).

            Exit codes: 0 proven (warnings may be printed); 1 not idempotent, upgrade differs, the earlier release breaks, the roll \
            forward after a rollback differs, or the SQL failed; 2 could not run (a --from or \
            --rollback that is no directory or revision holding database/, among others).

            Examples:
              schemajob test
              schemajob test --from origin/main
              schemajob test --from origin/main --fix-file database/schema
              schemajob test --rollback origin/main  # roll back to main, then forward
              schemajob test --dsn 'postgresql://postgres@localhost:5432/postgres' --format github
            """
    )

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("An earlier database/: a directory or a git revision.", valueName: "dir|rev"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("The release a rollback returns to: a directory or a git revision.", valueName: "dir|rev"))
    var rollback: String?

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("SQL to run first in every scratch database (extensions).", valueName: "file"))
    var setup: String?

    @Option(name: .long, help: ArgumentHelp("text, json or github.", valueName: "format"))
    var format: FindingFormat = .text

    @Option(name: .long, help: ArgumentHelp("Cancel any statement of the set after this long.", valueName: "seconds"))
    var statementTimeout: Int = ScratchBounds.defaultStatementTimeoutSeconds

    @Option(name: .long, help: ArgumentHelp("End the run when a scratch database grows past this size.", valueName: "MiB"))
    var maxDatabaseSize: Int = ScratchBounds.defaultMaximumDatabaseMegabytes

    @OptionGroup var postgres: PostgresVersionOptions

    @Option(name: .customLong("fix-file"), help: ArgumentHelp("With --from: write the upgrade's fix, when proven, to this file or as the next file of this directory.", valueName: "path"))
    var fixFile: String?

    func validate() throws {
        guard statementTimeout > 0 else { throw ValidationError("--statement-timeout must be 1 or more seconds") }
        guard maxDatabaseSize > 0 else { throw ValidationError("--max-database-size must be 1 or more MiB") }
        if fixFile != nil && from == nil { throw ValidationError("--fix-file needs --from: only an upgrade has a fix") }
    }

    func run() throws {
        var request = ProofRequest(
            databaseDirectory: databaseOptions.database, from: from, dsn: connection.dsn, setupFile: setup,
            fixFile: fixFile)
        request.postgres = postgres.choice
        request.rollback = rollback
        request.bounds = ScratchBounds(statementTimeoutSeconds: statementTimeout, maximumDatabaseMegabytes: maxDatabaseSize)
        // Ctrl-C or a CI timeout: drop the scratch databases and stop the server first.
        let handlers = ScratchCleanup.install()
        defer { handlers.forEach { $0.cancel() } }
        let report = try Proof.run(request) { Terminal.error($0) }
        Terminal.output(try ProofFormat.render(report, as: format))
        Terminal.error(report.summary)
        if !report.isProven {
            throw ExitCode(1)
        }
    }
}
