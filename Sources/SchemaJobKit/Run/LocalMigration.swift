import Foundation

/// `schemajob apply` and `schemajob verify`: the Job's and the API's own containers,
/// run here with local `psql` against the database the caller names, so an operator's
/// run and the cluster's run are the same scripts over the same rendered manifests.
public enum LocalMigration {
    /// The command's exit code.
    public enum Outcome: Int32, Sendable {
        /// Migrated, or (verify) ready.
        case done = 0
        /// The SQL failed (apply), or something is missing (verify).
        case failed = 1
        /// PostgreSQL could not be reached, a lock wait timed out, or a script could not run.
        case couldNotRun = 2
    }

    public struct Report: Sendable {
        public var outcome: Outcome
        /// One line for stderr when the outcome needs explaining.
        public var message: String?
        /// What the containers printed, with `.capture`; empty with `.inherit`.
        public var output: String
    }

    /// Where the caller's database is: libpq's `PG*` variables, or a connection string.
    public struct Target: Sendable {
        /// The caller's environment; only the `PG*` variables are read.
        public var environment: [String: String]
        /// A libpq connection string or URI, taken apart into `PG*` variables and the
        /// password (see `ConnectionString`).
        public var dsn: String?
        /// A directory put first on the containers' `PATH`, for their psql and pg_isready
        /// (`test` gives the one its own psql is in); nil: this machine's `PATH` as it is.
        public var clients: String?

        public init(environment: [String: String], dsn: String? = nil) {
            self.environment = environment
            self.dsn = dsn
        }

        /// The caller's `PG*` variables with the connection string's parameters over them
        /// and its password as `PGPASSWORD`: what a psql run here is given instead of the
        /// string, so the password is never an argument any user of the machine can read.
        public func libpqVariables() throws -> [String: String] {
            var variables = environment.filter { $0.key.hasPrefix("PG") }
            guard let dsn else { return variables }
            let connection = try ConnectionString(dsn)
            // The string alone names the server: the variables it leaves unset are not the caller's.
            for name in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE"] { variables[name] = nil }
            variables.merge(connection.environment) { _, named in named }
            if let password = connection.password { variables["PGPASSWORD"] = password }
            return variables
        }
    }

    /// Runs the Job's `wait-for-postgres`, then `migrate`. `reapply` applies the files even
    /// when the ledger already holds this hash (what `job.reapply: always` does in the Job,
    /// without changing the hash the ledger records). A nil `waitSeconds` leaves the wait
    /// out, for a caller that has just reached the server itself (`test`, three runs in a
    /// row); `migrate` still exits 75 when it cannot connect.
    public static func apply(
        _ rendering: Rendering, target: Target, waitSeconds: Int?, reapply: Bool = false,
        output: ContainerRun.Output
    ) throws -> Report {
        try apply(localPods(rendering, target: target, output: output), waitSeconds: waitSeconds, reapply: reapply)
    }

    /// `apply` on pods made once by `localPods`: `test` runs one render's Job several
    /// times, and reading the rendered YAML again for each run cost more than the run's psql.
    static func apply(_ pods: LocalPods, waitSeconds: Int?, reapply: Bool) throws -> Report {
        var waited = ""
        if let waitSeconds {
            let wait = try pods.run(
                "wait-for-postgres", of: "Job",
                environment: ["SCHEMAJOB_WAIT_TIMEOUT": String(waitSeconds)],
                timeout: .seconds(waitSeconds + 30))
            guard wait.exitCode == 0 else {
                return Report(
                    outcome: .couldNotRun,
                    message: "schemajob: PostgreSQL did not answer within \(waitSeconds)s; nothing was run",
                    output: wait.output)
            }
            waited = wait.output
        }
        let migrate = try pods.run("migrate", of: "Job", environment: reapply ? ["SCHEMAJOB_REAPPLY": "always"] : [:])
        let job = try pods.objects.object(kind: "Job")
        let log = waited + migrate.output
        switch migrate.exitCode {
        case 0:
            return Report(outcome: .done, message: nil, output: log)
        case let code where job.exitCodes(for: "FailJob", container: "migrate").contains(code):
            return Report(
                outcome: .failed,
                message: "schemajob: the migration failed (exit \(code)); nothing was committed",
                output: log)
        case let code:
            return Report(
                outcome: .couldNotRun,
                message: "schemajob: the migration did not run to its end (exit \(code)); nothing was committed",
                output: log)
        }
    }

    /// Runs the gate (`wait-for-schema`) once: ready, not ready, or not reachable. With
    /// `waitSeconds`, it waits as a gated pod does, for at most that long.
    public static func verify(_ rendering: Rendering, target: Target, waitSeconds: Int? = nil,
                              output: ContainerRun.Output) throws -> Report {
        let pods = try localPods(rendering, target: target, output: output)
        let check: ContainerRun.Result
        if let waitSeconds {
            check = try pods.run("wait-for-schema", of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": String(waitSeconds)],
                                 timeout: .seconds(waitSeconds + 60))
        } else {
            check = try pods.run("wait-for-schema", of: "Deployment", extraArguments: ["--once"], timeout: .seconds(120))
        }
        switch check.exitCode {
        case 0: return Report(outcome: .done, message: nil, output: check.output)
        case 1: return Report(outcome: .failed, message: nil, output: check.output)
        case let code:
            return Report(
                outcome: .couldNotRun,
                message: "schemajob: could not check the database (exit \(code))",
                output: check.output)
        }
    }

    /// The rendered pods with the caller's connection in place of the cluster's: the
    /// caller's `PG*` variables win over the rendered ones, `--dsn`'s parameters win over
    /// both, and the password goes through the Secret's file, the way the Job reads it.
    /// A connection string is taken apart first (`ConnectionString`): psql is never given
    /// it as an argument, where every user of the machine could read the password.
    static func localPods(_ rendering: Rendering, target: Target, output: ContainerRun.Output) throws -> LocalPods {
        var overrides: [String: String] = [:]
        for (name, value) in target.environment where name.hasPrefix("PG") && name != "PGPASSWORD" {
            overrides[name] = value
        }
        if let clients = target.clients {
            overrides["PATH"] = clients + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        }
        var removed: Set<String> = []
        var password = target.environment["PGPASSWORD"]
        if let dsn = target.dsn {
            let connection = try ConnectionString(dsn)
            overrides.merge(connection.environment) { _, named in named }
            password = connection.password ?? password
            // The connection string alone names the server, not the cluster's service.
            for name in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE"] where overrides[name] == nil {
                removed.insert(name)
            }
        }
        var secrets: [String: [String: String]] = [:]
        if let password {
            let settings = rendering.plan.settings
            secrets[settings.string("postgres.secretName")] = [settings.string("postgres.passwordKey"): password]
        }
        let host = ProcessInfo.processInfo.hostName
        var yaml = try rendering.yaml()
        if !rendering.manifests.contains(where: { $0.kind == "Deployment" }) {
            // api.enabled=false: the gate as `schemajob gate` adds it, on a Deployment of its own.
            yaml += try YAMLWriter.yaml([try WorkloadGate.gatedStandIn(rendering)])
        }
        return try LocalPods(
            yaml: yaml, secrets: secrets, podName: "schemajob-apply@\(host)",
            environmentOverrides: overrides, removedVariables: removed, output: output)
    }
}
