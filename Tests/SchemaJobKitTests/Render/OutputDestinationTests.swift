import Foundation
import Testing
@testable import SchemaJobKit

/// What every writing command does to a path that is not a plain file: a device or a
/// FIFO is written into and stays what it was, a link keeps being a link and its target
/// gets the bytes, a directory is refused. Each test builds its own nodes in a scratch
/// directory (the machine's /dev/null is never named).
@Suite struct OutputDestinationTests {
    /// A scratch directory with a device node, a FIFO, and a link into another directory.
    struct Scratch {
        let directory: TemporaryDirectory
        var root: String { directory.path }
        var device: String { root + "/null" }
        var fifo: String { root + "/pipe" }
        var elsewhere: String { root + "/elsewhere" }
        var linkTarget: String { elsewhere + "/manifests.yaml" }
        var link: String { root + "/manifests.yaml" }

        init() throws {
            directory = try TemporaryDirectory(prefix: "schemajob-destination")
            try Self.makeNullDevice(root + "/null")
            guard mkfifo(root + "/pipe", 0o644) == 0 else {
                throw HarnessError("mkfifo: \(String(cString: strerror(errno)))")
            }
            try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: false)
            try "old bytes\n".write(toFile: root + "/elsewhere/manifests.yaml", atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: root + "/manifests.yaml", withDestinationPath: "elsewhere/manifests.yaml")
        }

        /// A character device with the numbers of /dev/null (major 1, minor 3, in glibc's encoding).
        static func makeNullDevice(_ path: String) throws {
            guard mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else {
                throw HarnessError("mknod needs root (CAP_MKNOD): \(String(cString: strerror(errno)))")
            }
        }

        func kind(_ path: String) -> mode_t {
            var status = stat()
            return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
        }

        func text(_ path: String) -> String? {
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }

        /// Every name in the scratch directory and `elsewhere/`, so a stray temporary file shows.
        func names() throws -> [String] {
            try (FileManager.default.contentsOfDirectory(atPath: root)
                + FileManager.default.contentsOfDirectory(atPath: elsewhere).map { "elsewhere/" + $0 }).sorted()
        }

        /// Reads the FIFO to its end on a thread of its own while `write` runs, as a
        /// consumer at the other end of `-o pipe` would; returns what came through.
        func readingFIFO(while write: () throws -> Void) rethrows -> String {
            let box = ReadBox()
            let done = DispatchSemaphore(value: 0)
            let path = fifo
            Thread.detachNewThread {
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while descriptor >= 0 {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count <= 0 { break }
                    bytes += buffer[..<count]
                }
                if descriptor >= 0 { close(descriptor) }
                box.set(String(decoding: bytes, as: UTF8.self))
                done.signal()
            }
            try write()
            // A writer that put a plain file in the FIFO's place never opens it, and the
            // reader would wait for ever: bounded, so that shows as an empty read.
            guard done.wait(timeout: .now() + 60) == .success else { return "" }
            return box.value
        }
    }

    final class ReadBox: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func set(_ value: String) { lock.lock(); text = value; lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    // MARK: The writer itself (what every command calls)

    @Test func aCharacterDeviceIsWrittenIntoAndStaysADevice() throws {
        let scratch = try Scratch()
        try OutputFile.write("kind: Job\n", to: scratch.device)
        #expect(scratch.kind(scratch.device) == S_IFCHR)
        #expect(try scratch.names() == ["elsewhere", "elsewhere/manifests.yaml", "manifests.yaml", "null", "pipe"])
    }

    @Test func aFIFOIsWrittenIntoAndItsReaderGetsEveryByte() throws {
        let scratch = try Scratch()
        let text = String(repeating: "kind: ConfigMap\n", count: 20_000)  // more than a pipe buffers
        let read = try scratch.readingFIFO { try OutputFile.write(text, to: scratch.fifo) }
        #expect(read == text)
        #expect(scratch.kind(scratch.fifo) == S_IFIFO)
    }

    @Test func aLinkHasItsTargetReplacedAndStaysALink() throws {
        let scratch = try Scratch()
        try OutputFile.write("kind: Job\n", to: scratch.link)
        #expect(scratch.kind(scratch.link) == S_IFLNK)
        #expect(scratch.text(scratch.linkTarget) == "kind: Job\n")
        #expect(try scratch.names() == ["elsewhere", "elsewhere/manifests.yaml", "manifests.yaml", "null", "pipe"])
    }

    @Test func aLinkToAFileNotYetThereMakesTheFileBesideItsTarget() throws {
        let scratch = try Scratch()
        try FileManager.default.createSymbolicLink(atPath: scratch.root + "/new.yaml", withDestinationPath: scratch.elsewhere + "/new.yaml")
        try OutputFile.write("kind: Job\n", to: scratch.root + "/new.yaml")
        #expect(scratch.kind(scratch.root + "/new.yaml") == S_IFLNK)
        #expect(scratch.text(scratch.elsewhere + "/new.yaml") == "kind: Job\n")
    }

    @Test func aLinkToADeviceWritesIntoTheDevice() throws {
        let scratch = try Scratch()
        try FileManager.default.createSymbolicLink(atPath: scratch.root + "/to-null", withDestinationPath: "null")
        try OutputFile.write("kind: Job\n", to: scratch.root + "/to-null")
        #expect(scratch.kind(scratch.device) == S_IFCHR)
        #expect(scratch.kind(scratch.root + "/to-null") == S_IFLNK)
    }

    @Test func aDirectoryIsRefusedAndNothingIsWritten() throws {
        let scratch = try Scratch()
        let before = try scratch.names()
        #expect {
            try OutputFile.write("kind: Job\n", to: scratch.elsewhere)
        } throws: { error in
            (error as? InputError)?.message == "cannot write: a directory, not a file; name a file"
        }
        #expect(try scratch.names() == before)
    }

    @Test func aRegularFileKeepsItsPermissionBits() throws {
        let scratch = try Scratch()
        chmod(scratch.linkTarget, 0o600)
        try OutputFile.write("kind: Job\n", to: scratch.linkTarget)
        var status = stat()
        #expect(stat(scratch.linkTarget, &status) == 0 && status.st_mode & 0o777 == 0o600)
    }

    @Test func stdoutAndTheFdPathsAreThisProcesssDescriptors() {
        #expect(OutputFile.heldDescriptor("/dev/stdout") == 1)
        #expect(OutputFile.heldDescriptor("/dev/stderr") == 2)
        #expect(OutputFile.heldDescriptor("/proc/self/fd/1") == 1)
        #expect(OutputFile.heldDescriptor("/dev/fd/7") == 7)
        #expect(OutputFile.heldDescriptor("/dev/stdin-not") == nil)
    }

    @Test func checkRefusesWhatHasNoContentToCompareAndReadsThroughALink() throws {
        let scratch = try Scratch()
        for path in [scratch.device, scratch.fifo, scratch.elsewhere] {
            #expect(throws: InputError.self) { try OutputFile.unifiedDiff("kind: Job\n", against: path) }
        }
        #expect(try OutputFile.unifiedDiff("old bytes\n", against: scratch.link) == "")
        #expect(scratch.kind(scratch.device) == S_IFCHR && scratch.kind(scratch.fifo) == S_IFIFO)
    }

    /// drift's and test's `--fix-file`: the numbered file, given as a path.
    @Test func theFixFileWriterKeepsDevicesFIFOsAndLinks() throws {
        let scratch = try Scratch()
        let fix = [FixFileOutput.File(name: "fix_drift.sql", text: "SELECT 1;\n", isNumbered: true)]
        #expect(try FixFileOutput.write(fix, to: scratch.device) == [scratch.device])
        #expect(scratch.kind(scratch.device) == S_IFCHR)
        let read = try scratch.readingFIFO { _ = try FixFileOutput.write(fix, to: scratch.fifo) }
        #expect(read == "SELECT 1;\n")
        #expect(scratch.kind(scratch.fifo) == S_IFIFO)
        _ = try FixFileOutput.write(fix, to: scratch.link)
        #expect(scratch.kind(scratch.link) == S_IFLNK)
        #expect(scratch.text(scratch.linkTarget) == "SELECT 1;\n")
    }

    // MARK: The commands

    static func render(_ arguments: [String], in directory: String) throws -> SchemaJobExecutable.Result {
        try SchemaJobExecutable.run(
            ["render", "--database", Repository.database, "--templates", Repository.templates] + arguments, in: directory)
    }

    @Test func renderToADeviceNodeLeavesItADevice() throws {
        let scratch = try Scratch()
        let result = try Self.render(["-o", scratch.device], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scratch.kind(scratch.device) == S_IFCHR)
        #expect(try scratch.names() == ["elsewhere", "elsewhere/manifests.yaml", "manifests.yaml", "null", "pipe"])
    }

    @Test func renderToAFIFOReachesItsReader() throws {
        let scratch = try Scratch()
        var result: SchemaJobExecutable.Result?
        let read = try scratch.readingFIFO { result = try Self.render(["-o", scratch.fifo], in: scratch.root) }
        #expect(result?.status == 0, "\(result?.stderr ?? "")")
        let direct = try Self.render([], in: scratch.root)
        #expect(read == direct.stdout && read.contains("kind: Job"))
        #expect(scratch.kind(scratch.fifo) == S_IFIFO)
    }

    @Test func renderThroughALinkReplacesTheTargetAndKeepsTheLink() throws {
        let scratch = try Scratch()
        let result = try Self.render(["-o", scratch.link], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scratch.kind(scratch.link) == S_IFLNK)
        #expect(scratch.text(scratch.linkTarget)?.contains("kind: Job") == true)
        let check = try Self.render(["--check", "-o", scratch.link], in: scratch.root)
        #expect(check.status == 0 && check.stdout.isEmpty, "the check reads the target: \(check.stdout)")
    }

    @Test func renderToThisProcesssStdoutByItsFdPathPrintsTheManifests() throws {
        let scratch = try Scratch()
        let result = try Self.render(["-o", "/proc/self/fd/1"], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("kind: Job"))
    }

    @Test func renderCheckAgainstADeviceIsRefusedInOneLine() throws {
        let scratch = try Scratch()
        let result = try Self.render(["--check", "-o", scratch.device], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(scratch.device): error: --check compares with a regular file"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty)
        #expect(scratch.kind(scratch.device) == S_IFCHR)
    }

    @Test func renderIntoADirectoryWithALinkedFileReplacesItsTarget() throws {
        let scratch = try Scratch()
        let deploy = scratch.root + "/deploy"
        #expect(try Self.render(["--output-dir", deploy], in: scratch.root).status == 0)
        // The Job's file moved into another directory, linked from deploy/, then made stale.
        let job = deploy + "/job-db-migration.yaml", moved = scratch.elsewhere + "/job.yaml"
        try FileManager.default.moveItem(atPath: job, toPath: moved)
        try FileManager.default.createSymbolicLink(atPath: job, withDestinationPath: moved)
        let fresh = try String(contentsOfFile: moved, encoding: .utf8)
        try (fresh + "# stale\n").write(toFile: moved, atomically: false, encoding: .utf8)

        let result = try Self.render(["--output-dir", deploy], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scratch.kind(job) == S_IFLNK)
        #expect(scratch.text(moved) == fresh)
    }

    @Test func renderIntoADirectoryWhereARenderFileIsADeviceIsRefusedAndWritesNothing() throws {
        let scratch = try Scratch()
        let deploy = scratch.root + "/deploy"
        try FileManager.default.createDirectory(atPath: deploy, withIntermediateDirectories: false)
        try Scratch.makeNullDevice(deploy + "/job-db-migration.yaml")
        let result = try Self.render(["--output-dir", deploy], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(deploy)/job-db-migration.yaml: error: not a regular file schemajob wrote"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: deploy) == ["job-db-migration.yaml"])
        #expect(scratch.kind(deploy + "/job-db-migration.yaml") == S_IFCHR)
    }

    /// `sum` and `lint --fix` write inside database/, whose entries the reader refuses
    /// unless they are plain files: a device there stops the command before it writes.
    @Test func sumAndLintFixLeaveADeviceInDatabaseAlone() throws {
        let scratch = try Scratch()
        let database = scratch.root + "/database"
        try Repository.copy(Repository.database, to: database)
        try? FileManager.default.removeItem(atPath: database + "/schema.sum")
        try Scratch.makeNullDevice(database + "/schema.sum")
        let sum = try SchemaJobExecutable.run(["sum", "--database", database], in: scratch.root)
        #expect(sum.status == 2 && sum.stderr.contains("schema.sum: error: refused: a device"), "\(sum.stderr)")
        #expect(scratch.kind(database + "/schema.sum") == S_IFCHR)

        try FileManager.default.removeItem(atPath: database + "/schema.sum")
        let file = database + "/schema/010_spaces.sql"
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: scratch.linkTarget)
        let fix = try SchemaJobExecutable.run(["lint", "--fix", "--database", database], in: scratch.root)
        #expect(fix.status == 2 && fix.stderr.contains("010_spaces.sql: error: refused: a symbolic link"), "\(fix.stderr)")
        #expect(scratch.kind(file) == S_IFLNK && scratch.text(scratch.linkTarget) == "old bytes\n")
    }

    /// `sum` writes through the same writer: a schema.sum that is a link in a database
    /// copy is refused by the reader, and one made by sum itself is a plain file.
    @Test func sumWritesAPlainFileAtomically() throws {
        let scratch = try Scratch()
        let database = scratch.root + "/database"
        try Repository.copy(Repository.database, to: database)
        try? FileManager.default.removeItem(atPath: database + "/schema.sum")
        let sum = try SchemaJobExecutable.run(["sum", "--database", database], in: scratch.root)
        #expect(sum.status == 0, "\(sum.stderr)")
        #expect(scratch.kind(database + "/schema.sum") == S_IFREG)
        #expect(try FileManager.default.contentsOfDirectory(atPath: database).filter { $0.hasPrefix(".") }.isEmpty)
    }
}
