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

    /// Runs the Job's `wait-for-postgres`, then `migrate`. `reapply` applies the files even
    /// when this hash is the ledger's newest run (what `job.reapply: always` does in the Job,
    /// without changing the hash the ledger records). A nil `waitSeconds` leaves the wait
    /// out, for a caller that has just reached the server itself (`test`, three runs in a
    /// row); `migrate` still exits 75 when it cannot connect.
    public static func apply(
        _ rendering: Rendering, target: Connection, waitSeconds: Int?, reapply: Bool = false,
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
            // With read hosts, the retryable exit also follows a commit that a standby had not
            // replayed in time; the log's last line says which it was.
            let readHosts = try job.podSpec().container(named: "migrate")?.env?
                .first { $0.name == "SCHEMAJOB_READ_HOSTS" }?.value ?? ""
            return Report(
                outcome: .couldNotRun,
                message: "schemajob: the migration did not run to its end (exit \(code)); "
                    + (readHosts.isEmpty
                        ? "nothing was committed"
                        : "the log above says whether it committed and which read host had not replayed it (run apply again to wait again)"),
                output: log)
        }
    }

    /// Runs the gate (`schemajob-wait-for-schema`) once: ready, not ready, or not reachable. With
    /// `waitSeconds`, it waits as a gated pod does, for at most that long.
    public static func verify(_ rendering: Rendering, target: Connection, waitSeconds: Int? = nil,
                              output: ContainerRun.Output) throws -> Report {
        let pods = try localPods(rendering, target: target, output: output)
        let gate = try gateContainer(rendering)
        let check: ContainerRun.Result
        if let waitSeconds {
            check = try pods.run(gate, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": String(waitSeconds)],
                                 timeout: .seconds(waitSeconds + 60))
        } else {
            check = try pods.run(gate, of: "Deployment", extraArguments: ["--once"], timeout: .seconds(120))
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

    /// The rendered pods with the caller's connection in place of the cluster's
    /// (`Connection.podEnvironment`), the password through the Secret's file, the way the
    /// Job reads it: psql is never given it as an argument, where every user of the
    /// machine could read it.
    /// The gate container `verify` runs: the API Deployment's (`deployment.yaml`), or, with
    /// `api.enabled=false`, the stand-in's, named as `gate.yaml` names it.
    static func gateContainer(_ rendering: Rendering) throws -> String {
        rendering.manifests.contains { $0.kind == "Deployment" } ? WorkloadGate.containerName : try rendering.gateFragment().containerName
    }

    static func localPods(_ rendering: Rendering, target: Connection, output: ContainerRun.Output) throws -> LocalPods {
        let connection = try target.podEnvironment()
        var overrides = connection.overrides
        if let clients = target.clients {
            overrides["PATH"] = clients + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        }
        var secrets: [String: [String: String]] = [:]
        if let password = connection.password {
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
            environmentOverrides: overrides, removedVariables: connection.removed, output: output)
    }
}
