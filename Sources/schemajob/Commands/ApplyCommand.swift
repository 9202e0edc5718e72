import ArgumentParser
import Foundation
import SchemaJobKit

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run the migration Job's containers here, with local psql, against a database.",
        discussion: """
            Renders the manifests in memory and runs the Job's wait-for-postgres and migrate \
            containers as written (their scripts, their environment, the same one-transaction \
            psql session and ledger row), printing the Job's log. The database is the one \
            libpq's PG* variables name (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, \
            PGSSLMODE, ...), or --dsn; what they leave unset comes from the settings \
            (postgres.host, ...). PGPASSWORD reaches the scripts through the Secret's file, as \
            in the cluster; without it libpq looks in ~/.pgpass. --dsn (a URI or key=value \
            string) is taken apart into PG* variables and the password file: psql never gets \
            it as an argument, and no message prints the password.

            A hash that is the newest run in the ledger (schemajob.runs), with every \
            required table present, is not applied again: the run says so and exits 0 \
            without taking a table lock. A hash that ran before another set did (a \
            rollback, then this roll forward) is applied again, and the log says which set \
            ran after it (docs/rollbacks.md). --reapply applies the files in every case \
            (job.reapply: always does the same in the Job), to repair a database that drifted.

            With gate.readHosts (schemajob.yaml, or --set gate.readHosts=HOST:PORT,...: \
            addresses this machine reaches), the run then waits, as the Job does, until \
            every one of those standbys has replayed it, for at most job.standbyWaitSeconds; \
            one that has not is named with how far behind it is and the command exits 2 \
            (run it again to wait again). Without, it says that this was not checked.

            Lock waits are short (100 ms, doubling up to job.lockTimeoutMilliseconds) and \
            a timed-out attempt rolls back and runs again after a pause, for \
            job.lockRetrySeconds in all; each attempt names the table it waited for and \
            the session holding it.

            Exit codes: 0 migrated, or already applied; 1 the SQL failed, or lint has findings (nothing committed); \
            2 PostgreSQL could not be reached, lock waits kept timing out, psql was killed, a read host \
            had not replayed the run in time, or bad input.

            Examples:
              kubectl port-forward -n gpu-controlplane svc/postgres-primary 5432:5432 &
              PGHOST=localhost PGPASSWORD=... schemajob apply
              schemajob apply --dsn 'postgresql://gpudev@localhost:5432/gpudev?sslmode=disable'
              schemajob apply --reapply       # apply the same hash again, to repair drift
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for PostgreSQL to accept connections.", valueName: "seconds"))
    var wait: Int = 30

    @Flag(help: "Apply the files even when this hash is the ledger's newest run.")
    var reapply = false

    @OptionGroup var strictness: StrictOption

    @Flag(name: .customLong("no-lint"), help: "Apply even when lint has errors (said loudly on stderr).")
    var noLint = false

    func validate() throws {
        guard wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
    }

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request, linting: !noLint)
        try LintCommand.requireClean(rendering, skipped: noLint, strict: strictness.strict, command: "apply")
        let report = try LocalMigration.apply(rendering, target: connection.target, waitSeconds: wait, reapply: reapply, output: .inherit)
        if let message = report.message {
            Terminal.error(message)
        }
        if report.outcome != .done {
            throw ExitCode(report.outcome.rawValue)
        }
    }
}
