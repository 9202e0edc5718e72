import ArgumentParser
import Foundation
import SchemaJobKit

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the migration runs the database's ledger holds, newest first.",
        discussion: """
            Reads schemajob.runs with local psql: hash, start, end, duration, pod, database \
            user and file count of every run. With --hash H (a prefix is enough), the files of \
            the newest run of that hash with their SHA-256, compared with the local database/: \
            same, changed, removed or added since that run. The database is named as for apply: \
            libpq's PG* variables (the password in PGPASSWORD or ~/.pgpass), or --dsn.

            Exit codes: 0 done; 2 no ledger, no such hash, PostgreSQL not reachable, or bad input.

            Examples:
              PGHOST=localhost PGPASSWORD=... schemajob history
              schemajob history --hash 2dc9a37b2b --format json
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("Show one run's files (a prefix of its hash is enough).", valueName: "hash"))
    var hash: String?

    @Option(name: .long, help: "text or json.")
    var format: ReportFormat = .text

    func run() throws {
        let read = try SchemaJob.inputs(inputs.request)
        let set = read.set
        let plan = try SchemaJob.plan(read)
        if let hash {
            let (run, files) = try Ledger.files(ofHash: hash, target: connection.target, settings: plan.settings, local: set)
            if format == .json {
                struct Answer: Encodable { var run: Ledger.Run; var files: [Ledger.RunFile] }
                Terminal.output(try JSONOutput.text(Answer(run: run, files: files)))
            } else {
                Terminal.output(Ledger.text(run: run, files: files))
            }
        } else {
            let runs = try Ledger.runs(target: connection.target, settings: plan.settings)
            if format == .json {
                Terminal.output(try JSONOutput.text(runs))
            } else {
                Terminal.output(Ledger.text(runs))
            }
        }
    }
}
