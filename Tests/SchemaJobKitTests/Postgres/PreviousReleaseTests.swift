import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// `schemajob test --from REV`: the release built for REV keeps running on the
    /// upgraded database, decided by the catalogs (Fixtures/prove/previous-release-*).
    @Suite struct PreviousReleaseTests {
        static let breaks = "\(ProveCommandTests.cases)/previous-release-breaks/new/schema/002_breaks.sql"

        @Test func eachWayOfBreakingThePreviousReleaseIsAnErrorAtTheStatementThatBrokeIt() throws {
            let result = try ProveCommandTests.prove("previous-release-breaks")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let expected: [(line: Int, object: String, words: String)] = [
                (2, "column accounts.legacy_code", "dropped or renamed"),
                (4, "column accounts.nickname", "dropped or renamed"),
                (12, "column accounts.note", "type text became integer, which is not a widening"),
                (14, "column accounts.score", "made NOT NULL"),
                (16, "column accounts.region", "added NOT NULL without a default"),
                (18, "table sessions", "dropped or renamed"),
                (20, "table audit_log", "dropped or renamed"),
                (23, "enum value account_state 'frozen'", "removed (or renamed)"),
                (31, "function account_label(account_id bigint)", "its signature changed (now account_label(account_id bigint, fallback text))"),
                (35, "view account_names", "column handle is gone"),
                (38, "sequence invoice_numbers", "type bigint became integer"),
            ]
            let lines = result.stdout.split(separator: "\n").filter { $0.hasSuffix("[breaks-previous-release]") }
            #expect(lines.count == expected.count, "\(result.stdout)")
            for item in expected {
                let prefix = "\(Self.breaks):\(item.line): error: \(item.object): \(item.words)"
                #expect(lines.contains { $0.hasPrefix(prefix) }, "\(prefix)\n\(result.stdout)")
            }
            #expect(!result.stdout.contains("[upgrade-differs]"), "the fixture upgrades to a fresh install: \(result.stdout)")
            #expect(!result.stdout.contains("[not-idempotent]"), "\(result.stdout)")
        }

        @Test func wideningsAndAdditionsKeepThePreviousReleaseRunning() throws {
            let result = try ProveCommandTests.prove("previous-release-widenings")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty, "\(result.stdout)")
            #expect(result.stderr.contains("keeps running on the upgraded database (its tables, columns"), "\(result.stderr)")
        }

        @Test func aContractStepIsAWarningWithItsReasonAndAMarkerThatBreaksNothingIsAWarning() throws {
            let result = try ProveCommandTests.prove("previous-release-contract")
            #expect(result.status == 0, "warnings only: \(result.stdout)\(result.stderr)")
            let file = "\(ProveCommandTests.cases)/previous-release-contract/new/schema/002_contract.sql"
            #expect(result.stdout.contains("\(file):4: warning: column accounts.legacy_code: dropped or renamed: the previous release still uses it (the release for "), "\(result.stdout)")
            #expect(result.stdout.contains("marked as a contract step: the API stopped reading accounts.legacy_code in release 1.8 [contract-step]"), "\(result.stdout)")
            #expect(result.stdout.contains("\(file):6:1: warning: statement at line 7: -- schemajob:contract marks a statement that breaks nothing"), "\(result.stdout)")
            #expect(result.stdout.contains("(the handle index is new); move the marker to the statement that does, or remove it [contract-breaks-nothing]"))
            #expect(result.stderr.contains("test: proven: "), "\(result.stderr)")
            #expect(result.stderr.contains("but for the contract steps marked ("), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("equals a fresh install (2 warnings)\n"), "\(result.stderr)")
        }

        @Test func aContractMarkerWithoutAReasonIsBadInput() throws {
            let (root, database) = try LintCommandTests.copyOfTheDatabase()
            defer { try? FileManager.default.removeItem(at: root) }
            try CheckFixtures.write(
                "-- schemajob:contract\nALTER TABLE api_users DROP COLUMN IF EXISTS username;\n",
                to: URL(fileURLWithPath: database + "/schema/099_contract.sql"))
            let result = try SchemaJobExecutable.run(
                ["test", "--database", database, "--dsn", try ProveCommandTests.dsn()], environment: ProveCommandTests.environment)
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.hasPrefix("\(database)/schema/099_contract.sql:1:1: error: -- schemajob:contract needs a reason"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
    }
}
