import ArgumentParser
import SchemaJobKit

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the ConfigMaps, the migration Job and the API Deployment.",
        discussion: """
            Writes one multi-document YAML stream. Nothing is written when any input is bad; \
            links, hard links and special files in database/, --templates and --config are \
            refused, never followed.

            Examples:
              schemajob render | kubectl apply -f -
              schemajob render --set api.image=registry.example/api:1.4.2 -o manifests.yaml
              schemajob render --set image=ghcr.io/pgmq/pg18-pgmq@sha256:<64 hex digits> --set networkPolicy.enabled=false

            Settings (--set key=value, or nested in schemajob.yaml):
            \(SettingKey.all.map { "  \($0.key)=\($0.defaultValue)\n      \($0.summary)" }.joined(separator: "\n"))
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file, atomically ('-' is stdout).", valueName: "file"))
    var output: String?

    @OptionGroup var strictness: StrictOption

    @Flag(name: .customLong("no-lint"), help: "Write even when lint has errors (said loudly on stderr).")
    var noLint = false

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request)
        try LintCommand.requireClean(rendering.migrationSet, skipped: noLint, strict: strictness.strict, command: "render")
        try Terminal.write(try rendering.yaml(), to: output)
    }
}
