import Foundation
import Testing
@testable import SchemaJobKit

/// `render -o FILE` killed with SIGKILL at any moment leaves FILE as it was or complete,
/// never half written: the bytes go to a temporary file that replaces FILE in one rename.
@Suite struct KilledRenderTests {
    /// A database large enough that a render takes a while: many files, each padded.
    static func largeDatabase(in root: String, files: Int) throws -> String {
        let database = root + "/database"
        try FileManager.default.createDirectory(atPath: database + "/schema", withIntermediateDirectories: true)
        let padding = String(repeating: "-- a comment line that only takes up room in the file\n", count: 80)
        for index in 1...files {
            let name = String(format: "%03d_table_%04d.sql", index % 1000, index)
            try "\(padding)CREATE TABLE IF NOT EXISTS table_\(index) (id int);\n"
                .write(toFile: database + "/schema/" + name, atomically: false, encoding: .utf8)
        }
        return database
    }

    @Test func aKilledRenderLeavesTheOutputAsItWasOrComplete() throws {
        let directory = try TemporaryDirectory()
        let database = try Self.largeDatabase(in: directory.path, files: 1200)
        let output = directory.path + "/manifests.yaml"
        let previous = "the previous render\n"
        // --no-lint: the numbers repeat on purpose (1200 files, 999 numbers); lint would stop it.
        let arguments = ["render", "--database", database, "--no-lint", "-o", output]

        let clock = ContinuousClock()
        let started = clock.now
        let reference = try SchemaJobExecutable.run(arguments)
        let duration = clock.now - started
        try #require(reference.status == 0, "\(reference.stderr)")
        let complete = try String(contentsOfFile: output, encoding: .utf8)
        try #require(complete.count > 1_000_000, "the render is large")

        var outcomes: [String: Int] = ["as it was": 0, "complete": 0]
        let attempts = 10
        for attempt in 0..<attempts {
            try previous.write(toFile: output, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: SchemaJobExecutable.path)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Spread over the whole run and a little past it, plus a random jitter.
            let fraction = (Double(attempt) + Double.random(in: 0..<1)) / Double(attempts) * 1.2
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            usleep(useconds_t(fraction * seconds * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let text = try String(contentsOfFile: output, encoding: .utf8)
            if text == previous {
                outcomes["as it was", default: 0] += 1
            } else if text == complete {
                outcomes["complete", default: 0] += 1
            } else {
                Issue.record("attempt \(attempt) (killed after \(Int(fraction * 100))% of a run) left \(text.utf8.count) bytes, neither the old file nor a whole render")
            }
        }
        #expect(outcomes.values.reduce(0, +) == attempts, "\(outcomes)")
        print("killed renders: \(outcomes) (a whole render took \(duration))")
    }
}
