import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// Where drift's fix goes is decided by the proof: the platform's real shape, where
    /// the file that declares a column inside `CREATE TABLE IF NOT EXISTS` also indexes
    /// and comments it, so on a table the API's start-up code made first the CREATE TABLE
    /// does nothing and the file's own index fails before a fix numbered last could run.
    @Suite struct DriftFixPlacementTests {
        static let indexed = Repository.fixtures + "/drift/indexed"
        /// The columns an index or a comment in their own file needs: they must go first.
        static let neededFirst = [
            ("reservations", "domain_name"), ("reservations", "fqdn"), ("reservations", "node_private_ip"),
            ("disks", "delete_date"), ("disks", "operation_id"),
        ]
        /// The columns nothing in the files names again: their fix stays last.
        static let last = [
            ("reservations", "ebs_availability_zone"), ("reservations", "alb_config"), ("reservations", "preserve_entrypoint"),
            ("disks", "disk_size"), ("disks", "is_deleted"), ("disks", "operation_status"),
        ]

        /// The live database as it came to be: the start-up code's tables, then the first
        /// state of the files deployed through the Job.
        static func production() throws -> TestDatabase {
            let database = try #require(PostgresServer.current).createDatabase()
            _ = try database.server.psql(file: indexed + "/start-up/schema/001_old_start_up.sql", database: database.name, user: PostgresServer.role)
            let deploy = try DriftCommandTests.schemajob(["apply", "--database", indexed + "/first", "--dsn", DriftCommandTests.dsn(database)])
            try #require(deploy.status == 0, "the first deploy through the Job: \(deploy.stdout)\(deploy.stderr)")
            return database
        }

        @Test func indexesOnNewColumnsInTheirOwnFilesMoveThoseColumnsFirstUntilTheFixIsProvenAndTheNextDeploySucceeds() throws {
            let database = try Self.production()
            let directory = try TemporaryDirectory(prefix: "schemajob-drift")
            let files = directory.path + "/database"
            try Repository.copy(Self.indexed + "/database", to: files)

            let failing = try DriftCommandTests.schemajob(["apply", "--database", files, "--dsn", DriftCommandTests.dsn(database)])
            #expect(failing.status == 1, "without a fix the next deploy fails on the index: \(failing.stderr)")
            #expect(failing.stderr.contains("column \"domain_name\" does not exist"), "\(failing.stderr)")

            let result = try DriftCommandTests.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            // Eleven columns, the five indexes on them and domain_mappings: the first deploy had none.
            #expect(result.stdout.components(separatedBy: "[missing-in-live]").count - 1 == 17, "\(result.stdout)")
            #expect(result.stdout.contains("-- fix (proven): add these as \(files)/schema/000_fix_drift_first.sql and \(files)/schema/004_fix_drift.sql"), "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("drift: wrote 5 fixes to \(files)/schema/000_fix_drift_first.sql"), "\(result.stderr)")
            #expect(result.stderr.contains("drift: wrote 6 fixes to \(files)/schema/004_fix_drift.sql"), "\(result.stderr)")
            // One round per statement the copy failed on (three indexes in 001, two in 002), then the proof.
            #expect(result.stderr.contains(", 6 rounds (5 columns moved to the file that sorts first): proven"), "\(result.stderr)")
            #expect(result.stderr.contains("drift: column reservations.fqdn must exist before \(files)/schema/001_reservations.sql:30 runs"), "\(result.stderr)")
            #expect(result.stderr.contains("drift: column disks.delete_date must exist before \(files)/schema/002_disks.sql:20 runs"), "\(result.stderr)")

            let first = try String(contentsOfFile: files + "/schema/000_fix_drift_first.sql", encoding: .utf8)
            let lastFile = try String(contentsOfFile: files + "/schema/004_fix_drift.sql", encoding: .utf8)
            for (table, column) in Self.neededFirst {
                #expect(first.contains("ALTER TABLE IF EXISTS \(table) ADD COLUMN IF NOT EXISTS \(column) "), "\(column): \(first)")
                #expect(!lastFile.contains(" \(column) "), "each fix is written once: \(column)")
            }
            #expect(first.contains("-- reservations.fqdn: 001_reservations.sql:30 needs it\n"), "\(first)")
            for (table, column) in Self.last {
                #expect(lastFile.contains("ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(column) "), "\(column): \(lastFile)")
                #expect(!first.contains(" \(column) "), "\(column)")
            }
            let lint = try DriftCommandTests.schemajob(["lint", "--strict", "--database", files])
            #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")

            let deploy = try DriftCommandTests.schemajob(["apply", "--database", files, "--dsn", DriftCommandTests.dsn(database)])
            #expect(deploy.status == 0, "the next deploy through the Job, with the fix: \(deploy.stdout)\(deploy.stderr)")
            let after = try DriftCommandTests.drift(files, database)
            #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
            #expect(after.stderr.contains("drift: none: the live database equals a fresh install of the files"), "\(after.stderr)")
        }
    }
}
