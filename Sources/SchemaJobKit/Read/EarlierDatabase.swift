import Foundation

/// An earlier state of `database/`, for `--from`: another directory (a second checkout),
/// or a git revision, read with git and nothing checked out.
public enum EarlierDatabase {
    /// Reads `reference` as a directory when one exists at that path, otherwise as a git
    /// revision of the repository around `directory` (`origin/main`, `v1.4`, a commit):
    /// the tree at `<revision>:<directory>` is read as it was at that revision.
    /// Messages name files as `<revision>:<directory>/schema/001_x.sql`, and a revision
    /// that is not one as `<option> <revision>` (`--from`, `--rollback`).
    public static func read(_ reference: String, directory: String, option: String = "--from") throws -> MigrationSet {
        if DatabaseReader.isDirectory(reference) {
            return try DatabaseReader.read(directory: reference)
        }
        return try read(revision: reference, directory: directory, option: option)
    }

    public static func read(revision: String, directory: String, option: String = "--from") throws -> MigrationSet {
        let place = SourceLocation(path: "\(option) \(revision)")
        guard !revision.hasPrefix("-"), !revision.contains(":") else {
            throw InputError(place, "not a directory, and not a git revision")
        }
        let workingDirectory = DatabaseReader.isDirectory(directory) ? directory : "."
        let commit = try git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"], in: workingDirectory)
        guard commit.status == 0 else {
            throw InputError(place, "no such directory, and not a git revision of the repository here")
        }
        let scratch = try TemporaryDirectory(prefix: "schemajob-from")
        let archive = scratch.path + "/database.tar"
        // The directory's path from the repository's top, and git archive run there: run
        // inside a subdirectory it refuses a tree ("current working directory is untracked").
        let located = try git(["rev-parse", "--show-toplevel", "--show-prefix"], in: workingDirectory)
        let lines = located.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard located.status == 0, lines.count >= 2 else {
            throw InputError(place, "cannot find \(directory) in its git repository: \(located.errors)")
        }
        let top = lines[0]
        var treePath = lines[1]
        if !DatabaseReader.isDirectory(directory) { treePath += directory }
        while treePath.hasSuffix("/") { treePath.removeLast() }
        // `<rev>:` alone is the top of the tree, when database/ is the repository itself.
        let archived = try git(["archive", "--format=tar", "-o", archive, "\(revision):\(treePath)"], in: top)
        guard archived.status == 0 else {
            throw InputError(place, "\(directory) does not exist at \(revision)")
        }
        let extracted = scratch.path + "/database"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        let untar = try run("/usr/bin/env", ["tar", "-xf", archive, "-C", extracted])
        guard untar.status == 0 else {
            throw InputError(place, "cannot unpack \(directory) at \(revision): \(untar.errors)")
        }
        // Messages name the revision, never the scratch directory, which is gone by then.
        let shown = "\(revision):\(directory)"
        func rename(_ path: String) -> String {
            path.hasPrefix(extracted) ? shown + path.dropFirst(extracted.count) : path
        }
        var set: MigrationSet
        do {
            set = try DatabaseReader.read(directory: extracted)
        } catch var error as InputError {
            // A tree without schema/ (a directory that is no database/ at that revision).
            error.location.path = rename(error.location.path)
            throw error
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
        var output: String
        /// The first line of what the tool said on stderr.
        var errors: String
    }

    /// git with the directory given (`-C`; paths stay relative to this process's own).
    static func git(_ arguments: [String], in directory: String) throws -> Outcome {
        try run("/usr/bin/env", ["git", "-C", directory] + arguments)
    }

    /// The library's one way to run a short-lived tool (`Subprocess`), in this process's
    /// working directory, with a failure to start it as a read error naming the tool.
    static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(executable, arguments)
        } catch {
            throw InputError(SourceLocation(path: arguments.first ?? executable), "cannot run: \(error)")
        }
        return Outcome(status: result.status, output: result.stdout, errors: result.oneLineError())
    }
}
