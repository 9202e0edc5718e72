import Foundation

/// psql as schemajob runs it for its own sessions: `history`'s ledger reads, `drift` and
/// `plan`'s reads of the live database, the proof's scratch databases. One program,
/// found once, and one set of flags. The Job's migration has flags of its own (migrate.sh)
/// and runs through the rendered containers (`Run/`), not through here.
struct Psql: Sendable {
    /// No ~/.psqlrc (a user's settings must not change what is read), rows as bare
    /// `|`-separated lines for parsing, and stop at the first error.
    static let flags = ["--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1"]

    static let notFound = "not found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL's client"

    /// The psql program.
    let executable: String

    /// The directory psql is in, where pg_dump and pg_isready of the same version are.
    var directory: String { (executable as NSString).deletingLastPathComponent }

    /// What one session runs.
    enum Input {
        /// One statement (`--command`).
        case command(String)
        /// A script, written to a file first; `files` (bytes by relative path) are written
        /// beside it and their directory is the psql variable `files`, for the script's
        /// QueryText lines.
        case script(String, files: [String: [UInt8]] = [:])
    }

    /// The first psql on PATH; in place of Debian's `pg_wrapper` (a Perl script that
    /// picks a version, 50–100 ms a start where psql itself takes 10–20), the newest
    /// installed client, which is what the wrapper runs for a server it has no cluster
    /// entry for. A proof starts a few dozen clients, so this is most of its overhead.
    static func find(path: String?) -> Psql? {
        // Looked for only when PATH leads to the wrapper or to nothing: it lists directories.
        func newestClient() -> String? {
            ScratchServer.newestInstalled(having: ["psql", "pg_isready"]).map { $0 + "/psql" }
        }
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/psql"
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            let real = URL(fileURLWithPath: candidate).resolvingSymlinksInPath()
            if real.lastPathComponent == "pg_wrapper", let client = newestClient() { return Psql(executable: client) }
            return Psql(executable: candidate)
        }
        return newestClient().map(Psql.init)
    }

    /// Runs `input` in one session with `environment` (libpq's variables included: the
    /// password only ever comes from there or ~/.pgpass, never from an argument).
    /// `arguments` come after the common flags. psql's exit status is the caller's to read.
    func run(_ input: Input, arguments: [String] = [], environment: [String: String]) throws -> Subprocess.Result {
        var arguments = Self.flags + arguments
        // Held until psql has ended: the script and its files are removed with it.
        var directory: TemporaryDirectory?
        switch input {
        case .command(let sql):
            arguments.append("--command=\(sql)")
        case .script(let script, let files):
            let made = try TemporaryDirectory(prefix: "schemajob-psql")
            directory = made
            for (relative, bytes) in files {
                try Self.write(bytes, to: made.path + "/" + relative)
            }
            let path = made.path + "/script.sql"
            try Self.write(Array(script.utf8), to: path)
            if !files.isEmpty { arguments.append("--set=files=\(made.path)") }
            arguments.append("--file=\(path)")
        }
        do {
            return try withExtendedLifetime(directory) {
                try Subprocess.run(executable, arguments, environment: environment)
            }
        } catch {
            throw InputError("psql", "cannot start psql: \(error)")
        }
    }

    /// Runs `input` and returns what it printed, or throws: psql exits 2 when it could not
    /// connect (or lost the connection), 1 or 3 when the session failed.
    func read(
        _ input: Input, arguments: [String] = [], environment: [String: String],
        place: String, cannotConnect: String, failed: String
    ) throws -> Subprocess.Result {
        let result = try run(input, arguments: arguments, environment: environment)
        let problem = result.oneLineError(droppingPrefix: "psql: error: ")
        switch result.status {
        case 0: return result
        case 2: throw InputError(place, "\(cannotConnect): \(problem)")
        default: throw InputError(place, "\(failed): \(problem)")
        }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw InputError(path, "cannot write psql's input")
        }
    }
}
