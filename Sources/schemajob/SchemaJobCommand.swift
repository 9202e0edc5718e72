import ArgumentParser
import Foundation
import SchemaJobKit

@main
struct SchemaJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemajob",
        abstract: "Turns database/ into the manifests that migrate PostgreSQL, then start the API.",
        discussion: """
            Reads database/schema/*.sql and database/fixtures/*.sql and writes content-addressed \
            ConfigMaps, a db-migration-<hash> Job and an API Deployment that waits for that \
            migration. Exit codes: 0 done; 1 findings or drift; 2 the command could not do its work.

            Examples:
              schemajob render --output-dir deploy/ && kubectl apply -k deploy/
              schemajob --generate-completion-script bash > /etc/bash_completion.d/schemajob
            """,
        subcommands: [
            RenderCommand.self,
            HashCommand.self,
            ScriptCommand.self,
            LintCommand.self,
            SumCommand.self,
            ApplyCommand.self,
            VerifyCommand.self,
            DiffCommand.self,
            HistoryCommand.self,
            TestCommand.self,
        ]
    )

    /// Runs the command and maps every failure to the documented exit codes:
    /// an input error is one line on stderr and exit 2, never a stack trace.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            Terminal.error(error.diagnosticLine)
            Foundation.exit(2)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            // A bad flag is bad input: exit 2 as the command contract says, not 64.
            Terminal.error("schemajob: error: " + message(for: error) + " (see --help)")
            Foundation.exit(2)
        }
    }
}
