import ArgumentParser
import Foundation
import SchemaJobKit

struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare the live database with a fresh install of the files: what is missing, different, undeclared.",
        discussion: """
            Reads the live database (--dsn, else libpq's PG* variables, else the settings) in \
            one read-only session (default_transaction_read_only, statement_timeout 15s, \
            lock_timeout 1s, application_name schemajob-drift): its catalogs, the ledger's \
            newest run, and the rows of the tables the fixtures write. It never writes, and a \
            role that can write nothing is enough. It builds a fresh install of the files on a \
            scratch database exactly as `test` does (--scratch-dsn, else a throwaway server of \
            the live server's major, chosen among those installed or --postgres-bin DIR; \
            another major only with --allow-version-mismatch) and compares the two catalogs the way `test` does.

            Missing or different in the live database is an error, with the file that declares \
            it and the statement that fixes it; what the live database has and no file declares \
            is a warning. schemajob's ledger, the setup's schemas (pgmq) and whatever an \
            extension owns are left out. Without --fix-file the fixes under the findings are \
            suggestions (unproven). --fix-file PATH first proves them, the way test --from proves \
            its fix: the live schema is copied with pg_dump --schema-only (as plan copies it; \
            pg_dump takes ACCESS SHARE locks, as any read does, for the length of the dump), \
            restored on the scratch server, and the Job's migration of the files with the fix \
            runs there twice and is compared with a fresh install. Only a proven fix is written, \
            as a new schema file (PATH a directory: numbered after its last file); a column an \
            earlier statement needs goes to 000_fix_drift_first.sql, which sorts first and which \
            a fresh install skips.

            Exit codes: 0 no drift (warnings allowed); 1 drift; 2 could not run.

            Examples:
              schemajob drift --dsn 'postgresql://gpudev@localhost:5432/gpudev'
              schemajob drift --fix-file database/schema && schemajob test && schemajob plan
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var scratch: ScratchOptions

    @Option(name: .customLong("fix-file"), help: ArgumentHelp("Write the fixes to this file, or as the next file of this directory.", valueName: "path"))
    var fixFile: String?

    func run() throws {
        var request = LiveRequest(
            render: inputs.request, dsn: connection.dsn, scratchDSN: scratch.scratchDSN, setupFile: scratch.setup,
            fixFile: fixFile, pgDump: scratch.pgDump)
        request.postgres = scratch.postgres.choice
        let handlers = ScratchCleanup.install()
        defer { handlers.forEach { $0.cancel() } }
        let report = try Drift.run(request) { Terminal.error($0) }
        Terminal.error(report.ledger)
        Terminal.error(report.locksLine)
        Terminal.output(try report.rendered(as: scratch.format))
        report.fixNotes.forEach(Terminal.error)
        Terminal.error(report.summary)
        if report.hasDrift {
            throw ExitCode(1)
        }
    }
}
