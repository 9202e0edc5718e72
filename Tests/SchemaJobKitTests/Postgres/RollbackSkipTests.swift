import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The Job skips a hash only while it is the ledger's newest run: a deploy of set A,
    /// then B, then A again (a rollback), then B again (the roll forward) leaves B's
    /// function bodies, defaults, view and fixture rows, not A's. Run twice: through the
    /// rendered Job's containers, and through `schemajob apply`.
    @Suite struct RollbackSkipTests {
        static let cases = Repository.fixtures + "/rollback/puts-back"
        /// A, the release a rollback returns to; B, the release after it.
        static let setA = cases + "/old", setB = cases + "/new"

        /// What B leaves, and A would put back: the body, the default, the view's filter, a row.
        static func expectBsState(_ database: TestDatabase, after step: String) throws {
            #expect(try database.sql("SELECT gpu_capacity(16)") == "8\n", "B's function body \(step)")
            #expect(try database.sql("""
                SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
                 WHERE adrelid = 'gpu_types'::regclass AND adnum = (SELECT attnum FROM pg_attribute
                       WHERE attrelid = 'gpu_types'::regclass AND attname = 'queue_priority')
                """) == "5\n", "B's default \(step)")
            #expect(try database.sql("SELECT string_agg(gpu_type, ',' ORDER BY gpu_type) FROM offered_gpu_types") == "a100,h100,t4\n",
                    "B's view \(step)")
            #expect(try database.sql("SELECT max_gpus FROM gpu_types WHERE gpu_type = 't4'") == "2\n", "B's fixture row \(step)")
        }

        static func expectAsState(_ database: TestDatabase, after step: String) throws {
            #expect(try database.sql("SELECT gpu_capacity(16)") == "4\n", "A's function body \(step)")
            #expect(try database.sql("SELECT max_gpus FROM gpu_types WHERE gpu_type = 't4'") == "4\n", "A's fixture row \(step)")
        }

        static func hash(_ directory: String) throws -> String {
            try SchemaJobExecutable.run(["hash", "--database", directory]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        @Test func theJobAppliesAHashAgainWhenAnotherSetRanAfterItAndSkipsItWhileItIsTheNewest() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let jobA = try RenderedForTest(database, databaseDirectory: Self.setA)
            let jobB = try RenderedForTest(database, databaseDirectory: Self.setB)
            let (a, b) = (jobA.plan.shortHash, jobB.plan.shortHash)
            try #require(jobA.plan.hash != jobB.plan.hash)

            try await jobA.migrate()
            let deploy = try await jobB.migrate()
            #expect(!deploy.output.contains("applying it again"), "B never ran here: \(deploy.output)")
            try Self.expectBsState(database, after: "the deploy of B")

            let rollback = try await jobA.migrate()
            #expect(rollback.output.contains(
                "Schema \(a): set \(b) (run 2, finished "), "\(rollback.output)")
            #expect(rollback.output.contains(
                ") ran after its last run (run 1, finished "), "\(rollback.output)")
            #expect(rollback.output.contains("so the database holds that set now: applying it again.\n"), "\(rollback.output)")
            #expect(rollback.output.contains("Migration completed successfully!"))
            try Self.expectAsState(database, after: "the rollback to A")
            // The gate's meaning is unchanged: B's pods still start, B having committed once.
            let gateB = try await jobB.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"])
            #expect(gateB.exitCode == 0, "\(gateB.output)")

            let rollForward = try await jobB.migrate()
            #expect(rollForward.output.contains("Schema \(b): set \(a) (run 3, finished "), "\(rollForward.output)")
            #expect(rollForward.output.contains(") ran after its last run (run 2, finished "), "\(rollForward.output)")
            try Self.expectBsState(database, after: "the roll forward to B")

            let again = try await jobB.migrate()
            #expect(again.output.contains("Schema \(b) is already applied (run 4, finished "), "\(again.output)")
            #expect(!again.output.contains("Applying schema files"), "B is the newest run: skipped")
            #expect(try database.rows("SELECT hash FROM schemajob.runs ORDER BY run_id").map { $0[0] }
                == [jobA.plan.hash, jobB.plan.hash, jobA.plan.hash, jobB.plan.hash])
        }

        @Test func applyRollsBackAndForwardTheSameWayAndHistoryShowsTheFourRuns() throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let environment = ApplyVerifyCommandTests.environment(ApplyVerifyCommandTests.libpqVariables(database))
            let (hashA, hashB) = (try Self.hash(Self.setA), try Self.hash(Self.setB))
            var outputs: [String] = []
            for directory in [Self.setA, Self.setB, Self.setA, Self.setB] {
                let apply = try SchemaJobExecutable.run(["apply", "--database", directory], environment: environment)
                try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
                #expect(apply.stdout.contains("Migration completed successfully!"), "\(apply.stdout)")
                outputs.append(apply.stdout)
            }
            #expect(outputs[2].contains("Schema \(hashA.prefix(10)): set \(hashB.prefix(10)) (run 2, finished "), "\(outputs[2])")
            #expect(outputs[3].contains("Schema \(hashB.prefix(10)): set \(hashA.prefix(10)) (run 3, finished "), "\(outputs[3])")
            try Self.expectBsState(database, after: "apply of A, B, A, B")

            let history = try SchemaJobExecutable.run(["history", "--database", Self.setB, "--format", "json"], environment: environment)
            #expect(history.status == 0, "\(history.stderr)")
            let runs = try JSONDecoder().decode([Ledger.Run].self, from: Data(history.stdout.utf8))
            #expect(runs.map(\.hash) == [hashB, hashA, hashB, hashA], "newest first")
            #expect(runs.map(\.runID) == [4, 3, 2, 1])
            let text = try SchemaJobExecutable.run(["history", "--database", Self.setB], environment: environment)
            #expect(text.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(10)) }
                == [hashB, hashA, hashB, hashA].map { String($0.prefix(10)) }, "\(text.stdout)")

            let skipped = try SchemaJobExecutable.run(["apply", "--database", Self.setB], environment: environment)
            #expect(skipped.status == 0)
            #expect(skipped.stdout.contains("Schema \(hashB.prefix(10)) is already applied (run 4, "), "\(skipped.stdout)")
        }
    }
}
