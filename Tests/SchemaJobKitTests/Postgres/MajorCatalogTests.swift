import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The catalog comparison means the same on every major the suite runs on (15, 17
    /// and 18 in scripts/test): one difference is one finding, and what only a newer
    /// major has (18's NOT ENFORCED, virtual generated columns, WITHOUT OVERLAPS, NOT
    /// NULL … NOT VALID) is compared, fixed and proven on the major that has it.
    @Suite struct MajorCatalogTests {
        typealias Drift = DriftCommandTests

        /// The findings of a drift run, each as `rule object`: what must not depend on the major.
        static func findings(_ stdout: String) -> [String] {
            stdout.split(separator: "\n").compactMap { line in
                guard line.contains(": error: ") || line.contains(": warning: "),
                      let rule = line.firstMatch(of: #/\[([a-z-]+)\]$/#)?.1 else { return nil }
                let object = line.split(separator: ": ").dropFirst(2).first.map(String.init) ?? ""
                return "\(rule) \(object)"
            }.sorted()
        }

        @Test func thePlatformsDriftIsSevenFindingsOnePerMissingColumnOnThisMajor() throws {
            let database = try Drift.drifted()
            let result = try Drift.drift(Drift.platform + "/database", database)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let expected = Drift.sevenColumns.map { "missing-in-live column \($0.0).\($0.1)" }.sorted()
            #expect(Self.findings(result.stdout) == expected, "on \(PostgresServer.installationDescription): \(result.stdout)")
            #expect(!result.stdout.contains("_not_null"), "a NOT NULL is the column's, never a constraint of its own: \(result.stdout)")
        }

        @Test func aDroppedNotNullIsOneFindingAndItsFixSetsItAgain() throws {
            let database = try Drift.deployed()
            try database.sql("ALTER TABLE gpu_types ALTER COLUMN instance_type DROP NOT NULL")
            let (directory, files) = try Drift.copyOfFiles()
            defer { _ = directory }
            let result = try Drift.drift(files, database, extra: ["--fix-file", files + "/schema"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(Self.findings(result.stdout) == ["differs-in-live column gpu_types.instance_type"], "on \(PostgresServer.installationDescription): \(result.stdout)")
            #expect(result.stdout.contains("ALTER TABLE gpu_types ALTER COLUMN instance_type SET NOT NULL;"), "\(result.stdout)")
            #expect(result.stderr.contains("drift: wrote 1 fix to "), "\(result.stderr)")
        }

        /// Whether the server has a PostgreSQL 18 feature: on an older major it must refuse
        /// the feature's SQL, and the caller attempts nothing more.
        static func hasEighteensFeature(_ sql: String) throws -> Bool {
            let major = try PostgresServer.major
            if major >= 18 { return true }
            let scratch = try #require(PostgresServer.current).createDatabase()
            #expect(throws: HarnessError.self, "PostgreSQL \(major) has no such thing: nothing is attempted") {
                try scratch.sql(sql)
            }
            return false
        }

        /// A PostgreSQL 18 feature: the files declare it, the live database lost or
        /// changed it, and drift finds exactly that, writes a fix, and the fix is proven
        /// (deployed, drift finds nothing). On an older major the server refuses the
        /// feature's SQL, so the test attempts nothing else there.
        static func eighteenOnly(
            _ declared: String, live change: String, finding: String, fix: String, setup: String? = nil
        ) throws {
            let server = try #require(PostgresServer.current)
            guard try Self.hasEighteensFeature(declared) else { return }
            let directory = try TemporaryDirectory(prefix: "schemajob-major")
            let files = directory.path + "/database"
            try FileManager.default.createDirectory(atPath: files + "/schema", withIntermediateDirectories: true)
            try Data(declared.utf8).write(to: URL(fileURLWithPath: files + "/schema/001_feature.sql"))
            var extra: [String] = []
            if let setup {
                try Data(setup.utf8).write(to: URL(fileURLWithPath: directory.path + "/setup.sql"))
                extra = ["--setup", directory.path + "/setup.sql"]
            }
            let database = try server.createDatabase()
            let deploy = try Drift.schemajob(["apply", "--database", files, "--dsn", Drift.dsn(database)])
            try #require(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
            #expect(try Drift.drift(files, database, extra: extra).status == 0, "a deploy equals a fresh install")
            try database.sql(change)

            let result = try Drift.drift(files, database, extra: extra + ["--fix-file", files + "/schema"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            // The harness puts its pgmq stand-in in every database; a --setup without it
            // leaves those objects undeclared (warnings), which is the setup's doing.
            let differences = Self.findings(result.stdout).filter { setup == nil || !$0.hasPrefix("undeclared ") || !$0.contains(" pgmq") }
            #expect(differences == [finding], "\(result.stdout)")
            #expect(result.stdout.contains(fix), "\(result.stdout)")
            #expect(result.stderr.contains("drift: wrote 1 fix to "), "\(result.stdout)\(result.stderr)")
            let again = try Drift.schemajob(["apply", "--database", files, "--dsn", Drift.dsn(database)])
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            let after = try Drift.drift(files, database, extra: extra)
            #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        }

        /// The same features through `test --from`: a file that already ran gains the
        /// feature inside its `CREATE TABLE IF NOT EXISTS`, so the upgrade lacks what a fresh
        /// install has; `test --from` finds exactly that one difference, writes the fix,
        /// and with the fix the upgrade equals a fresh install. On an older major the server
        /// refuses the feature's SQL, so the test attempts nothing else there.
        static func eighteenOnlyUpgrade(old: String, new: String, object: String, fix: String) throws {
            guard try Self.hasEighteensFeature(new) else { return }
            let directory = try TemporaryDirectory(prefix: "schemajob-major-upgrade")
            for (state, sql) in [("old", old), ("new", new)] {
                try FileManager.default.createDirectory(atPath: "\(directory.path)/\(state)/schema", withIntermediateDirectories: true)
                try Data(sql.utf8).write(to: URL(fileURLWithPath: "\(directory.path)/\(state)/schema/001_feature.sql"))
            }
            let arguments = ["test", "--database", directory.path + "/new", "--from", directory.path + "/old", "--dsn", try ProveCommandTests.dsn()]
            let result = try SchemaJobExecutable.run(
                arguments + ["--fix-file", directory.path + "/new/schema"], environment: ProveCommandTests.environment)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let differences = result.stdout.split(separator: "\n").filter { $0.hasSuffix("[upgrade-differs]") }
            #expect(differences.count == 1 && differences[0].contains(object), "one difference, \(object), on \(PostgresServer.installationDescription): \(result.stdout)")
            #expect(result.stdout.contains(fix), "\(result.stdout)")
            #expect(result.stderr.contains("test: wrote the proven fix to "), "\(result.stdout)\(result.stderr)")
            let again = try SchemaJobExecutable.run(arguments, environment: ProveCommandTests.environment)
            #expect(again.status == 0, "with the fix the upgrade equals a fresh install: \(again.stdout)\(again.stderr)")
        }

        @Test func aVirtualGeneratedColumnAddedToATableThatRanIsFoundByTestFromAndItsFixIsProvenOn18() throws {
            try Self.eighteenOnlyUpgrade(
                old: "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, price int);\n",
                new: "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, price int,\n    doubled int GENERATED ALWAYS AS (price * 2) VIRTUAL);\n",
                object: "items.doubled",
                fix: "ALTER TABLE items ADD COLUMN IF NOT EXISTS doubled integer GENERATED ALWAYS AS ((price * 2)) VIRTUAL;")
        }

        @Test func aNotEnforcedCheckAddedToATableThatRanIsFoundByTestFromAndItsFixIsProvenOn18() throws {
            try Self.eighteenOnlyUpgrade(
                old: "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, quantity int);\n",
                new: "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, quantity int,\n    CONSTRAINT quantity_positive CHECK (quantity > 0) NOT ENFORCED);\n",
                object: "orders.quantity_positive",
                fix: "CHECK ((quantity > 0)) NOT ENFORCED")
        }

        @Test func aNotEnforcedCheckThatIsEnforcedLiveIsOneFindingAndItsFixIsProvenOn18() throws {
            try Self.eighteenOnly(
                "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, quantity int,\n    CONSTRAINT quantity_positive CHECK (quantity > 0) NOT ENFORCED);\n",
                live: "ALTER TABLE orders DROP CONSTRAINT quantity_positive; ALTER TABLE orders ADD CONSTRAINT quantity_positive CHECK (quantity > 0)",
                finding: "differs-in-live constraint orders.quantity_positive",
                fix: "ALTER TABLE orders ADD CONSTRAINT quantity_positive CHECK ((quantity > 0)) NOT ENFORCED;")
        }

        @Test func aMissingVirtualGeneratedColumnIsOneFindingAndItsFixAddsItVirtualOn18() throws {
            try Self.eighteenOnly(
                "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, price int,\n    doubled int GENERATED ALWAYS AS (price * 2) VIRTUAL);\n",
                live: "ALTER TABLE items DROP COLUMN doubled",
                finding: "missing-in-live column items.doubled",
                fix: "ALTER TABLE items ADD COLUMN IF NOT EXISTS doubled integer GENERATED ALWAYS AS ((price * 2)) VIRTUAL;")
        }

        @Test func aTemporalKeyThatLostWithoutOverlapsIsOneFindingAndItsFixIsProvenOn18() throws {
            try Self.eighteenOnly(
                "CREATE EXTENSION IF NOT EXISTS btree_gist;\nCREATE TABLE IF NOT EXISTS bookings (room int, during tstzrange,\n    CONSTRAINT bookings_pkey PRIMARY KEY (room, during WITHOUT OVERLAPS));\n",
                live: "ALTER TABLE bookings DROP CONSTRAINT bookings_pkey; ALTER TABLE bookings ADD CONSTRAINT bookings_pkey PRIMARY KEY (room, during)",
                finding: "differs-in-live constraint bookings.bookings_pkey",
                fix: "ALTER TABLE bookings ADD CONSTRAINT bookings_pkey PRIMARY KEY (room, during WITHOUT OVERLAPS);",
                // The copy of the live schema creates btree_gist: the scratch database must have it.
                setup: "CREATE EXTENSION IF NOT EXISTS btree_gist;\n")
        }

        @Test func aNotNullNotValidThatIsGoneLiveIsOneFindingOfTheColumnAndItsFixIsProvenOn18() throws {
            try Self.eighteenOnly(
                """
                CREATE TABLE IF NOT EXISTS legacy (id int PRIMARY KEY, code text);
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'legacy_code_not_null' AND conrelid = 'legacy'::regclass) THEN
                        ALTER TABLE legacy ADD CONSTRAINT legacy_code_not_null NOT NULL code NOT VALID;
                    END IF;
                END $$;

                """,
                live: "ALTER TABLE legacy ALTER COLUMN code DROP NOT NULL",
                finding: "differs-in-live column legacy.code",
                fix: "ALTER TABLE legacy ADD CONSTRAINT legacy_code_not_null NOT NULL code NOT VALID;")
        }
    }
}
