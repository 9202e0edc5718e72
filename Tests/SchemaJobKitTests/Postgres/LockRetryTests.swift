import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// A deploy while the API holds a table: what the Job waits for, how long, and what
    /// every other query on that table would have queued behind.
    @Suite struct LockRetryTests {
        static let addedColumn = "ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS rack_label text;\n"

        static func databaseWith010() throws -> (TemporaryDirectory, String) {
            try NoTransactionFileTests.databaseWith010(addedColumn, named: "010_gpu_types_rack_label.sql")
        }

        /// A database the bundled files migrated, the Job of those files and 010 (a new hash
        /// whose ALTER TABLE waits for gpu_types), and an API session holding gpu_types. The
        /// directory holds the files: keep it until the Job has run.
        static func newHashBehindAHeldTable() async throws
            -> (database: TestDatabase, job: RenderedForTest, holder: TableHolder, directory: TemporaryDirectory) {
            let database = try #require(PostgresServer.current).createDatabase()
            try await RenderedForTest(database).migrate()
            let (directory, copy) = try Self.databaseWith010()
            let job = try RenderedForTest(database, databaseDirectory: copy)
            return (database, job, try TableHolder(database, holding: "gpu_types"), directory)
        }

        static func waitersOn(_ table: String, in database: TestDatabase) throws -> String {
            // Only this database's locks: the server is shared by tests running side by side.
            try database.sql("SELECT count(*) FROM pg_locks WHERE relation = '\(table)'::regclass AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        }

        /// Waits on the server (at most 60 s) until `count` different sessions have waited for
        /// a lock on `table` in this database (each attempt of the migration is a new session),
        /// and returns how many it saw.
        static func waitForAttempts(_ count: Int, on table: String, in database: TestDatabase) throws -> String {
            try database.sql("""
                CREATE TEMP TABLE seen (pid int PRIMARY KEY);
                DO $$
                DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
                BEGIN
                    WHILE (SELECT count(*) FROM seen) < \(count) AND clock_timestamp() < deadline LOOP
                        INSERT INTO seen SELECT pid FROM pg_locks
                         WHERE relation = '\(table)'::regclass AND NOT granted
                           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        ON CONFLICT DO NOTHING;
                        PERFORM pg_sleep(0.01);
                    END LOOP;
                END $$;
                SELECT count(*) FROM seen;
                """)
        }

        @Test func aSameHashRunBehindAHeldTableExitsAtOnceAndQueuesNothingOnIt() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            try await job.migrate()
            let holder = try TableHolder(database, holding: "gpu_types")
            defer { holder.end() }

            let again = try await job.run("migrate")
            #expect(again.exitCode == 0, "\(again.output)")
            #expect(again.output.contains("Schema \(job.plan.shortHash) is already applied"), "\(again.output)")
            #expect(!again.output.contains("attempt"), "it should not have waited for any lock: \(again.output)")
            // Without the ledger check it would retry for SCHEMAJOB_LOCK_RETRY_SECONDS (30 s)
            // and exit 75; the bound is far from both, so a loaded machine does not trip it.
            #expect(again.duration < .seconds(20))
            #expect(try Self.waitersOn("gpu_types", in: database) == "0\n")
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs") == "1\n")
        }

        @Test func aNewHashBehindAHeldTableRetriesNamesTheTableAndCommitsOnceTheHolderEnds() async throws {
            let (database, job, holder, directory) = try await Self.newHashBehindAHeldTable()

            // On a thread started now: a child task could wait for a free thread of the
            // small shared pool while the holder is still there, and see nothing to retry.
            let migrate = StartedRun { try job.pods.run("migrate", of: "Job", timeout: .seconds(180)) }
            // The holder stays until two attempts have waited for the table, however slowly a
            // loaded machine starts the first one (a fixed sleep let it end before attempt 2).
            #expect(try Self.waitForAttempts(2, on: "gpu_types", in: database) == "2\n")
            // Between attempts nothing waits on the table: the API's queries go through.
            #expect(try database.sql("SET lock_timeout = '2s'; SELECT count(*) FROM gpu_types") == "10\n")
            holder.end()
            let result = try await migrate.result()

            #expect(result.exitCode == 0, "\(result.output)")
            #expect(result.output.contains(
                "schemajob: attempt 1 waited 100 ms for gpu_types (AccessExclusiveLock), held by pid \(holder.pid) (idle in transaction"),
                "\(result.output)")
            #expect(result.output.contains("(at 004_gpu_types.sql:"), "\(result.output)")
            #expect(result.output.contains("schemajob: attempt 2 waited 200 ms for gpu_types"), "\(result.output)")
            #expect(result.output.contains("Migration completed successfully!"))
            #expect(result.output.contains("schemajob: committed at attempt "))
            // The client comparisons set retried attempts aside with LockRetries: on this
            // real log it finds each one, and leaves the attempt that committed.
            let retries = LockRetries(in: result.output)
            #expect(retries.count >= 2, "\(result.output)")
            #expect(!retries.finished.contains("waited") && !retries.finished.contains("attempt"), "\(retries.finished)")
            #expect(retries.finished.components(separatedBy: "Applying schema files...").count == 2, "\(retries.finished)")
            #expect(retries.finished.contains("Migration completed successfully!"), "\(retries.finished)")
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "1\n")
            #expect(try database.sql("SELECT to_regclass('gpu_types') IS NOT NULL AND EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'gpu_types' AND column_name = 'rack_label')") == "t\n")
            withExtendedLifetime(directory) {}
        }

        /// A wait on less than a whole table is said as what it is: the fixture's UPDATE of
        /// a row that an open API transaction changed waits for that transaction's end; with
        /// another session already queued for the row, it waits for the row itself.
        @Test func aRowHeldByAnotherTransactionIsNamedAsARowAndNotAsTheWholeTable() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let (directory, copy) = try NoTransactionFileTests.databaseWith010(
                "CREATE TABLE IF NOT EXISTS counters (name text PRIMARY KEY, value int NOT NULL);\n",
                named: "010_counters.sql")
            let fixture = copy + "/fixtures/002_counters.sql"
            func setFixture(_ value: Int) throws {
                // Not ON CONFLICT: its check of the key would wait for the writer's end too.
                try "INSERT INTO counters SELECT 'deploys', 0 WHERE NOT EXISTS (SELECT FROM counters WHERE name = 'deploys');\nUPDATE counters SET value = \(value) WHERE name = 'deploys';\n"
                    .write(toFile: fixture, atomically: true, encoding: .utf8)
            }
            try setFixture(1)
            try await RenderedForTest(database, databaseDirectory: copy).migrate()
            try setFixture(2)
            let job = try RenderedForTest(database, databaseDirectory: copy)
            let spend = ["SCHEMAJOB_LOCK_RETRY_SECONDS": "2"]
            let update = "UPDATE counters SET value = 3 WHERE name = 'deploys'"

            let writer = try TableHolder(database, holding: "counters", with: update, as: "api-writer")
            defer { writer.end() }
            let behindTheWriter = try await job.run("migrate", environment: spend)
            #expect(behindTheWriter.exitCode == 75, "\(behindTheWriter.output)")
            #expect(behindTheWriter.output.contains(
                "schemajob: attempt 1 waited 100 ms for the end of a transaction that wrote the same rows (ShareLock), held by pid \(writer.pid) (idle in transaction"),
                "\(behindTheWriter.output)")

            let queued = try TableHolder(database, holding: "counters", with: update, as: "api-queued")
            defer { queued.end() }
            #expect(try database.sql("""
                DO $$ BEGIN
                    FOR i IN 1..3000 LOOP
                        EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'api-queued'
                                             AND datname = current_database() AND wait_event_type = 'Lock');
                        PERFORM pg_sleep(0.01);
                    END LOOP;
                END $$;
                SELECT wait_event FROM pg_stat_activity WHERE application_name = 'api-queued' AND datname = current_database();
                """) == "transactionid\n", "the queued session waits for the writer")
            let behindTheQueue = try await job.run("migrate", environment: spend)
            #expect(behindTheQueue.exitCode == 75, "\(behindTheQueue.output)")
            #expect(behindTheQueue.output.contains(
                "schemajob: attempt 1 waited 100 ms for a row of counters (ExclusiveLock), held by pid \(queued.pid) (active"),
                "\(behindTheQueue.output)")
            writer.end()
            queued.end()
            #expect(try database.sql("SELECT value FROM counters") == "3\n", "the Job committed nothing")
            withExtendedLifetime(directory) {}
        }

        @Test func aSpentRetryScheduleExits75WithNothingCommitted() async throws {
            let (database, job, holder, directory) = try await Self.newHashBehindAHeldTable()
            defer { holder.end() }
            let before = try database.schemaDump() + database.dataDump()

            // A budget of 6 s leaves room for a second attempt even where the first one takes
            // seconds to reach the held table (a loaded machine).
            let result = try await job.run(
                "migrate", environment: ["SCHEMAJOB_LOCK_RETRY_SECONDS": "6", "SCHEMAJOB_LOCK_TIMEOUT_MS": "150"])
            #expect(result.exitCode == 75, "\(result.output)")
            #expect(!(try job.job.exitCodes(for: "FailJob", container: "migrate").contains(75)))
            #expect(result.output.contains("attempt 2 waited 150 ms for gpu_types (AccessExclusiveLock)"), "\(result.output)")
            #expect(result.output.contains("SCHEMAJOB_LOCK_RETRY_SECONDS spent; nothing was committed; exiting 75"), "\(result.output)")
            #expect(result.duration < .seconds(30))
            #expect(try database.schemaDump() + database.dataDump() == before)
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "0\n")
            #expect(try Self.waitersOn("gpu_types", in: database) == "0\n")
            withExtendedLifetime(directory) {}
        }

        @Test func everyAttemptWaitsForItsOwnLockWatcherEvenWhenItStartsSlowly() async throws {
            let (database, job, holder, directory) = try await Self.newHashBehindAHeldTable()
            defer { holder.end() }
            // Each watcher takes half a second more to start than its attempt's lock wait
            // lasts: an attempt that went on without it (the notes of the one before taken
            // for its own) would time out unseen and name no table.
            let starts = try PsqlStarts(slowScript: "lock-waits.psql")
            var environment = starts.environment
            environment["SCHEMAJOB_LOCK_RETRY_SECONDS"] = "6"
            let result = try await job.run("migrate", environment: environment)
            #expect(result.exitCode == 75, "\(result.output)")
            let attempts = result.output.split(separator: "\n").filter { $0.hasPrefix("schemajob: attempt ") }
            #expect(attempts.count >= 2, "\(result.output)")
            for line in attempts {
                #expect(line.contains(" ms for gpu_types (AccessExclusiveLock), held by pid \(holder.pid)"), "\(result.output)")
            }
            withExtendedLifetime(directory) {}
        }

        /// Debian's `psql` is a Perl wrapper (30 to 40 ms of CPU a start, beside the
        /// migration): the watcher runs the binary it chose for the attempt's session, and
        /// still names what the attempt waited for.
        @Test func whereDebiansWrapperIsPsqlTheWatcherRunsTheBinaryItChoseForTheSession() async throws {
            let (_, job, holder, directory) = try await Self.newHashBehindAHeldTable()
            defer { holder.end() }
            let starts = try PsqlStarts(asDebiansWrapper: true)
            var environment = starts.environment
            environment["SCHEMAJOB_LOCK_RETRY_SECONDS"] = "2"
            let result = try await job.run("migrate", environment: environment)
            #expect(result.exitCode == 75, "\(result.output)")
            let attempts = result.output.split(separator: "\n").filter { $0.hasPrefix("schemajob: attempt ") }
            #expect(!attempts.isEmpty, "\(result.output)")
            for line in attempts {
                #expect(line.contains(" ms for gpu_types (AccessExclusiveLock), held by pid \(holder.pid)"), "\(result.output)")
            }
            let scripts = try starts.scripts()
            #expect(!scripts.isEmpty && scripts.allSatisfy { $0 == "migration.psql" }, "no watcher through the wrapper: \(scripts)")
            withExtendedLifetime(directory) {}
        }

        @Test func theGateAnswersAtOnceWhileAMigrationHoldsAnApplicationTable() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            try await job.migrate()
            let holder = try TableHolder(database, holding: "gpu_types", mode: "ACCESS EXCLUSIVE")
            defer { holder.end() }
            let gate = try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(gate.exitCode == 0, "\(gate.output)")
            #expect(gate.duration < .seconds(5), "the gate reads the catalog, not the tables")
        }

        @Test func theGateWaitsAtMostASecondForTheLedgerAndSaysWhy() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            try await job.migrate()
            let holder = try TableHolder(database, holding: "schemajob.runs", mode: "ACCESS EXCLUSIVE")
            defer { holder.end() }
            let gate = try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(gate.exitCode == 1, "\(gate.output)")
            #expect(gate.output.contains("canceling statement due to lock timeout"), "\(gate.output)")
            holder.end()
            let again = try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"], timeout: .seconds(60))
            #expect(again.exitCode == 0, "\(again.output)")
        }
    }
}

/// Work started on a thread of its own at once; `result()` waits for it.
final class StartedRun<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<T, any Error>?

    init(_ work: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            outcome = Result { try work() }
            done.signal()
        }.start()
    }

    func result() async throws -> T {
        try await onThread { [self] in
            done.wait()
            return try outcome!.get()
        }
    }
}

/// Another session holding a table the way an API transaction does: `BEGIN; SELECT * FROM
/// <table>;` and nothing more, until `end()` commits it. Its ACCESS SHARE lock conflicts only
/// with ACCESS EXCLUSIVE, which is what ALTER TABLE and DROP/CREATE TRIGGER ask for.
final class TableHolder: Sendable {
    let process: Process
    let input: FileHandle
    let pid: String

    /// `mode` nil reads the table (ACCESS SHARE); otherwise `LOCK TABLE … IN <mode> MODE`.
    /// A `statement` runs instead of either (its lock on `table` is how the session is
    /// found), in a session named `application`.
    init(_ database: TestDatabase, holding table: String, mode: String? = nil,
         with statement: String? = nil, as application: String = "api-holder") throws {
        let server = database.server
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server.binaries + "/psql")
        process.arguments = [
            "--no-psqlrc", "--quiet", "--host=\(server.socketDirectory)", "--port=\(server.port)",
            // The API's role, as in the cluster: the Job sees its own role's sessions in full.
            "--username=\(PostgresServer.role)", "--dbname=\(database.name)",
        ]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.input = input.fileHandleForWriting
        let hold = statement ?? mode.map { "LOCK TABLE \(table) IN \($0) MODE" } ?? "SELECT * FROM \(table)"
        self.input.write(Data("SET application_name = '\(application)'; BEGIN; \(hold);\n".utf8))
        var pid = ""
        for _ in 0..<100 {
            // DISTINCT: a lock on one of the table's rows names the table too.
            pid = try database.sql("""
                SELECT DISTINCT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.granted
                 WHERE a.application_name = '\(application)' AND a.datname = current_database()
                   AND l.relation = '\(table)'::regclass
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            if !pid.isEmpty { break }
            usleep(50_000)
        }
        guard !pid.isEmpty else { throw HarnessError("the holder's session never held \(table)") }
        self.pid = pid
    }

    /// Commits the holder's transaction and ends its session; safe to call twice.
    func end() {
        guard process.isRunning else { return }
        try? input.write(contentsOf: Data("COMMIT;\n\\q\n".utf8))
        try? input.close()
        process.waitUntilExit()
    }
}
