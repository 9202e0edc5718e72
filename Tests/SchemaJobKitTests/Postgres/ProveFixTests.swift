import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The fix set `test --from` prints: one script, tried on a copy of the upgraded
    /// database before it is called a fix, and true to its label when a user adds it.
    @Suite struct ProveFixTests {
        typealias Prove = ProveCommandTests

        /// The script of the block `test` prints after its findings, and whether it says proven.
        static func fixBlock(_ stdout: String) -> (script: String, file: String, proven: Bool)? {
            let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("-- fix (proven): add this as ") || $0.hasPrefix("-- suggestion (unproven): added as ") }),
                let end = lines.lastIndex(where: { $0 == "-- end of fix" || $0 == "-- end of suggestion" })
            else { return nil }
            let header = lines[start]
            let proven = header.hasPrefix("-- fix (proven)")
            let path = header.drop { $0 != "/" }.prefix { $0 != ";" && $0 != "," }
            let body = lines[(start + 1)..<end].drop { $0.hasPrefix("--     ") }
            return (body.joined(separator: "\n") + "\n", String(path.split(separator: "/").last ?? ""), proven)
        }

        /// The case's `new/` with the printed script added as the file it names.
        static func withFix(_ name: String, _ fix: (script: String, file: String, proven: Bool)) throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-prove-fix")
            let database = directory.path + "/database"
            try Repository.copy("\(Prove.cases)/\(name)/new", to: database)
            try fix.script.write(toFile: "\(database)/schema/\(fix.file)", atomically: true, encoding: .utf8)
            return (directory, database)
        }

        static func findingLines(_ stdout: String) -> [Substring] {
            stdout.split(separator: "\n").prefix { !$0.hasPrefix("-- ") }
        }

        @Test func aRenamedTableKeepsItsOldNamesAndTheProvenFixRenamesThem() throws {
            let result = try Prove.prove("table-renamed")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let fix = try #require(Self.fixBlock(result.stdout), "\(result.stdout)")
            #expect(fix.proven, "\(result.stdout)")
            #expect(fix.file == "002_upgrade_fix.sql")
            #expect(fix.script.contains("ALTER SEQUENCE IF EXISTS tasks_id_seq RENAME TO jobs_id_seq;"), "\(fix.script)")
            #expect(fix.script.contains("ALTER INDEX IF EXISTS tasks_status_idx RENAME TO jobs_status_idx;"))
            #expect(fix.script.contains("ALTER TABLE jobs RENAME CONSTRAINT tasks_pkey TO jobs_pkey;"))
            #expect(fix.script.contains("ALTER TABLE jobs RENAME CONSTRAINT tasks_status_check TO jobs_status_check;"))
            for word in ["DROP", "ADD CONSTRAINT", "SET DEFAULT", "CREATE"] {
                #expect(!fix.script.contains(word), "a rename, not a drop and a create: \(fix.script)")
            }
            #expect(result.stdout.contains("/new/schema/001_tasks.sql:5: error: sequence jobs_id_seq: exists on a fresh install; after the upgrade from \(Prove.cases)/table-renamed/old it is named tasks_id_seq, with the same definition (made by \(Prove.cases)/table-renamed/old/schema/001_tasks.sql:2 of the earlier set)"), "\(result.stdout)")
            #expect(!result.stdout.contains("tasks_pkey: exists after"), "the old name is not a finding of its own")
            #expect(!Self.findingLines(result.stdout).contains { $0.hasPrefix(Prove.cases + "/table-renamed/new:") || $0.hasPrefix(Prove.cases + "/table-renamed/new/schema:") },
                    "every finding has a file and line")
            #expect(Self.findingLines(result.stdout).allSatisfy { $0.firstMatch(of: #/\.sql:\d+: error: /#) != nil }, "\(result.stdout)")
        }

        @Test func aCheckLeftNotValidByTheUpgradeIsFixedByValidatingItInPlace() throws {
            let result = try Prove.prove("check-not-valid")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("/new/schema/001_disks.sql:3: error: constraint disks.disks_size_gb_positive: CHECK ((size_gb > 0)) on a fresh install, CHECK ((size_gb > 0)) NOT VALID after the upgrade from"), "\(result.stdout)")
            let fix = try #require(Self.fixBlock(result.stdout), "\(result.stdout)")
            #expect(fix.proven)
            #expect(fix.script == "ALTER TABLE disks VALIDATE CONSTRAINT disks_size_gb_positive;\n", "\(fix.script)")
        }

        @Test func aTextValueWithLineBreaksStaysOnTheFindingsOneLine() throws {
            let result = try Prove.prove("text-with-newlines")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let findings = Self.findingLines(result.stdout)
            #expect(findings.count == 1, "\(result.stdout)")
            #expect(findings.first?.hasSuffix("[upgrade-differs]") == true, "\(result.stdout)")
            #expect(result.stdout.contains(#"command 'vacuumdb --all --analyze\nreindexdb --all\techo done' on a fresh install, 'vacuumdb --all\nreindexdb --all' after the upgrade"#), "\(result.stdout)")
            let fix = try #require(Self.fixBlock(result.stdout))
            #expect(fix.proven)
            #expect(fix.script == #"UPDATE scheduled_jobs SET command = E'vacuumdb --all --analyze\nreindexdb --all\techo done' WHERE name = 'nightly-vacuum';"# + "\n")
        }

        @Test func aFixThatCannotCloseEveryDifferenceIsPrintedAsAnUnprovenSuggestionNamingWhatItLeaves() throws {
            let result = try Prove.prove("enum-value-dropped")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let fix = try #require(Self.fixBlock(result.stdout), "\(result.stdout)")
            #expect(!fix.proven)
            #expect(!result.stdout.contains("-- fix (proven)"))
            #expect(result.stdout.contains("--     enum value disk_state 'archived': exists after the upgrade with the fix, not on a fresh install"), "\(result.stdout)")
            #expect(fix.script == "ALTER TABLE disks ADD COLUMN IF NOT EXISTS zone text;\n")
        }

        @Test func jsonCarriesEachFindingsPartOfTheFixAndWhetherTheWholeSetWasProven() throws {
            let result = try Prove.prove("check-not-valid", extra: ["--format", "json"])
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            let finding = try #require(parsed.first)
            #expect(finding["fix"] as? String == "ALTER TABLE disks VALIDATE CONSTRAINT disks_size_gb_positive;")
            #expect(finding["fix_proven"] as? Bool == true)
            #expect((finding["fix_path"] as? String)?.hasSuffix("/new/schema/002_upgrade_fix.sql") == true)
        }

        @Test func fixFileWritesTheProvenScriptAsTheNextFileOfADirectory() throws {
            let (directory, database) = try Self.copyOfNew("check-not-valid")
            let result = try Prove.prove("check-not-valid", extra: ["--fix-file", database + "/schema"])
            #expect(result.status == 1, "the upgrade still differs until the file is added: \(result.stderr)")
            let fix = try #require(Self.fixBlock(result.stdout))
            let written = database + "/schema/002_upgrade_fix.sql"
            #expect(result.stderr.contains("test: wrote the proven fix to \(written)\n"), "\(result.stderr)")
            #expect(try String(contentsOfFile: written, encoding: .utf8) == fix.script)
            let again = try SchemaJobExecutable.run(
                ["test", "--database", database, "--from", "\(Prove.cases)/check-not-valid/old", "--dsn", try Prove.dsn()],
                environment: Prove.environment)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            withExtendedLifetime(directory) {}
        }

        @Test func fixFileNamingAFileWritesThereAndAnUnprovenFixOrNoFixWritesNothing() throws {
            let directory = try TemporaryDirectory(prefix: "schemajob-prove-fix-file")
            let named = directory.path + "/renamed.sql"
            let proven = try Prove.prove("table-renamed", extra: ["--fix-file", named])
            #expect(try String(contentsOfFile: named, encoding: .utf8) == Self.fixBlock(proven.stdout)?.script, "\(proven.stderr)")

            let unproven = directory.path + "/enum.sql"
            let suggestion = try Prove.prove("enum-value-dropped", extra: ["--fix-file", unproven])
            #expect(suggestion.stdout.contains("-- suggestion (unproven)"))
            #expect(suggestion.stderr.contains("test: nothing written to \(unproven): the fix is unproven"), "\(suggestion.stderr)")
            #expect(!FileManager.default.fileExists(atPath: unproven))

            let none = directory.path + "/none.sql"
            let equal = try SchemaJobExecutable.run(
                ["test", "--database", "\(Prove.cases)/check-not-valid/old", "--from", "\(Prove.cases)/check-not-valid/old",
                 "--dsn", try Prove.dsn(), "--fix-file", none], environment: Prove.environment)
            #expect(equal.status == 0, "\(equal.stderr)")
            #expect(equal.stderr.contains("test: nothing written to \(none): no upgrade fix"), "\(equal.stderr)")
            #expect(!FileManager.default.fileExists(atPath: none))
        }

        /// The lines of `test`'s stdout that are not about the earlier release keeping running.
        static func withoutPreviousRelease(_ stdout: String) -> [Substring] {
            stdout.split(separator: "\n").filter { line in
                !["[breaks-previous-release]", "[contract-step]", "[contract-breaks-nothing]"].contains { line.hasSuffix($0) }
            }
        }

        /// A copy of the case's `new/`, to write a fix into.
        static func copyOfNew(_ name: String) throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory(prefix: "schemajob-prove-fix")
            try Repository.copy("\(Prove.cases)/\(name)/new", to: directory.path + "/database")
            return (directory, directory.path + "/database")
        }

        static let upgradeCases = ((try? FileManager.default.contentsOfDirectory(atPath: Prove.cases)) ?? []).filter {
            FileManager.default.fileExists(atPath: "\(Prove.cases)/\($0)/old")
        }.sorted()

        /// The property the label promises, checked from outside: the printed script,
        /// added to the set as the file it names, makes `test --from` prove the upgrade
        /// when it says "proven", and leaves a difference when it says "unproven".
        @Test(arguments: upgradeCases)
        func thePrintedFixAddedAsItsFileMakesTheUpgradeEqualAFreshInstallExactlyWhenItSaysProven(_ name: String) throws {
            let result = try Prove.prove(name)
            guard let fix = Self.fixBlock(result.stdout) else {
                // Only a deploy that fails outright, or no difference at all, has no fix set
                // (what the earlier release can no longer use is another check's, with no fix).
                let differences = Self.withoutPreviousRelease(result.stdout)
                #expect(differences.isEmpty || result.stdout.contains("[sql-failed]"), "\(name): \(result.stdout)")
                #expect(!result.stdout.contains("[upgrade-differs]"), "\(name): a difference without a fix set")
                return
            }
            // Every case's differences have a fix PostgreSQL can run, but one: an enum value cannot be dropped.
            #expect(fix.proven == (name != "enum-value-dropped"), "\(name): \(result.stdout)")
            let (directory, database) = try Self.withFix(name, fix)
            // render lints the set and refuses an error: the file must pass as written.
            let fixFile = MigrationFile(phase: .schema, name: fix.file, displayPath: fix.file, text: fix.script)
            let errors = Linter.lint(MigrationSet(directory: database, files: [fixFile])).filter(\.isError)
            #expect(errors.isEmpty, "\(name): \(errors.map(FindingFormat.textLine))\n\(fix.script)")
            let again = try SchemaJobExecutable.run(
                ["test", "--database", database, "--from", "\(Prove.cases)/\(name)/old", "--dsn", try Prove.dsn()],
                environment: Prove.environment)
            if fix.proven {
                // A case whose change (or fix) takes away what the earlier release uses is
                // still told so; the upgrade itself must be proven.
                #expect(Self.withoutPreviousRelease(again.stdout).isEmpty, "\(name): \(fix.script)\n\(again.stdout)\(again.stderr)")
                #expect(again.status == (again.stdout.contains("[breaks-previous-release]") ? 1 : 0), "\(name): \(again.stderr)")
                #expect(again.stderr.contains("equals a fresh install"), "\(name): \(again.stderr)")
            } else {
                #expect(again.status == 1, "\(name): \(again.stdout)\(again.stderr)")
                #expect(again.stdout.contains("[upgrade-differs]"))
            }
            withExtendedLifetime(directory) {}
        }
    }
}
