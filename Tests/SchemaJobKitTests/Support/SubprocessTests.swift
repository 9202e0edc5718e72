import Foundation
import SchemaJobKit
import Testing

/// The one line a failed tool's message is reduced to in schemajob's own errors.
@Suite struct SubprocessTests {
    @Test func theFirstLineOnStderrIsTheError() throws {
        let result = try Subprocess.run(
            "/bin/sh", ["-c", "echo output; printf '\\n  psql: error: connection refused  \\nIs the server running?\\n' >&2; exit 2"])
        #expect(result.status == 2)
        #expect(result.oneLineError(droppingPrefix: "psql: error: ") == "connection refused")
        #expect(result.oneLineError() == "psql: error: connection refused")
    }

    @Test func aToolThatSaysNothingIsDescribedByHowItEnded() throws {
        #expect(try Subprocess.run("/bin/sh", ["-c", "echo output; exit 3"]).oneLineError() == "exited with status 3")
        #expect(try Subprocess.run("/bin/sh", ["-c", "kill -KILL $$"]).oneLineError() == "ended by signal 9")
    }
}
