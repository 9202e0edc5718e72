import Foundation
import Testing
@testable import SchemaJobKit

/// Bad input: one line on stderr naming the file (and line), exit 2, nothing written.
/// A lint error stops the render with exit 1: the finding's line, then the summary.
/// Every case runs the built executable on a fresh copy of database/ and templates/.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Breaks a fresh copy of database/ and templates/ in `root`; returns extra arguments.
        var breakInput: @Sendable (_ root: String) throws -> [String]
        /// What the one stderr line must start with, with `ROOT` standing for the copy's path.
        var expected: String
        /// 2: the input is refused; 1: lint found an error (or a warning, with --strict).
        var status: Int32 = 2
        /// Run as an unprivileged user (root reads any file, so "unreadable" means nothing to it).
        var unprivileged = false
        /// Where `-o` points, relative to the copy; the default is a file that exists.
        var output = "out.yaml"
        var testDescription: String { name }
    }

    static func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func writeBytes(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func mkfifo(_ path: String) throws {
        guard Glibc.mkfifo(path, 0o644) == 0 else { throw HarnessError("mkfifo \(path): \(String(cString: strerror(errno)))") }
    }

    /// A unix socket bound at `path`; the descriptor is left open for the test's life.
    static func bindSocket(_ path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8CString)
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = UInt8(bitPattern: byte) }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw HarnessError("bind \(path): \(String(cString: strerror(errno)))") }
    }

    static let oneStatement = "CREATE TABLE IF NOT EXISTS extra (id int);\n"

    static let cases: [Case] = [
        Case(name: "missing database directory", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/database")
            return []
        }, expected: "ROOT/database: error: no such directory"),
        Case(name: "empty schema directory", breakInput: { root in
            for file in try FileManager.default.contentsOfDirectory(atPath: root + "/database/schema") {
                try FileManager.default.removeItem(atPath: root + "/database/schema/" + file)
            }
            return []
        }, expected: "ROOT/database/schema: error: no .sql files"),
        Case(name: "file name that is not a ConfigMap key", breakInput: { root in
            try write("SELECT 1;\n", root + "/database/schema/010 new table.sql")
            return []
        }, expected: "ROOT/database/schema/010 new table.sql: error: file name is not a valid ConfigMap key"),
        Case(name: "file that is not UTF-8", breakInput: { root in
            try Data("SELECT 1;\nSELECT '\u{00}".utf8 + [0xC3, 0x28] + Data("';\n".utf8))
                .write(to: URL(fileURLWithPath: root + "/database/fixtures/002_latin1.sql"))
            return []
        }, expected: "ROOT/database/fixtures/002_latin1.sql:2:10: error: file is not valid UTF-8"),
        // The files are read side by side: the one named is still the first bad one by name.
        Case(name: "two files that are not UTF-8", breakInput: { root in
            for name in ["003_later.sql", "002_earlier.sql"] {
                try Data("SELECT 1;\n".utf8 + [0xC3, 0x28] + Data(";\n".utf8))
                    .write(to: URL(fileURLWithPath: root + "/database/fixtures/" + name))
            }
            return []
        }, expected: "ROOT/database/fixtures/002_earlier.sql:2:1: error: file is not valid UTF-8"),
        Case(name: "template that is not YAML", breakInput: { root in
            try write("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: [unclosed\n", root + "/templates/job.yaml")
            return []
        }, expected: "ROOT/templates/job.yaml:5:1: error: not valid YAML"),
        Case(name: "template with an unknown placeholder", breakInput: { root in
            let path = root + "/templates/job.yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try write(text.replacingOccurrences(of: "${job.backoffLimit}", with: "${job.retries}"), path)
            return []
        }, expected: "ROOT/templates/job.yaml:19:17: error: unknown placeholder ${job.retries}"),
        Case(name: "unknown --set key", breakInput: { _ in ["--set", "job.retries=3"] },
             expected: "--set job.retries=3: error: unknown setting 'job.retries'"),
        Case(name: "--set without a value", breakInput: { _ in ["--set", "namespace"] },
             expected: "--set namespace: error: expected KEY=VALUE"),
        Case(name: "--set with a bad number", breakInput: { _ in ["--set", "job.backoffLimit=1e9"] },
             expected: "--set job.backoffLimit=1e9: error: 'job.backoffLimit' must be a whole number"),
        Case(name: "--set with a word the setting does not know", breakInput: { _ in ["--set", "job.reapply=sometimes"] },
             expected: "--set job.reapply=sometimes: error: 'job.reapply' must be one of if-changed, always, not 'sometimes'"),
        Case(name: "--set with a bad name", breakInput: { _ in ["--set", "namespace=Not_A_Label"] },
             expected: "--set namespace=Not_A_Label: error: 'namespace' must be a DNS-1123 label"),
        Case(name: "config file with an unknown key", breakInput: { root in
            try write("namespace: apps\npostgres:\n  hostname: db\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:3:3: error: unknown setting 'postgres.hostname'"),
        Case(name: "config file with a negative number", breakInput: { root in
            try write("job:\n  backoffLimit: -1\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:17: error: 'job.backoffLimit' must be between 0 and 20, not -1"),
        Case(name: "unknown flag", breakInput: { _ in ["--frobnicate"] },
             expected: "schemajob: error: Unknown option '--frobnicate'"),
    ] + hostileCases

    @Test(arguments: cases)
    func badInputIsOneLineExitTwoAndNothingWritten(_ badCase: Case) throws {
        let directory = try TemporaryDirectory()
        let root = directory.path
        try Repository.copy(Repository.database, to: root + "/database")
        try Repository.copy(Repository.templates, to: root + "/templates")
        let previous = root + "/out.yaml"
        try "previous render\n".write(toFile: previous, atomically: true, encoding: .utf8)
        let extra = try badCase.breakInput(root)
        defer { Self.makeWritable(root) }
        let output = root + "/" + badCase.output
        let entriesBefore = try Self.tree(root)

        let arguments = ["render", "--database", root + "/database", "--templates", root + "/templates", "-o", output] + extra
        let result: SchemaJobExecutable.Result
        if badCase.unprivileged && getuid() == 0 {
            // The copy must be reachable by `nobody`; what the case made unreadable stays so.
            chmod(root, 0o755)
            result = try SchemaJobExecutable.runProgram(
                "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", SchemaJobExecutable.path] + arguments,
                in: root)
        } else {
            result = try SchemaJobExecutable.run(arguments, in: root)
        }

        #expect(!result.signaled, "the executable was ended by a signal:\n\(result.stderr)")
        #expect(result.status == badCase.status, "stderr was: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        if badCase.status == 2 {
            #expect(lines.count == 1, "expected one line on stderr, got:\n\(result.stderr)")
        } else {
            // One finding, then the summary that says nothing was written.
            #expect(lines.count == 2 && lines.last?.hasPrefix("render: nothing done") == true,
                    "expected one finding and the summary, got:\n\(result.stderr)")
        }
        let expected = badCase.expected.replacingOccurrences(of: "ROOT", with: root)
        #expect(result.stderr.hasPrefix(expected), "stderr was: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        #expect(try String(contentsOfFile: previous, encoding: .utf8) == "previous render\n")
        // Nothing created anywhere in the copy: no output, no temporary file left behind.
        #expect(try Self.tree(root) == entriesBefore)
    }

    /// Every path under `root` (not following links), sorted.
    static func tree(_ root: String) throws -> [String] {
        var paths: [String] = []
        var pending = [root]
        while let directory = pending.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                let path = directory + "/" + name
                paths.append(path)
                var status = stat()
                if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
        return paths.sorted()
    }

    /// A directory nobody can write to, root included (`chattr +i` when we are root).
    static func makeReadOnly(_ directory: String) throws {
        if getuid() == 0 {
            let result = try SchemaJobExecutable.runProgram("/usr/bin/chattr", ["+i", directory])
            guard result.status == 0 else { throw HarnessError("chattr +i: \(result.stderr)") }
        } else {
            chmod(directory, 0o555)
        }
    }

    /// Undoes what cases did to permissions, so the copy can be removed: the read-only
    /// directory (always `ROOT/readonly`) and anything made unreadable with chmod.
    static func makeWritable(_ root: String) {
        if getuid() == 0, FileManager.default.fileExists(atPath: root + "/readonly") {
            _ = try? SchemaJobExecutable.runProgram("/usr/bin/chattr", ["-i", root + "/readonly"])
        }
        for path in [root] + ((try? tree(root)) ?? []) {
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
            chmod(path, 0o755)
        }
    }

    @Test func settingsFromTheFileAreOverriddenByFlags() throws {
        let directory = try TemporaryDirectory()
        let config = directory.path + "/schemajob.yaml"
        try "namespace: staging\napi:\n  replicas: 3\n  image: registry.example/api:1.0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let settings = try SchemaJob.settings(for: RenderRequest(configFile: config, settingOverrides: ["api.replicas=5"]))
        #expect(settings["namespace"] == .string("staging"))
        #expect(settings["api.replicas"] == .integer(5))
        #expect(settings["api.image"] == .string("registry.example/api:1.0"))
        #expect(settings["postgres.host"] == .string("postgres-primary"))
    }

    @Test func aValueThatLooksLikeANumberStaysAStringInTheManifests() throws {
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database, settingOverrides: ["postgres.database=0755", "postgres.user=yes"]))
        let yaml = try rendering.yaml()
        #expect(yaml.contains("value: '0755'"))
        #expect(yaml.contains("value: 'yes'"))
    }
}
