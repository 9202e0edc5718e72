import Foundation
import SchemaJobKit
import Testing

/// Every test that needs a real server is nested in this suite, so one server serves
/// them all; each test makes its own database, so they run in parallel.
@Suite(.postgresServer) struct AgainstPostgreSQL {
    @Test func theTestRoleLogsInWithItsPasswordOverTCPAndNotWithoutIt() throws {
        let server = try #require(PostgresServer.current)
        let database = try server.createDatabase()
        let arguments = [
            "--no-psqlrc", "--tuples-only", "--no-align", "--host=127.0.0.1", "--port=\(server.port)",
            "--username=\(PostgresServer.role)", "--dbname=\(database.name)", "--command=SELECT current_user",
        ]
        let psql = server.binaries + "/psql"
        #expect(throws: HarnessError.self, "a wrong password is refused: host connections use SCRAM") {
            try PostgresServer.run("/usr/bin/env", ["-i", "PGPASSWORD=wrong", psql] + arguments)
        }
        let output = try PostgresServer.run("/usr/bin/env", ["-i", "PGPASSWORD=\(server.password)", psql] + arguments)
        #expect(output == "\(PostgresServer.role)\n")
    }

    @Test func eachFreshDatabaseHasThePgmqStandIn() throws {
        let database = try #require(PostgresServer.current).createDatabase()
        #expect(try database.sql("SELECT to_regprocedure('pgmq.create(text)') IS NOT NULL") == "t\n")
        #expect(try database.sql("SELECT count(*) FROM pgmq.list_queues()") == "0\n")
    }
}

/// The rendered manifests of a database directory, pointed at one test database (the
/// settings name the test server), with a test Secret holding the role's password.
/// Containers run exactly as rendered; only the temporary root is added.
struct RenderedForTest: Sendable {
    static let secretName = "postgres-credentials"
    static let passwordKey = "POSTGRES_PASSWORD"

    let plan: Plan
    let pods: LocalPods
    let yaml: String

    init(
        databaseName: String, port: Int, password: String, databaseDirectory: String = Repository.database,
        settings: [String] = []
    ) throws {
        try self.init(
            SchemaJob.render(Self.request(databaseName: databaseName, port: port, databaseDirectory: databaseDirectory, settings: settings)),
            password: password)
    }

    /// What the init above renders: `databaseDirectory` with settings naming the test server.
    static func request(databaseName: String, port: Int, databaseDirectory: String = Repository.database, settings: [String] = [])
        -> RenderRequest
    {
        RenderRequest(
            databaseDirectory: databaseDirectory,
            settingOverrides: [
                "postgres.host=127.0.0.1", "postgres.port=\(port)", "postgres.database=\(databaseName)",
                "postgres.user=\(PostgresServer.role)",
            ] + settings)
    }

    /// A rendering made elsewhere (of a `request(…)`).
    init(_ rendering: Rendering, password: String) throws {
        yaml = try rendering.yaml()
        pods = try LocalPods(
            yaml: yaml,
            secrets: [Self.secretName: [Self.passwordKey: password]],
            podName: "\(rendering.plan.jobName)-x7k2p")
        plan = rendering.plan
    }

    /// `rendered`'s plan with other manifests (`yaml`: its own, edited after the render).
    init(_ rendered: RenderedForTest, yaml: String, password: String) throws {
        self.yaml = yaml
        pods = try LocalPods(yaml: yaml, secrets: [Self.secretName: [Self.passwordKey: password]], podName: rendered.pods.podName)
        plan = rendered.plan
    }

    init(_ database: TestDatabase, databaseDirectory: String = Repository.database, settings: [String] = []) throws {
        try self.init(
            databaseName: database.name, port: database.server.port, password: database.server.password,
            databaseDirectory: databaseDirectory, settings: settings)
    }

    var job: KubernetesObject {
        get throws { try pods.objects.object(kind: "Job") }
    }

    /// The exit code the Job's podFailurePolicy answers with FailJob: SQL failed.
    var sqlFailedCode: Int32 {
        get throws {
            let codes = try job.exitCodes(for: "FailJob", container: "migrate")
            try #require(codes.count == 1, "the podFailurePolicy should fail the Job on one exit code of migrate")
            return codes[0]
        }
    }

    /// Runs a container of the Job (or the Deployment) on a thread of its own.
    func run(
        _ container: String, of kind: String = "Job", arguments: [String] = [],
        environment: [String: String] = [:], timeout: Duration = .seconds(180)
    ) async throws -> ContainerRun.Result {
        let pods = self.pods
        return try await onThread {
            try pods.run(container, of: kind, extraArguments: arguments, environment: environment, timeout: timeout)
        }
    }

    /// `wait-for-postgres`, then `migrate`, as the Job's pod runs them; both must succeed.
    @discardableResult
    func migrate() async throws -> ContainerRun.Result {
        let wait = try await run("wait-for-postgres")
        try #require(wait.exitCode == 0, "wait-for-postgres: \(wait.output)")
        let migrate = try await run("migrate")
        try #require(migrate.exitCode == 0, "migrate: \(migrate.output)")
        return migrate
    }
}

/// The attempts of a migrate log that a lock timeout rolled back.
///
/// The suite's databases share one server, and so its shared catalogs: on a loaded machine
/// one test's Job can wait past its first 100 ms for another database's Job (seen on
/// pg_shdepend, which every table's owner is recorded in). The Job then rolls back and
/// tries again, as it is built to. A test about something else compares the attempt that
/// finished, so `finished` is the log without the attempts before it, and without the
/// line that says a later attempt committed; `count` says how many were left out.
struct LockRetries {
    let count: Int
    let finished: String

    /// From the header of an attempt to its "and rolled back; attempt n in …" line, with
    /// no other attempt's header between.
    private static let attempt = try! NSRegularExpression(
        pattern: #"(?m)^Applying schema files\.\.\.\n(?:(?!Applying schema files\.\.\.\n)[\s\S])*?^schemajob: attempt \d+ waited [^\n]* and rolled back; attempt \d+ in [^\n]*\n"#)
    private static let committedLater = try! NSRegularExpression(pattern: #"(?m)^schemajob: committed at attempt \d+, [^\n]*\n"#)

    init(in log: String) {
        let whole = NSRange(log.startIndex..., in: log)
        count = Self.attempt.numberOfMatches(in: log, range: whole)
        let rest = Self.attempt.stringByReplacingMatches(in: log, range: whole, withTemplate: "")
        finished = Self.committedLater.stringByReplacingMatches(in: rest, range: NSRange(rest.startIndex..., in: rest), withTemplate: "")
    }
}
