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
            Errors are what would fail a run or do harm; warnings (layout, readability) never \
            block, unless --strict. Silence one rule for one statement with a comment in it:
              DROP TABLE old_rows; -- schemajob:allow drop-table: replaced by rows

            Exit codes: 0 no errors (warnings allowed, unless --strict); 1 errors; 2 lint could not run.

            Examples:
              schemajob lint
              schemajob lint --format github      (annotations in a GitHub Actions job)
              schemajob lint --format json | jq -r '.[].rule' | sort | uniq -c

            Rules:
            \(LintRule.all.map { "  \($0.id) (\($0.severity.rawValue)): \($0.reason)" }.joined(separator: "\n"))
            """
    )

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("text, json or github.", valueName: "format"))
    var format: FindingFormat = .text

    @OptionGroup var strictness: StrictOption

    func run() throws {
        let set = try DatabaseReader.read(directory: databaseOptions.database)
        let findings = Linter.lint(set)
        Terminal.output(format.render(findings))
        Terminal.error(FindingFormat.summary(findings, fileCount: set.files.count))
        if findings.contains(where: { $0.isError || strictness.strict }) {
            throw ExitCode(1)
        }
    }

    /// The gate before anything is written or run. Errors (and, with `strict`, warnings)
    /// go to stderr (stdout may be the manifests) and the command exits 1; warnings alone
    /// are printed and the command goes on. `skipped` says so loudly instead.
    static func requireClean(_ set: MigrationSet, skipped: Bool, strict: Bool, command: String) throws {
        if skipped {
            Terminal.error("\(command): WARNING: --no-lint: not checking the SQL (idempotency, transactions, the schema.sum lock)")
            return
        }
        let findings = Linter.lint(set)
        guard !findings.isEmpty else { return }
        Terminal.error(FindingFormat.text.render(findings))
        let summary = FindingFormat.summary(findings, fileCount: set.files.count)
        guard findings.contains(where: { $0.isError || strict }) else {
            Terminal.error("\(command): \(summary); warnings do not block (--strict makes them)")
            return
        }
        let blocking = strict ? "findings" : "errors"
        Terminal.error("\(command): nothing done: \(summary); fix the \(blocking), or pass --no-lint to skip the check")
        throw ExitCode(1)
    }
}

/// `--strict`: warnings fail the command too, for teams that want a spotless set.
struct StrictOption: ParsableArguments {
    @Flag(name: .long, help: "Fail on warnings (layout, readability) as well as errors.")
    var strict = false
}
