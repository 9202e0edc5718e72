import Foundation

/// Runs a program to its end and keeps what it printed: the one way the library starts
/// a short-lived tool (git, tar, psql for catalog queries, initdb), and the tests' way too.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// True when a signal ended the program (a crash), `status` being the signal's number.
        public var signaled = false

        /// What went wrong, in one line for an error message: the first line the program
        /// wrote on stderr, spaces around it trimmed and `prefix` (psql's own `psql: error: `,
        /// which the caller's message would repeat) taken off; how it ended when it wrote nothing.
        public func oneLineError(droppingPrefix prefix: String = "") -> String {
            for line in stderr.split(whereSeparator: \.isNewline) {
                var text = line.trimmingCharacters(in: .whitespaces)
                if !prefix.isEmpty && text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
                if !text.isEmpty { return text }
            }
            return signaled ? "ended by signal \(status)" : "exited with status \(status)"
        }
    }

    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        in directory: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        // Foundation's `waitUntilExit` on Linux notices an exit by running the run loop in
        // 50 ms slices, which added about 40 ms to every psql `test` starts (a dozen per
        // proof); the termination handler is called as soon as the child is reaped.
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        // Both pipes are read to their end before the wait, so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        ended.wait()
        // Closed here, not when the pipes are freed: Foundation's Process outlives this call
        // holding them, and a test process that runs thousands of programs ran past a
        // thousand open descriptors, where Process.run itself crashed.
        try? output.fileHandleForReading.close()
        try? errors.fileHandleForReading.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self),
            signaled: process.terminationReason == .uncaughtSignal)
    }
}
