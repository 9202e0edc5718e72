import ArgumentParser
import SchemaJobKit

struct ScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Print the psql script the migration Job runs.",
        discussion: """
            The same text the Job's migrate container runs, with the files in the Job's order.
            A set too large for the scripts ConfigMap to hold its statement lengths reads them
            from the `schemajob-statements` keys beside the files (docs/manifests.md).

            Example:
              schemajob script | less
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request)
        Terminal.output(rendering.migrationScript + "\n")
    }
}
