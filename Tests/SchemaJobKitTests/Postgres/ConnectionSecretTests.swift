import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// A password in `--dsn` never reaches an argument list (where `ps` shows it to every
    /// user of the machine) or any output, whether the connection works or fails.
    @Suite struct ConnectionSecretTests {
        static func environment() -> [String: String] {
            ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        }

        /// The harness's password is random per server ("pw-" and 8 hex digits), so any
        /// occurrence of it in output is a leak.
        static func expectNoPassword(_ result: SchemaJobExecutable.Result, _ password: String, _ what: String) {
            #expect(!result.stdout.contains(password), "\(what): stdout shows the password:\n\(result.stdout)")
            #expect(!result.stderr.contains(password), "\(what): stderr shows the password:\n\(result.stderr)")
        }

        /// Both forms libpq takes; apply, then verify, with the password only in the string.
        @Test(arguments: ["URI", "keyword=value"])
        func aWorkingConnectionStringNeverShowsItsPasswordAndTheLogNamesTheServerUsed(_ form: String) throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let server = database.server
            let dsn = form == "URI"
                ? "postgresql://\(PostgresServer.role):\(server.password)@127.0.0.1:\(server.port)/\(database.name)?sslmode=disable"
                : "host=127.0.0.1 port=\(server.port) dbname='\(database.name)' user=\(PostgresServer.role) password='\(server.password)'"
            let apply = try SchemaJobExecutable.run(["apply", "--dsn", dsn], environment: Self.environment())
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.hasPrefix("PostgreSQL at 127.0.0.1:\(server.port) is ready.\n"), "\(apply.stdout)")
            Self.expectNoPassword(apply, server.password, "apply")
            let verify = try SchemaJobExecutable.run(["verify", "--dsn", dsn], environment: Self.environment())
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            Self.expectNoPassword(verify, server.password, "verify")
        }

        @Test(arguments: [
            "wrong port, URI", "wrong port, keyword=value", "wrong password", "bad port text", "malformed string",
            "unsupported parameter",
        ])
        func aFailingConnectionNeverPrintsThePassword(_ failure: String) throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let server = database.server
            let password = server.password
            let closedPort = try PostgresServer.freePort()
            let dsn = switch failure {
            case "wrong port, URI": "postgresql://gpudev:\(password)@127.0.0.1:\(closedPort)/\(database.name)"
            case "wrong port, keyword=value": "host=127.0.0.1 port=\(closedPort) user=gpudev password=\(password)"
            case "wrong password": "postgresql://gpudev:\(password)x@127.0.0.1:\(server.port)/\(database.name)"
            case "bad port text": "postgresql://gpudev:\(password)@127.0.0.1:notaport/\(database.name)"
            case "malformed string": "host=127.0.0.1 password=\(password) dangling"
            default: "postgresql://gpudev:\(password)@127.0.0.1/\(database.name)?keepalives=\(password)"
            }
            for command in ["apply", "verify"] {
                let arguments = command == "apply" ? ["apply", "--wait", "1", "--dsn", dsn] : ["verify", "--dsn", dsn]
                let result = try SchemaJobExecutable.run(arguments, environment: Self.environment())
                #expect(result.status == 2, "\(command): \(result.stdout)\(result.stderr)")
                #expect(!result.stderr.isEmpty, "\(command) says why it failed")
                Self.expectNoPassword(result, password, "\(command) with \(failure)")
            }
        }

        /// While psql waits for the migration lock (held here by another session), every
        /// process's argument list is read from /proc: none holds the password.
        @Test func theRunningPsqlHasNoPasswordInItsArguments() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let server = database.server
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: server.binaries + "/psql")
            holder.arguments = [
                "--no-psqlrc", "--quiet", "--host=\(server.socketDirectory)", "--port=\(server.port)", "--username=postgres",
                "--dbname=\(database.name)",
                "--command=SELECT pg_advisory_lock(hashtext('schemajob.migration')), pg_sleep(120)",
            ]
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try holder.run()
            defer { if holder.isRunning { holder.terminate() } }
            // pg_locks shows every database of the shared server: only this test's counts, since
            // other tests' migrations take the same advisory lock in their own databases.
            let ownAdvisoryLocks = "FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            let lockHeld = "SELECT count(*) \(ownAdvisoryLocks)"
            var waited = 0
            while try database.sql(lockHeld) != "1\n" && waited < 100 {
                usleep(100_000)
                waited += 1
            }
            try #require(try database.sql(lockHeld) == "1\n", "the other session holds the migration lock")

            let dsn = "postgresql://gpudev:\(server.password)@127.0.0.1:\(server.port)/\(database.name)"
            let apply = Task { try await onThread { try SchemaJobExecutable.run(["apply", "--dsn", dsn], environment: Self.environment()) } }

            // Wait until the migration's psql is running (and waiting for the lock). A loaded
            // full run can take more than 15 s to get there (render, lint, the wait for the
            // server, in a debug build beside 80 other suites); the holder sleeps 120 s.
            var migrationPsql: [Int32] = []
            for _ in 0..<1_800 {
                migrationPsql = Self.processes().filter { $0.arguments.contains { $0.hasSuffix("/migration.psql") } }.map(\.pid)
                if !migrationPsql.isEmpty { break }
                usleep(50_000)
            }
            let everyProcess = Self.processes()
            // Ending the client is not enough: the server would sleep on, holding the lock.
            try database.sql("SELECT pg_terminate_backend(pid) \(ownAdvisoryLocks)")
            holder.terminate()
            let result = try await apply.value

            #expect(!migrationPsql.isEmpty, "the migration's psql was seen running")
            // schemajob's own arguments hold what the caller typed (the README says to prefer
            // PGPASSWORD); everything it starts must not.
            let leaking = everyProcess.filter { process in
                process.arguments.first?.hasSuffix("/schemajob") != true && process.arguments.contains { $0.contains(server.password) }
            }
            #expect(leaking.isEmpty, "processes with the password in their arguments: \(leaking.map(\.arguments))")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            Self.expectNoPassword(result, server.password, "apply")
        }

        /// A database name is only a name: psql is never given it as `-d`, where a name
        /// holding `=` would be read as a connection string naming another server.
        @Test func aDatabaseNameThatLooksLikeAConnectionStringIsOnlyAName() throws {
            let server = try #require(PostgresServer.current)
            let name = "dbname=postgres host=203.0.113.9 connect_timeout=2"
            try server.superuserSQL("CREATE DATABASE \"\(name)\" OWNER \(PostgresServer.role)", database: "postgres")
            // The harness gives its database to psql as --dbname, so it must say "only a name" itself.
            let asName = "dbname='\(name)'"
            _ = try server.psql(file: Repository.templates + "/prove/pgmq-stand-in.sql", database: asName, user: PostgresServer.role)
            let environment = Self.environment().merging([
                "PGHOST": "127.0.0.1", "PGPORT": String(server.port), "PGUSER": PostgresServer.role, "PGPASSWORD": server.password,
            ]) { given, _ in given }
            let apply = try SchemaJobExecutable.run(["apply", "--set", "postgres.database=\(name)"], environment: environment)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let runs = try server.superuserSQL("SELECT count(*) FROM schemajob.runs", database: asName)
            #expect(runs == "1\n", "the run is recorded in the database of that exact name")
        }

        struct RunningProcess {
            var pid: Int32
            var arguments: [String]
        }

        /// Every process's `/proc/<pid>/cmdline`, split at its NUL bytes.
        static func processes() -> [RunningProcess] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return names.compactMap { name in
                guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
                let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                return RunningProcess(pid: pid, arguments: arguments)
            }
        }
    }
}
