import ArgumentParser
import SchemaJobKit

struct SumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sum",
        abstract: "Write database/schema.sum, the checksums that lock deployed schema files.",
        discussion: """
            Run it after a release and commit the result: from then on lint fails when a \
            listed file changes or disappears, or when schema.sum is edited by hand. New files \
            are fine until the next sum; fixtures are never locked.

            It refuses to re-lock a file that changed or disappeared since the last sum (that \
            is what the lock is for); --force does it anyway.

            Examples:
              schemajob sum && git add database/schema.sum
            """
    )

    @OptionGroup var databaseOptions: DatabaseOptions

    @Flag(name: .long, help: "Write even when listed files changed or disappeared.")
    var force = false

    func run() throws {
        let set = try DatabaseReader.read(directory: databaseOptions.database)
        let broken = SchemaSum.verify(set)
        if !broken.isEmpty {
            Terminal.error(try FindingFormat.text.render(broken))
            guard force else {
                Terminal.error("sum: nothing written: the lock is broken (restore the files, or pass --force to re-lock them as they are)")
                throw ExitCode(1)
            }
            Terminal.error("sum: WARNING: --force: re-locking over \(broken.count) lock finding(s)")
        }
        let path = SchemaSum.path(for: set)
        try OutputFile.write(SchemaSum.render(for: set), to: path)
        Terminal.error("sum: wrote \(path) (\(set.files(in: .schema).count) schema files)")
    }
}
