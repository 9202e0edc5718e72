import Foundation

/// One installed PostgreSQL: a directory holding `postgres`, `initdb`, `pg_isready`,
/// `psql` and `pg_dump` of one version. A scratch server is worth what its major is (a
/// proof on 15 says little about 18), so `test`, `drift` and `plan` choose among the
/// installations they can see the one whose major is the live server's.
public struct PostgresInstallation: Sendable, Equatable, CustomStringConvertible {
    /// The bin directory (links followed).
    public let binaries: String
    /// `18.6`, as `postgres --version` says it.
    public let version: String

    /// The oldest major schemajob supports (14 reached its end in November 2026).
    public static let oldestMajor = 15

    public var major: Int { Int(version.prefix { $0.isNumber }) ?? 0 }
    public var description: String { "PostgreSQL \(version) (\(binaries))" }

    /// The installation in `directory`, read from its `postgres --version`; an error naming
    /// the directory when it holds no server.
    public static func at(_ directory: String) throws -> PostgresInstallation {
        let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        for program in ["postgres", "initdb", "pg_isready", "psql"]
        where !FileManager.default.isExecutableFile(atPath: real + "/" + program) {
            throw InputError(directory, "no \(program) here: give the bin directory of a PostgreSQL installation (one holding postgres, initdb, pg_isready and psql)")
        }
        let result = try Subprocess.run(real + "/postgres", ["--version"])
        guard result.status == 0, let version = Self.version(in: result.stdout) else {
            throw InputError(real + "/postgres", "cannot tell its version: \(result.oneLineError())")
        }
        return PostgresInstallation(binaries: real, version: version)
    }

    /// `18.6` in `postgres (PostgreSQL) 18.6` or `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
    static func version(in output: String) -> String? {
        guard let range = output.range(of: "(PostgreSQL) ") else { return nil }
        let version = output[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }

    /// Every installation this machine shows: the directories on `PATH` holding `initdb`
    /// (links followed), then Debian's `/usr/lib/postgresql/<version>/bin`; each directory
    /// once, newest major first (on a tie, the first found).
    public static func known(path: String?) -> [PostgresInstallation] {
        var directories: [String] = []
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let initdb = "\(directory)/initdb"
            guard FileManager.default.isExecutableFile(atPath: initdb) else { continue }
            directories.append(URL(fileURLWithPath: initdb).resolvingSymlinksInPath().deletingLastPathComponent().path)
        }
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        directories += versions.sorted().map { "\(base)/\($0)/bin" }
        var seen = Set<String>(), found: [PostgresInstallation] = []
        for directory in directories where seen.insert(directory).inserted {
            if let installation = try? at(directory) { found.append(installation) }
        }
        return found.enumerated().sorted { ($0.element.major, -$0.offset) > ($1.element.major, -$1.offset) }.map(\.element)
    }

    /// What a command asks for: `--postgres-bin` (nil: look among `known`), and whether a
    /// major other than the live server's may serve.
    public struct Choice: Sendable {
        public var postgresBin: String?
        public var allowVersionMismatch: Bool
        public init(postgresBin: String? = nil, allowVersionMismatch: Bool = false) {
            self.postgresBin = postgresBin
            self.allowVersionMismatch = allowVersionMismatch
        }
    }

    /// The installation to start a scratch server with: for a live server of major
    /// `liveMajor`, one of that major (`--postgres-bin` must be one); with no live server,
    /// `--postgres-bin` or the newest. `warning` is set when another major serves
    /// (`--allow-version-mismatch`); `command` names the command in messages.
    public static func choose(
        _ choice: Choice, liveMajor: Int?, path: String?, command: String
    ) throws -> (installation: PostgresInstallation, warning: String?) {
        let candidates: [PostgresInstallation]
        if let given = choice.postgresBin {
            let installation = try at(given)
            guard installation.major >= oldestMajor else {
                throw InputError(given, "PostgreSQL \(installation.version) is older than \(oldestMajor), the oldest major schemajob supports")
            }
            candidates = [installation]
        } else {
            candidates = known(path: path).filter { $0.major >= oldestMajor }
        }
        guard let newest = candidates.first else {
            throw InputError(
                command,
                "no PostgreSQL server to start: install PostgreSQL \(liveMajor.map(String.init) ?? "15 or newer") (initdb on PATH or under /usr/lib/postgresql/*/bin) or give --postgres-bin DIR")
        }
        guard let liveMajor else { return (newest, nil) }
        guard liveMajor >= oldestMajor else {
            throw InputError("--dsn", "the server is PostgreSQL \(liveMajor), older than \(oldestMajor), the oldest major schemajob supports")
        }
        if let matching = candidates.first(where: { $0.major == liveMajor }) { return (matching, nil) }
        let seen = candidates.map { "\($0.version) (\($0.binaries))" }.joined(separator: ", ")
        guard choice.allowVersionMismatch else {
            throw InputError(
                command,
                "the live server is PostgreSQL \(liveMajor) and no PostgreSQL \(liveMajor) is at hand (found \(seen)): install PostgreSQL \(liveMajor) and give --postgres-bin DIR, or pass --allow-version-mismatch to prove on another major")
        }
        return (newest, "\(command): warning: the live server is PostgreSQL \(liveMajor) but the scratch server is PostgreSQL \(newest.version) (--allow-version-mismatch): a difference between the majors can hide or invent a finding")
    }
}
