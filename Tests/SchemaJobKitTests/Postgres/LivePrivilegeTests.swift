import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// What each live command needs of the role it runs as: the catalogs nothing, rows and
    /// the ledger SELECT, plan's pg_dump a lock on every table. The grants come from
    /// docs/drift-and-plan.md itself, so the page cannot promise what does not work.
    @Suite struct LivePrivilegeTests {
        typealias Drift = DriftCommandTests

        /// The block of docs/drift-and-plan.md headed `-- least privileges: <command>`,
        /// for `role` on `database`.
        static func documentedGrants(_ command: String, role: String, database: String) throws -> String {
            let page = try String(contentsOfFile: Repository.root + "/docs/drift-and-plan.md", encoding: .utf8)
            let start = try #require(page.range(of: "-- least privileges: \(command)\n"), "docs/drift-and-plan.md has no grants for \(command)")
            let end = try #require(page.range(of: "```", range: start.upperBound..<page.endIndex))
            return String(page[start.upperBound..<end.lowerBound])
                .replacingOccurrences(of: "schemajob_reader", with: role)
                .replacingOccurrences(of: "gpudev_app", with: role)
                .replacingOccurrences(of: "DATABASE gpudev ", with: "DATABASE \(database) ")
        }

        /// A login role with the documented grants for `command` and no other right: PUBLIC
        /// may not even connect to the database.
        static func role(for command: String?, on database: TestDatabase) throws -> String {
            let role = "least_\(command ?? "none")_\(database.name.suffix(6))"
            try database.sql("CREATE ROLE \(role) LOGIN PASSWORD '\(database.server.password)'")
            if let command {
                try database.sql("REVOKE CONNECT ON DATABASE \(database.name) FROM PUBLIC")
                try database.sql(try documentedGrants(command, role: role, database: database.name))
            }
            return role
        }

        @Test func driftAsARoleThatMayOnlyConnectComparesTheCatalogsWarnsOncePerUnreadableTableAndExits1() throws {
            let database = try Drift.drifted()
            let role = try Self.role(for: nil, on: database)
            let result = try Drift.drift(Drift.platform + "/database", database, user: role)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.components(separatedBy: "[missing-in-live]").count - 1 == 7, "all seven columns: \(result.stdout)")
            let warning = "drift: warning: rows of gpu_types not compared: grant SELECT on it, or pg_read_all_data\n"
            #expect(result.stderr.components(separatedBy: warning).count - 1 == 1, "once: \(result.stderr)")
            #expect(!result.stdout.contains("[fixture-row]"), "rows it could not read are not missing: \(result.stdout)")
            #expect(result.stderr.contains("drift: the ledger (schemajob.runs) is not readable by this role (grant USAGE ON SCHEMA schemajob and SELECT ON schemajob.runs, or pg_read_all_data)"), "\(result.stderr)")
            #expect(!result.stderr.contains("permission denied"), "\(result.stderr)")
        }

        @Test func driftWithTheDocumentedGrantsReadsTheLedgerAndTheFixtureRows() throws {
            let database = try Drift.drifted()
            try database.sql("DELETE FROM gpu_types WHERE gpu_type = 't4'")
            let role = try Self.role(for: "drift", on: database)
            let result = try Drift.drift(Drift.platform + "/database", database, user: role)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.components(separatedBy: "[missing-in-live]").count - 1 == 7, "\(result.stdout)")
            #expect(result.stdout.contains("error: row gpu_types ('t4'): exists on a fresh install, missing in the live database"), "\(result.stdout)")
            #expect(result.stderr.contains("drift: last migrated with hash "), "\(result.stderr)")
            #expect(!result.stderr.contains("warning"), "\(result.stderr)")
        }

        @Test func planWithTheDocumentedGrantsRunsAndWithoutThemSaysWhatToGrantInOneLine() throws {
            let database = try Drift.deployed()
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            try "CREATE INDEX IF NOT EXISTS idx_disks_in_use ON disks (in_use);\n"
                .write(toFile: files + "/schema/005_disks_in_use.sql", atomically: true, encoding: .utf8)
            let allowed = try Self.role(for: "plan", on: database)
            let plan = try Drift.schemajob(["plan", "--database", files, "--dsn", Drift.dsn(database, user: allowed), "--scratch-dsn", try Drift.scratchDSN()])
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("005_disks_in_use.sql:1: CREATE INDEX IF NOT EXISTS idx_disks_in_use"), "\(plan.stdout)")

            let connectOnly = try Self.role(for: nil, on: database)
            try database.sql("GRANT CONNECT ON DATABASE \(database.name) TO \(connectOnly)")
            let refused = try Drift.schemajob(["plan", "--database", files, "--dsn", Drift.dsn(database, user: connectOnly), "--scratch-dsn", try Drift.scratchDSN()])
            #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("this role may not read ") && refused.stderr.contains("gpu_types"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("pg_dump: error"), "asked before pg_dump runs: \(refused.stderr)")
            #expect(refused.stderr.contains(": grant pg_read_all_data (see docs/drift-and-plan.md, the least privileges)\n"), "\(refused.stderr)")
        }

        @Test func historyAndVerifyWithTheDocumentedGrantsReadTheLedger() throws {
            let database = try Drift.deployed()
            let history = try Self.role(for: "history", on: database)
            let listed = try Drift.schemajob(["history", "--database", Drift.platform + "/database", "--dsn", Drift.dsn(database, user: history)])
            #expect(listed.status == 0, "\(listed.stdout)\(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n")
            #expect(lines.count == 2 && lines[1].hasSuffix(" 5"), "one run of five files (four schema, one fixture): \(listed.stdout)")
            let verify = try Self.role(for: "verify", on: database)
            let verified = try Drift.schemajob(["verify", "--database", Drift.platform + "/database", "--dsn", Drift.dsn(database, user: verify)])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        }

        @Test func applyWithTheDocumentedGrantsMigratesANewDatabaseAndOwnsWhatItMade() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let role = try Self.role(for: "apply", on: database)
            let files = DriftFixPlacementTests.indexed + "/database"
            let applied = try Drift.schemajob(["apply", "--database", files, "--dsn", Drift.dsn(database, user: role)])
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            #expect(try database.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'reservations'") == "\(role)\n")
            let again = try Drift.schemajob(["apply", "--database", files, "--dsn", Drift.dsn(database, user: role)])
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        }
    }
}
