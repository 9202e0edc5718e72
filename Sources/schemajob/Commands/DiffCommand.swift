import ArgumentParser
import SchemaJobKit

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two renders, object by object.",
        discussion: """
            OLD and NEW are renders: a YAML stream, a JSON array (render --format json), a \
            directory written by render --output-dir, or '-' for stdin. Objects are matched by \
            kind and name without the hash, so a new hash shows as a rename with its reason: \
            the SQL files added, removed or changed (with a line diff) and the fields that changed.

            Exit codes: 0 the same; 1 they differ; 2 bad input.

            Examples:
              schemajob diff deploy/ <(schemajob render)
              git show main:deploy/manifests.yaml | schemajob diff - deploy/manifests.yaml
              schemajob diff --format json old.yaml new.yaml
            """
    )

    @Argument(help: ArgumentHelp("The earlier render (file, directory, or '-').", valueName: "old"))
    var old: String

    @Argument(help: ArgumentHelp("The later render (file, directory, or '-').", valueName: "new"))
    var new: String

    @Option(name: .long, help: "text or json.")
    var format: ReportFormat = .text

    func validate() throws {
        if old == "-" && new == "-" { throw ValidationError("only one of OLD and NEW can be '-'") }
    }

    func run() throws {
        let diff = RenderDiff.compare(old: try RenderReader.read(old), new: try RenderReader.read(new))
        Terminal.output(format == .json ? try diff.json() : diff.text())
        if !diff.isEmpty { throw ExitCode(1) }
    }
}
