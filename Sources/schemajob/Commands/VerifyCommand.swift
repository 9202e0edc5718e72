import ArgumentParser
import Foundation
import SchemaJobKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a database has this schema: the API's start-up gate, run once.",
        discussion: """
            Runs the gate (the wait-for-schema container) once, here, with local psql: ready \
            when the ledger (schemajob.runs) holds a finished run for the current hash and every \
            table the schema files create exists, on the primary and on every gate.readHosts \
            standby. With --wait SECONDS it waits the way a gated pod does (CI can wait for a \
            deploy's migration with it). The database is named as for apply: \
            libpq's PG* variables, or --dsn.

            Exit codes: 0 ready; 1 not ready (what is missing is listed); 2 PostgreSQL could not \
            be reached, or bad input.

            Examples:
              PGHOST=localhost PGPASSWORD=... schemajob verify
              schemajob verify --dsn 'postgresql://gpudev@localhost/gpudev' || echo "not migrated"
              schemajob verify --wait 600
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("Wait as a gated pod does, for at most this many seconds, instead of checking once.", valueName: "seconds"))
    var wait: Int?

    func validate() throws {
        if let wait, wait < 0 { throw ValidationError("--wait takes a number of seconds, 0 or more") }
    }

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request)
        let report = try LocalMigration.verify(rendering, target: connection.target, waitSeconds: wait, output: .inherit)
        if let message = report.message {
            Terminal.error(message)
        }
        if report.outcome != .done {
            throw ExitCode(report.outcome.rawValue)
        }
    }
}
