import ArgumentParser
import SchemaJobKit

struct ScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Print the psql script the migration Job runs.",
        discussion: """
            The same text the Job's migrate container runs, with the files in the Job's order.

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
