import Foundation
import SchemaJobKit

/// Paths inside this repository, found from this source file so tests work from any
/// working directory.
enum Repository {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support/ SchemaJobKitTests/ Tests/ → root
        return url.path
    }()

    static var database: String { root + "/database" }
    static var templates: String { root + "/templates" }
    static var fixtures: String { root + "/Tests/SchemaJobKitTests/Fixtures" }
    static var golden: String { root + "/Tests/SchemaJobKitTests/Golden" }

    /// Copies a directory of the repository (or anywhere) to `destination`.
    static func copy(_ source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }
}

/// The built `schemajob` executable, run as a user would run it.
enum SchemaJobExecutable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// True when a signal ended the process (a crash), `status` being the signal's number.
        var signaled = false
    }

    /// Beside the test bundle in the build directory (`.build/debug/schemajob`).
    static var path: String {
        var url = Bundle.main.bundleURL
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        let candidate = url.appendingPathComponent("schemajob").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        // `swift test` runs the bundle from the build directory itself.
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("schemajob").path
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String = Repository.root,
                    environment: [String: String]? = nil) throws -> Result {
        try runProgram(path, arguments, in: directory, environment: environment)
    }

    /// Runs any program to its end, with its stdout and stderr kept apart.
    static func runProgram(_ program: String, _ arguments: [String], in directory: String = Repository.root,
                           environment: [String: String]? = nil) throws -> Result {
        let result = try Subprocess.run(program, arguments, environment: environment, in: directory)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr, signaled: result.signaled)
    }
}
