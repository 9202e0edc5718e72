import ArgumentParser
import SchemaJobKit

extension FindingFormat: ExpressibleByArgument {}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check the SQL files: idempotency, transactions, layout and the schema.sum lock.",
        discussion: """
            Every run applies every file again, in one transaction; lint finds what would fail \
            or do harm the second time. Findings print as path:line:col: error: message [rule]. \
            Errors are what would fail a run or do harm; warnings (layout, readability) never \
            block, unless --strict. Silence one rule for one statement with a comment in it:
              DROP TABLE old_rows; -- schemajob:allow drop-table: replaced by rows

            --fix first strips trailing spaces, tabs and CRs where they are code or comment \
            (never inside a string, a quoted identifier or a dollar body, which are data), \
            writes each changed file atomically, says which on stderr, then lints as usual. \
            It leaves files schema.sum locks alone; --fix --force rewrites them too, and the \
            lock then fails until schemajob sum --force re-locks them.

            --from DIR|REV compares with an earlier database/ (another checkout, or a git \
            revision, read with git, nothing checked out): a schema file that already ran is \
            skipped next time by CREATE TABLE IF NOT EXISTS, so a column, type, default, NOT \
            NULL, constraint or enum value changed inside it never reaches existing databases. \
            Each is an error [upgrade-*] with the ALTER to put in a new file. No server needed.

            --fix-file is refused here: lint's hints are one statement per finding, read from \
            the files without a database, so they are neither one ordered script nor proven \
            (an enum value used in the same run, a column a later statement needs, a file \
            removed). test --from REV --fix-file PATH writes the upgrade's fix as one script, \
            proven on a copy of the upgraded database first.

            Exit codes: 0 no errors (warnings allowed, unless --strict); 1 errors; 2 lint could not run.

            Examples:
              schemajob lint
              schemajob lint --format github      (annotations in a GitHub Actions job)
              schemajob lint --format json | jq -r '.[].rule' | sort | uniq -c
              schemajob lint --fix                (strip trailing whitespace, then lint)
              schemajob lint --strict             (warnings fail too)
              schemajob lint --from origin/main   (what existing databases would miss)
              schemajob lint --from ../release/database

            Rules:
            \(LintRule.all.map { "  \($0.id) (\($0.severity.rawValue)): \($0.reason)" }.joined(separator: "\n"))
            """
    )

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("text, json or github.", valueName: "format"))
    var format: FindingFormat = .text

    @OptionGroup var strictness: StrictOption

    @Flag(name: .long, help: "First strip trailing whitespace in code and comments (never inside strings or bodies), then lint.")
    var fix = false

    @Flag(name: .long, help: "With --fix: rewrite files schema.sum locks too (re-lock them with schemajob sum --force).")
    var force = false

    @Option(name: .long, help: ArgumentHelp("Also check what an existing database made from this earlier database/ (a directory or a git revision) would not get.", valueName: "dir|rev"))
    var from: String?

    @Option(name: .customLong("fix-file"), help: ArgumentHelp("Refused: use schemajob test --from REV --fix-file PATH, which proves the fix first.", valueName: "path"))
    var fixFile: String?

    func validate() throws {
        if force && !fix { throw ValidationError("--force only applies with --fix") }
        if fixFile != nil {
            throw ValidationError("lint --fix-file: lint's upgrade hints are unproven single statements, not one script; use schemajob test --from \(from ?? "REV") --fix-file \(fixFile!), which proves the fix on a copy of the upgraded database and writes it")
        }
    }

    func run() throws {
        let earlier = try from.map { try EarlierDatabase.read($0, directory: databaseOptions.database) }
        var set = try DatabaseReader.read(directory: databaseOptions.database)
        if fix {
            try Self.fixWhitespace(in: set, force: force)
            set = try DatabaseReader.read(directory: databaseOptions.database)
        }
        let analysis = MigrationAnalysis(set)
        try ContractMarker.requireReasons(analysis.contracts)
        let findings = Linter.lint(analysis, from: earlier)
        Terminal.output(try format.render(findings))
        Terminal.error(FindingFormat.summary(findings, fileCount: set.files.count))
        if findings.contains(where: { $0.isError || strictness.strict }) {
            throw ExitCode(1)
        }
    }

    /// Writes each rewrite atomically and says so; a locked file is left alone unless forced,
    /// and a forced one is said to break the lock until it is re-locked.
    static func fixWhitespace(in set: MigrationSet, force: Bool) throws {
        let plan = WhitespaceFix.plan(set, force: force)
        for refused in plan.refused {
            Terminal.error("lint: --fix: left \(refused.file.displayPath) alone: \(DatabaseReader.schemaSumName) locks it (--fix --force rewrites it, then schemajob sum --force re-locks it)")
        }
        for rewrite in plan.rewrites {
            try OutputFile.write(rewrite.bytes, to: rewrite.file.displayPath)
            let lines = rewrite.lineCount == 1 ? "1 line" : "\(rewrite.lineCount) lines"
            Terminal.error("lint: --fix: fixed \(rewrite.file.displayPath): trailing whitespace stripped from \(lines)")
            if rewrite.isLocked {
                Terminal.error("lint: --fix: WARNING: --force: \(rewrite.file.displayPath) is locked by \(DatabaseReader.schemaSumName): the lock fails [schema-sum-changed] until you run schemajob sum --force")
            }
        }
    }

    /// The gate before anything is written or run. Errors (and, with `strict`, warnings)
    /// go to stderr (stdout may be the manifests) and the command exits 1; warnings alone
    /// are printed and the command goes on. `skipped` says so loudly instead.
    static func requireClean(_ rendering: Rendering, skipped: Bool, strict: Bool, command: String) throws {
        if skipped {
            Terminal.error("\(command): WARNING: --no-lint: not checking the SQL (idempotency, transactions, the schema.sum lock)")
            return
        }
        let set = rendering.migrationSet
        // Made during the render when it was asked for them (`SchemaJob.render(_:linting:)`).
        let findings = rendering.findings ?? Linter.lint(rendering.analysis)
        guard !findings.isEmpty else { return }
        Terminal.error(try FindingFormat.text.render(findings))
        let summary = FindingFormat.summary(findings, fileCount: set.files.count)
        guard findings.contains(where: { $0.isError || strict }) else {
            Terminal.error("\(command): \(summary); warnings do not block (--strict makes them)")
            return
        }
        let blocking = strict ? "findings" : "errors"
        Terminal.error("\(command): nothing done: \(summary); fix the \(blocking), or pass --no-lint to skip the check")
        throw ExitCode(1)
    }
}

/// `--strict`: warnings fail the command too, for teams that want a spotless set.
struct StrictOption: ParsableArguments {
    @Flag(name: .long, help: "Fail on warnings (layout, readability) as well as errors.")
    var strict = false
}
