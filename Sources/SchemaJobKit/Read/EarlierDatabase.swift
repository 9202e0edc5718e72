import Foundation

/// An earlier state of `database/`, for `--from`: another directory (a second checkout),
/// or a git revision, read with git and nothing checked out.
public enum EarlierDatabase {
    /// Reads `reference` as a directory when one exists at that path, otherwise as a git
    /// revision of the repository around `directory` (`origin/main`, `v1.4`, a commit):
    /// the tree at `<revision>:<directory>` is read as it was at that revision.
    /// Messages name files as `<revision>:<directory>/schema/001_x.sql`.
    public static func read(_ reference: String, directory: String) throws -> MigrationSet {
        if DatabaseReader.isDirectory(reference) {
            return try DatabaseReader.read(directory: reference)
        }
        return try read(revision: reference, directory: directory)
    }

    public static func read(revision: String, directory: String) throws -> MigrationSet {
        let place = SourceLocation(path: "--from \(revision)")
        guard !revision.hasPrefix("-"), !revision.contains(":") else {
            throw ReadError(place, "not a directory, and not a git revision")
        }
        let workingDirectory = DatabaseReader.isDirectory(directory) ? directory : "."
        let commit = try git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"], in: workingDirectory)
        guard commit.status == 0 else {
            throw ReadError(place, "no such directory, and not a git revision of the repository here")
        }
        let scratch = try TemporaryDirectory(prefix: "schemajob-from")
        let archive = scratch.path + "/database.tar"
        // `<rev>:<path>` with the path from the repository's top: `<rev>:./<dir>` would be
        // relative to the working directory, but git 2.39's archive refuses it from a
        // subdirectory ("current working directory is untracked").
        // It runs from the top as well: from a subdirectory it may refuse any path.
        let prefix = try git(["rev-parse", "--show-prefix"], in: workingDirectory).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let top = try git(["rev-parse", "--show-toplevel"], in: workingDirectory).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var relative = DatabaseReader.isDirectory(directory) ? "" : directory
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        let treePath = prefix + relative
        let archived = try git(["archive", "--format=tar", "-o", archive, "\(revision):\(treePath)"], in: top)
        guard archived.status == 0 else {
            throw ReadError(place, "\(directory) does not exist at \(revision)")
        }
        let extracted = scratch.path + "/database"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        let untar = try run("/usr/bin/env", ["tar", "-xf", archive, "-C", extracted], in: workingDirectory)
        guard untar.status == 0 else {
            throw ReadError(place, "cannot unpack \(directory) at \(revision): \(untar.errors)")
        }
        var set = try DatabaseReader.read(directory: extracted)
        // Messages name the revision, never the scratch directory, which is gone by then.
        let shown = "\(revision):\(directory)"
        func rename(_ path: String) -> String {
            path.hasPrefix(extracted) ? shown + path.dropFirst(extracted.count) : path
        }
        set.directory = shown
        set.ignoredEntries = set.ignoredEntries.map(rename)
        for index in set.files.indices {
            set.files[index].displayPath = rename(set.files[index].displayPath)
        }
        return set
    }

    struct Outcome {
        var status: Int32
        var errors: String
        var output: String
    }

    /// git with the directory given and nothing in its environment that redirects it.
    static func git(_ arguments: [String], in directory: String) throws -> Outcome {
        try run("/usr/bin/env", ["git", "-C", directory] + arguments, in: directory)
    }

    static func run(_ executable: String, _ arguments: [String], in directory: String) throws -> Outcome {
        let result: Subprocess.Result
        do {
            // The arguments name every path (git -C); the working directory stays the caller's.
            result = try Subprocess.run(executable, arguments)
        } catch {
            throw ReadError(SourceLocation(path: arguments.first ?? executable), "cannot run: \(error)")
        }
        let text = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        return Outcome(status: result.status, errors: text, output: result.stdout)
    }
}
