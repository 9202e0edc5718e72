import ArgumentParser
import SchemaJobKit

extension OutputFormat: ExpressibleByArgument {}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the ConfigMaps, the migration Job and the API Deployment.",
        discussion: """
            Writes one multi-document YAML stream (or, with --format json, one JSON array), or \
            with --output-dir one file per object and a Kustomization listing them: both \
            `kubectl apply -k DIR` and `kubectl apply -f DIR` work. File names carry no hash, so \
            a new hash changes lines, not file names; schemajob's files of an older render are \
            removed, other files are left alone (and named on stderr), unchanged files are not \
            rewritten. Nothing is written when any input is bad; links, hard links and \
            special files in database/, --templates and --config are refused, never followed.

            --check writes nothing: it exits 1 and prints a unified diff when the file or \
            directory differs from what render would write, 0 when it is the same.

            Examples:
              schemajob render | kubectl apply -f -
              schemajob render --set api.image=registry.example/api:1.4.2 -o manifests.yaml
              schemajob render --output-dir deploy/ && kubectl apply -k deploy/
              schemajob render --check --output-dir deploy/
              schemajob render --format json -o manifests.json
              schemajob render --set image=ghcr.io/pgmq/pg18-pgmq@sha256:<64 hex digits> --set networkPolicy.enabled=false

            Settings (--set key=value, or nested in schemajob.yaml):
            \(SettingKey.all.map { "  \($0.key)=\($0.defaultValue)\n      \($0.summary)" }.joined(separator: "\n"))
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file, atomically ('-' is stdout).", valueName: "file"))
    var output: String?

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Write one file per object and a Kustomization here.", valueName: "dir"))
    var outputDirectory: String?

    @Option(name: .long, help: ArgumentHelp("yaml (a stream) or json (one array of objects).", valueName: "format"))
    var format: OutputFormat = .yaml

    @Flag(name: .long, help: "Write nothing; exit 1 with a diff when -o FILE or --output-dir DIR differs.")
    var check = false

    @OptionGroup var strictness: StrictOption

    @Flag(name: .customLong("no-lint"), help: "Write even when lint has errors (said loudly on stderr).")
    var noLint = false

    func validate() throws {
        if output != nil && outputDirectory != nil {
            throw ValidationError("give -o FILE or --output-dir DIR, not both")
        }
        if outputDirectory != nil && format != .yaml {
            throw ValidationError("--output-dir writes YAML files; --format json writes one array (-o FILE)")
        }
        if check && (outputDirectory == nil && (output == nil || output == "-")) {
            throw ValidationError("--check compares with -o FILE or --output-dir DIR")
        }
    }

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request, linting: !noLint)
        try LintCommand.requireClean(rendering, skipped: noLint, strict: strictness.strict, command: "render")
        if let outputDirectory {
            let changes = try OutputDirectory.changes(try rendering.directoryFiles(), in: outputDirectory)
            for name in changes.foreign {
                Terminal.error("schemajob: left alone: \(outputDirectory)/\(name) (not written by schemajob)")
            }
            if check {
                try Self.finishCheck(changes.unifiedDiff())
            } else {
                try OutputDirectory.apply(changes)
            }
        } else if check, let output {
            try Self.finishCheck(OutputFile.unifiedDiff(try rendering.text(format), against: output))
        } else {
            try Terminal.write(to: output) { emit in try rendering.forEachPiece(format, emit) }
        }
    }

    /// --check: the diff on stdout and exit 1, or exit 0 when there is none.
    static func finishCheck(_ diff: String) throws {
        guard diff.isEmpty else {
            Terminal.output(diff)
            throw ExitCode(1)
        }
    }
}
