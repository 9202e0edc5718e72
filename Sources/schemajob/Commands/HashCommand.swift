import ArgumentParser
import Foundation
import SchemaJobKit

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the content hash that names the migration Job.",
        discussion: """
            The hash covers every schema and fixture file, the Job's templates and scripts, \
            and every setting that reaches the Job; api.* settings do not change it.

            Examples:
              schemajob hash
              kubectl logs -n gpu-controlplane job/$(schemajob hash --json | jq -r .job_name)
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @Flag(name: .long, help: "Print {\"hash\": …, \"job_name\": …}.")
    var json = false

    func run() throws {
        let hash = try SchemaJob.contentHash(inputs.request)
        if json {
            Terminal.output(try JSONOutput.text(["hash": hash, "job_name": Plan.jobName(hash: hash)]))
        } else {
            Terminal.output(hash + "\n")
        }
    }
}
