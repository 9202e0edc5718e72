import ArgumentParser
import SchemaJobKit

extension FindingFormat: ExpressibleByArgument {}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check the SQL files: idempotency, transactions, layout and the schema.sum lock.",
        discussion: """
            Every run applies every file again, in one transaction; lint finds what would fail \
            or do harm the second time. Findings print as path:line:col: error: message [rule]. \
            Silence one rule for one statement with a comment in it:
              DROP TABLE old_rows; -- schemajob:allow drop-table: replaced by rows

            Exit codes: 0 clean; 1 findings; 2 lint could not run.

            Examples:
              schemajob lint
              schemajob lint --format github      (annotations in a GitHub Actions job)
              schemajob lint --format json | jq -r '.[].rule' | sort | uniq -c

            Rules:
            \(LintRule.all.map { "  \($0.id): \($0.reason)" }.joined(separator: "\n"))
            """
    )

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("text, json or github.", valueName: "format"))
    var format: FindingFormat = .text

    func run() throws {
        let set = try DatabaseReader.read(directory: databaseOptions.database)
        let findings = Linter.lint(set)
        Terminal.output(format.render(findings))
        Terminal.error(FindingFormat.summary(findings, fileCount: set.files.count))
        if !findings.isEmpty {
            throw ExitCode(1)
        }
    }

    /// The gate before anything is written: findings go to stderr (stdout may be
    /// the manifests) and the command exits 1. `skipped` says so loudly instead.
    static func requireClean(_ set: MigrationSet, skipped: Bool, command: String) throws {
        if skipped {
            Terminal.error("\(command): WARNING: --no-lint: not checking the SQL (idempotency, transactions, the schema.sum lock)")
            return
        }
        let findings = Linter.lint(set)
        guard !findings.isEmpty else { return }
        Terminal.error(FindingFormat.text.render(findings))
        Terminal.error("\(command): nothing written: \(FindingFormat.summary(findings, fileCount: set.files.count)); fix them, or pass --no-lint to skip the check")
        throw ExitCode(1)
    }
}
