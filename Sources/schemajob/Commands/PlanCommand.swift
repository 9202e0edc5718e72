import ArgumentParser
import Foundation
import SchemaJobKit

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run the next deploy on a copy of the live database first: what changes, which locks, whether it fails.",
        discussion: """
            Reads the live database (--dsn, else libpq's PG* variables, else the settings) \
            read-only, as application_name schemajob-plan. When this hash is its \
            ledger's newest run, the Job will skip: nothing to do, exit 0. Otherwise it copies the \
            live schema with pg_dump --schema-only (the installed one of the server's major \
            or the nearest newer; refused when older than the server; --pg-dump PATH names \
            another), the ledger, and at most 10000 rows of each table the fixtures write, \
            into a scratch database (--scratch-dsn, else a throwaway server of the live \
            server's major, as for drift), and runs the Job's own migration there as the Job \
            would. A second copy replays the statements one by one to print what each \
            changes, the strongest lock it took on each table that existed before (from \
            pg_locks) and whether it rewrote it. When the deploy would fail, the failing \
            statement and the error, as the Job's log shows them.

            Exit codes: 0 the deploy applies cleanly (or nothing to do); 1 it would fail; 2 could not run.

            Examples:
              schemajob plan --dsn 'postgresql://gpudev@localhost:5432/gpudev'
              schemajob plan --pg-dump /usr/lib/postgresql/18/bin/pg_dump --format json
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var scratch: ScratchOptions

    func run() throws {
        var request = LiveRequest(
            render: inputs.request, dsn: connection.dsn, scratchDSN: scratch.scratchDSN, setupFile: scratch.setup,
            pgDump: scratch.pgDump)
        request.postgres = scratch.postgres.choice
        let handlers = ScratchCleanup.install()
        defer { handlers.forEach { $0.cancel() } }
        let report = try LivePlan.run(request) { Terminal.error($0) }
        Terminal.error(report.headline)
        report.notes.forEach(Terminal.error)
        Terminal.output(try LivePlanFormat.render(report, as: scratch.format))
        switch report.outcome {
        case .nothingToDo, .applies:
            if report.outcome == .applies { Terminal.error("plan: the deploy applies cleanly on a copy of the live database") }
        case .wouldFail:
            Terminal.error("plan: the deploy would fail; nothing has touched the live database")
            throw ExitCode(1)
        }
    }
}
