import Foundation
import SchemaJobKit
import Testing
import Yams

/// Gating workloads schemajob does not own: the kustomize component `render --output-dir`
/// writes and the `schemajob gate` filter, over a platform's own four workloads
/// (Fixtures/gate), with the real `kubectl kustomize` and `kubernetes-validate --strict`.
@Suite struct WorkloadGateTests {
    static let fixtures = Repository.root + "/Tests/SchemaJobKitTests/Fixtures/gate"
    static let workloads = [
        "Deployment/api-service", "Deployment/reservation-processor", "CronJob/availability-updater",
        "CronJob/reservation-expiry",
    ]

    /// A copy of the fixture (platform/, gated/, schemajob.yaml) and of database/.
    struct Workspace {
        let directory: TemporaryDirectory
        var root: String { directory.path }

        init() throws {
            directory = try TemporaryDirectory(prefix: "schemajob-gate")
            for name in ["platform", "gated", "schemajob.yaml"] {
                try Repository.copy(WorkloadGateTests.fixtures + "/" + name, to: root + "/" + name)
            }
            try Repository.copy(Repository.database, to: root + "/database")
        }

        @discardableResult
        func schemajob(_ arguments: [String]) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.run(arguments, in: root)
        }

        func kustomize(_ directory: String) throws -> String {
            let built = try SchemaJobExecutable.runProgram(try Tools.kubectl(), ["kustomize", root + "/" + directory])
            try #require(built.status == 0, "kubectl kustomize \(directory): \(built.stderr)")
            return built.stdout
        }

        /// A shell pipeline in the workspace, as a user types it.
        func shell(_ command: String) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.runProgram("/bin/sh", ["-c", command], in: root)
        }
    }

    /// The objects of a stream by `Kind/name`.
    static func objects(_ yaml: String) throws -> [String: [String: Any]] {
        var objects: [String: [String: Any]] = [:]
        for case let object as [String: Any] in try Yams.load_all(yaml: yaml) {
            let kind = object["kind"] as? String ?? "", metadata = object["metadata"] as? [String: Any] ?? [:]
            objects["\(kind)/\(metadata["name"] as? String ?? "")"] = object
        }
        return objects
    }

    static func podSpec(_ object: [String: Any]?) -> [String: Any] {
        let spec = object?["spec"] as? [String: Any] ?? [:]
        let jobTemplate = (spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any]
        let template = (jobTemplate ?? spec)["template"] as? [String: Any]
        return template?["spec"] as? [String: Any] ?? [:]
    }

    static func json(_ value: Any?) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func initContainerNames(_ object: [String: Any]?) -> [String] {
        (podSpec(object)["initContainers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    @Test func theComponentGatesAllFourWorkloadsOfAPlatformKustomizationAndLeavesTheirOwnContainersAlone() throws {
        let workspace = try Workspace()
        let render = try workspace.schemajob(["render", "--output-dir", "schemajob"])
        try #require(render.status == 0, "\(render.stderr)")
        let plain = try Self.objects(try workspace.kustomize("platform"))
        let gatedText = try workspace.kustomize("gated")
        let gated = try Self.objects(gatedText)

        for name in Self.workloads {
            let before = try #require(plain[name]), after = try #require(gated[name], "\(name) is missing from the build")
            let names = Self.initContainerNames(after)
            #expect(names.first == WorkloadGate.containerName, "\(name): init containers \(names)")
            #expect(names.filter { $0 == WorkloadGate.containerName }.count == 1)
            #expect(Array(names.dropFirst()) == Self.initContainerNames(before), "\(name): its own init containers stay, in order")
            #expect(try Self.json(Self.podSpec(after)["containers"]) == Self.json(Self.podSpec(before)["containers"]),
                    "\(name): its own containers are untouched")
            let volumes = (Self.podSpec(after)["volumes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(["schemajob-scripts", "schemajob-postgres-password", "schemajob-tmp"]).isSubset(of: volumes), "\(name): \(volumes)")
        }
        let hash = String(try workspace.schemajob(["hash"]).stdout.prefix(10))
        #expect(gated["Job/db-migration-\(hash)"] != nil && gated["ConfigMap/db-scripts-\(hash)"] != nil)
        #expect(gated.keys.filter { $0.hasPrefix("Deployment/") }.sorted() == ["Deployment/api-service", "Deployment/reservation-processor"],
                "api.enabled=false: schemajob adds no API Deployment of its own")

        let file = workspace.root + "/gated.yaml"
        try gatedText.write(toFile: file, atomically: true, encoding: .utf8)
        let validate = try SchemaJobExecutable.runProgram(
            try Tools.venv("kubernetes-validate", variable: "SCHEMAJOB_KUBERNETES_VALIDATE"), ["--strict", "--quiet", file])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test func theGateFilterOverKubectlKustomizeOutputGivesTheSameObjectsAsTheComponent() throws {
        let workspace = try Workspace()
        try #require(try workspace.schemajob(["render", "--output-dir", "schemajob"]).status == 0)
        let component = try Self.objects(try workspace.kustomize("gated"))
        let piped = try workspace.shell("'\(try Tools.kubectl())' kustomize platform | '\(SchemaJobExecutable.path)' gate")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        let filtered = try Self.objects(piped.stdout)
        #expect(filtered.keys.sorted() == component.keys.sorted())
        for (name, object) in component {
            #expect(try Self.json(filtered[name]) == Self.json(object), "\(name) differs between the filter and the component")
        }
    }

    @Test func gatingTheFiltersOwnOutputAgainChangesNothing() throws {
        let workspace = try Workspace()
        let once = try workspace.shell("'\(try Tools.kubectl())' kustomize platform | '\(SchemaJobExecutable.path)' gate")
        try #require(once.status == 0, "\(once.stderr)")
        try once.stdout.write(toFile: workspace.root + "/once.yaml", atomically: true, encoding: .utf8)
        let twice = try workspace.shell("'\(SchemaJobExecutable.path)' gate < once.yaml")
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(twice.stdout == once.stdout)
    }

    /// Each case: a shell command in the workspace, and what the one stderr line holds.
    static let badInputs: [(command: String, message: String)] = [
        ("kubectl kustomize platform | schemajob gate --set gate.workloads=deployment/reservation-processsor",
         "gate.workloads: error: names deployment/reservation-processsor, which is not in the input"),
        ("kubectl kustomize platform | schemajob gate --set gate.workloads=service/api-service",
         "--set gate.workloads=service/api-service: error: 'gate.workloads' entries must be kind/name with kind one of deployment"),
        ("printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: [x\\n' | schemajob gate",
         "<stdin>:4:1: error: not valid YAML"),
        ("kubectl kustomize platform | sed 's/name: load-config/name: schemajob-wait-for-schema/' | schemajob gate",
         ": error: deployment/reservation-processor already has an init container named schemajob-wait-for-schema that is not this gate"),
        ("kubectl kustomize platform | schemajob gate --set postgres.host=elsewhere > once.yaml && schemajob gate < once.yaml",
         ": error: deployment/api-service already has an init container named schemajob-wait-for-schema that is not this gate"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputIsOneLineOnStderrExitTwoAndNothingOnStdout(case index: Int) throws {
        let workspace = try Workspace()
        let (command, message) = Self.badInputs[index]
        let binaries = "mkdir -p bin && ln -sf '\(try Tools.kubectl())' bin/kubectl && ln -sf '\(SchemaJobExecutable.path)' bin/schemajob && PATH=\"$PWD/bin:$PATH\"; "
        let result = try workspace.shell(binaries + command)
        #expect(result.status == 2, "\(command): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(command): wrote \(result.stdout.prefix(200))")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(message), "\(command): \(result.stderr)")
    }
}

extension WorkloadGateTests {
    /// Each kind keeps its pod template somewhere: the gate lands there, for every kind.
    @Test func everyWorkloadKindGetsTheGateInItsOwnPodTemplate() throws {
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database,
            settingOverrides: ["gate.workloads=StatefulSet/postgres-reader,daemonset/log-shipper,job/backfill"]))
        let pod = "spec: {containers: [{name: main, image: example/app:1}]}"
        let input = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: postgres-reader}
            spec: {serviceName: x, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, \(pod)}}
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: log-shipper}
            spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, \(pod)}}
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: backfill}
            spec: {template: {\(pod)}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: untouched, labels: {schemajob.io/gate: "true"}}
            spec: {ports: [{port: 80}]}

            """
        let objects = try Self.objects(try rendering.gate(Array(input.utf8)).joined())
        for name in ["StatefulSet/postgres-reader", "DaemonSet/log-shipper", "Job/backfill"] {
            #expect(Self.initContainerNames(objects[name]) == [WorkloadGate.containerName], "\(name)")
            #expect((Self.podSpec(objects[name])["containers"] as? [[String: Any]])?.count == 1)
        }
        #expect(objects["Service/untouched"]?["spec"] as? [String: Any] != nil && Self.podSpec(objects["Service/untouched"]).isEmpty,
                "a Service carrying the label is no workload: left as it is")
        #expect(objects["Job/\(rendering.plan.jobName)"] != nil, "the migration objects are appended")
    }
}

extension WorkloadGateTests {
    static let sidecarStream = """
        ---
        # Source: chart/templates/hook.yaml
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: backup
          annotations: {"helm.sh/hook": pre-upgrade, "helm.sh/hook-weight": "-5"}
        spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: 'x:1'}]}}}
        --- # a comment on the separator
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api-service
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              initContainers:
                - {name: db-proxy, image: proxy:2, restartPolicy: Always}
                - name: wait-for-schema
                  image: "pg:18"
                  args: ['until psql -c "SELECT 1 FROM api_users LIMIT 1"; do sleep 3; done']
              containers: [{name: api, image: "api:1"}]
        ...
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data:
          weight: "05"
          yes: 'on'

        """

    @Test func aDocumentItDoesNotGateIsWrittenBackByteForByteAndTheGateGoesAfterTheLastNativeSidecar() throws {
        let rendering = try SchemaJob.render(RenderRequest(
            databaseDirectory: Repository.database, settingOverrides: ["api.enabled=false", "gate.workloads=deployment/api-service"]))
        let output = try rendering.gate(Array(Self.sidecarStream.utf8)).joined()
        let chunks = Self.sidecarStream.components(separatedBy: "--- # a comment on the separator\n")
        #expect(output.hasPrefix(chunks[0]), "the hook, with its string weight and flow style, as it came:\n\(output.prefix(400))")
        let configMap = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata:\n  weight: \"05\"\n  yes: 'on'\n"
        #expect(output.contains(configMap))
        let deployment = try #require(try Self.objects(output)["Deployment/api-service"])
        let initContainers = Self.podSpec(deployment)["initContainers"] as? [[String: Any]] ?? []
        #expect(initContainers.compactMap { $0["name"] as? String } == ["db-proxy", WorkloadGate.containerName, "wait-for-schema"])
        #expect((initContainers[2]["args"] as? [String])?.first == "until psql -c \"SELECT 1 FROM api_users LIMIT 1\"; do sleep 3; done",
                "the chart's own wait-for-schema is kept as it was")
        #expect(try rendering.gate(Array(output.utf8)).joined() == output, "gating the output again changes nothing")
    }
}
