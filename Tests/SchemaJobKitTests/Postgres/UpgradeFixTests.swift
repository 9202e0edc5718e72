import Foundation
@testable import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// What `lint --from` says, tried on real databases: the statements it prints turn a
    /// database made from the old files into what a fresh install of the new files (and
    /// the fix) makes, and the failure it predicts happens.
    @Suite struct UpgradeFixTests {
        static func sets(_ name: String) throws -> (old: MigrationSet, new: MigrationSet) {
            let fixture = Repository.fixtures + "/upgrade/" + name
            return (try DatabaseReader.read(directory: fixture + "/old"), try DatabaseReader.read(directory: fixture + "/new"))
        }

        static func apply(_ set: MigrationSet, to database: TestDatabase) throws {
            for file in set.files {
                _ = try database.server.psql(file: file.displayPath, database: database.name, user: PostgresServer.role)
            }
        }

        /// Columns, constraints and enum labels of the public schema, one line each.
        static func catalog(_ database: TestDatabase) throws -> String {
            try database.sql("""
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '-') || ' ' || is_nullable
                  FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1;
                SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                  FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1;
                SELECT enumtypid::regtype || ' ' || string_agg(enumlabel, ',' ORDER BY enumsortorder)
                  FROM pg_enum GROUP BY enumtypid ORDER BY 1;
                """)
        }

        @Test(arguments: ["disk_column_added", "changed_in_place"])
        func theStatementsItPrintsBringAnUpgradedDatabaseToAFreshInstall(_ name: String) throws {
            let server = try #require(PostgresServer.current)
            let (old, new) = try Self.sets(name)
            let findings = Linter.lint(new, from: old)
            try #require(!findings.isEmpty)
            // Each hint reads "put <statement> in a new schema file…".
            let statements = try findings.map { finding in
                let hint = try #require(finding.hint)
                let end = try #require(hint.range(of: " in a new schema file"))
                return String(hint[hint.index(hint.startIndex, offsetBy: 4)..<end.lowerBound])
            }
            let scratch = try TemporaryDirectory(prefix: "schemajob-upgrade")
            let fixFile = scratch.path + "/upgrade_fix.sql"
            try (statements.joined(separator: "\n") + "\n").write(toFile: fixFile, atomically: true, encoding: .utf8)

            let upgraded = try server.createDatabase()
            try Self.apply(old, to: upgraded)
            try Self.apply(new, to: upgraded)
            #expect(try Self.catalog(upgraded) != Self.catalog(try {
                let fresh = try server.createDatabase()
                try Self.apply(new, to: fresh)
                return fresh
            }()), "without the fix the upgraded database differs")
            // The fix runs on every deploy from now on: twice here, and on the fresh one too.
            for _ in 0..<2 {
                _ = try server.psql(file: fixFile, database: upgraded.name, user: PostgresServer.role)
            }
            let fresh = try server.createDatabase()
            try Self.apply(new, to: fresh)
            _ = try server.psql(file: fixFile, database: fresh.name, user: PostgresServer.role)
            #expect(try Self.catalog(upgraded) == Self.catalog(fresh))
        }

        @Test func theIndexOnTheColumnAddedInPlaceFailsTheNextDeployAsPredicted() throws {
            let server = try #require(PostgresServer.current)
            let (old, new) = try Self.sets("reservation_column_and_index")
            let finding = try #require(Linter.lint(new, from: old).first)
            #expect(finding.message.contains("(line 14) fails the deploy: column \"domain_name\" does not exist"))
            let database = try server.createDatabase()
            try Self.apply(old, to: database)
            let error = try #require(throws: HarnessError.self) { try Self.apply(new, to: database) }
            #expect(error.description.contains("002_reservations.sql:14: ERROR:  column \"domain_name\" does not exist"), "\(error)")
        }
    }
}
