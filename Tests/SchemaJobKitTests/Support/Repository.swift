import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData, as: UTF8.self),
                      signaled: process.terminationReason == .uncaughtSignal)
    }
}
