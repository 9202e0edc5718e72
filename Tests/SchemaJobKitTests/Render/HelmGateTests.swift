import Foundation
import SchemaJobKit
import Testing
import Yams

/// `schemajob gate` behind real Helm: Helm 3.17.2 with the executable as its post-renderer,
/// Helm 4.1.4 with the plugin in integrations/helm/schemajob-gate, and Argo CD's Config
/// Management Plugin (integrations/argocd/plugin.yaml) run as Argo CD runs it, over a chart
/// shaped like the platform's (Fixtures/helm/gpu-dev-server). Each Helm has a HELM_DATA_HOME
/// of its own: Helm 3 cannot load a plugin of Helm 4's format.
@Suite struct HelmGateTests {
    static let chart = Repository.fixtures + "/helm/gpu-dev-server"
    /// What the chart renders that uses the database, gated by name (schemajob.yaml).
    static let workloads = [
        "Deployment/api-service", "Deployment/reservation-processor", "CronJob/availability-updater",
        "CronJob/reservation-expiry",
    ]
    /// The post-install,post-upgrade hook that carries the label schemajob.io/gate.
    static let postHook = "Job/refresh-gpu-availability"
    static let hooks = ["Job/backup-before-upgrade", postHook, "Pod/api-service-test"]

    enum Helm: String, CaseIterable, CustomTestStringConvertible {
        case helm3, helm4
        var variable: String { self == .helm3 ? "SCHEMAJOB_HELM3" : "SCHEMAJOB_HELM4" }
        var folder: String { self == .helm3 ? "helm-3" : "helm-4" }
        var testDescription: String { self == .helm3 ? "Helm 3" : "Helm 4" }

        /// The real binary scripts/tools installs (.tools/env names it).
        func binary() throws -> String {
            let path = ProcessInfo.processInfo.environment[variable] ?? Repository.root + "/.tools/\(folder)/helm"
            try #require(FileManager.default.isExecutableFile(atPath: path),
                         "\(testDescription) is missing (\(path)): run `bash scripts/tools` (scripts/test does), then `. .tools/env`")
            return path
        }
    }

    /// A copy of the chart with the repository's database/ inside it (where the platform
    /// keeps it), `helm` and `schemajob` on PATH, and a HELM_DATA_HOME per Helm.
    struct Workspace {
        let directory: TemporaryDirectory
        let helm: Helm
        var root: String { directory.path }

        init(_ helm: Helm) throws {
            self.helm = helm
            directory = try TemporaryDirectory(prefix: "schemajob-helm")
            try Repository.copy(HelmGateTests.chart, to: root + "/gpu-dev-server")
            try Repository.copy(Repository.database, to: root + "/gpu-dev-server/database")
            try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/bin/helm", withDestinationPath: try helm.binary())
            try FileManager.default.createSymbolicLink(atPath: root + "/bin/schemajob", withDestinationPath: SchemaJobExecutable.path)
            if helm == .helm4 {
                let install = try shell("helm plugin install '\(Repository.root)/integrations/helm/schemajob-gate'")
                try #require(install.status == 0, "helm plugin install: \(install.stderr)")
                // Helm 4 parses and writes every document again when it post-renders, so what
                // "as the chart rendered it" means under Helm 4 is its render through a
                // post-renderer that changes nothing.
                let identity = root + "/identity"
                try FileManager.default.createDirectory(atPath: identity, withIntermediateDirectories: true)
                try """
                    apiVersion: v1
                    type: postrenderer/v1
                    name: identity
                    version: 0.1.0
                    runtime: subprocess
                    runtimeConfig:
                      platformCommand:
                        - command: cat

                    """.write(toFile: identity + "/plugin.yaml", atomically: true, encoding: .utf8)
                let installIdentity = try shell("helm plugin install ./identity")
                try #require(installIdentity.status == 0, "helm plugin install identity: \(installIdentity.stderr)")
            }
        }

        var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = root + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
            for (name, folder) in [("HELM_DATA_HOME", "data"), ("HELM_CONFIG_HOME", "config"), ("HELM_CACHE_HOME", "cache")] {
                environment[name] = "\(root)/\(helm.rawValue)/\(folder)"
            }
            return environment
        }

        /// A shell command in the workspace (or `directory` under it), as a user types it.
        func shell(_ command: String, in directory: String = "", environment extra: [String: String] = [:]) throws -> SchemaJobExecutable.Result {
            try SchemaJobExecutable.runProgram("/bin/sh", ["-c", command], in: root + "/" + directory,
                                               environment: environment.merging(extra) { $1 })
        }

        /// The chart as Helm renders it without schemajob (Helm 4: through `identity`).
        func plain(_ extra: String = "") throws -> String {
            let through = helm == .helm4 ? " --post-renderer identity" : ""
            let result = try shell("helm template gpu-dev ./gpu-dev-server --set databaseMigration.enabled=false\(extra)\(through)")
            try #require(result.status == 0, "\(result.stderr)")
            return result.stdout
        }

        /// The commands docs/gating.md gives, for this Helm (`theDocsShowTheCommandsTheseTestsRun`).
        func gated(_ extra: String = "", arguments: String = HelmGateTests.arguments) throws -> SchemaJobExecutable.Result {
            try shell(HelmGateTests.template(helm, extra, arguments: arguments))
        }
    }

    static let arguments = "--post-renderer-args --config --post-renderer-args gpu-dev-server/schemajob.yaml "
        + "--post-renderer-args --database --post-renderer-args gpu-dev-server/database"

    /// `helm template` through the gate: Helm 3 runs the executable, Helm 4 the plugin.
    static func template(_ helm: Helm, _ extra: String = "", arguments: String = HelmGateTests.arguments) -> String {
        let renderer = helm == .helm4 ? "--post-renderer schemajob-gate" : "--post-renderer schemajob --post-renderer-args gate"
        return "helm template gpu-dev ./gpu-dev-server --set databaseMigration.enabled=false\(extra) \(renderer) \(arguments)"
    }

    /// docs/gating.md shows the commands these tests run, word for word: its shell lines
    /// with their `\` continuations joined and runs of spaces made one.
    @Test func theDocsShowTheCommandsTheseTestsRun() throws {
        let page = try String(contentsOfFile: Repository.root + "/docs/gating.md", encoding: .utf8)
        let commands = page.replacingOccurrences(of: "\\\n", with: " ")
            .split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        for command in Helm.allCases.map({ Self.template($0) }) + ["helm plugin install <this repository>/integrations/helm/schemajob-gate"] {
            let shown = commands.contains(command)
            #expect(shown, "docs/gating.md does not show, word for word, the command the tests run: `\(command)`")
        }
    }

    // MARK: Reading a stream back

    /// Each document of a stream by `Kind/name`, with its text exactly as written.
    static func documents(_ yaml: String) throws -> [String: (text: String, object: [String: Any])] {
        var documents: [String: (text: String, object: [String: Any])] = [:]
        var chunk = ""
        func close() throws {
            defer { chunk = "" }
            guard let object = try Yams.load(yaml: chunk) as? [String: Any] else { return }
            let kind = object["kind"] as? String ?? "", metadata = object["metadata"] as? [String: Any] ?? [:]
            let key = "\(kind)/\(metadata["name"] as? String ?? "")"
            #expect(documents[key] == nil, "\(key) is in the stream twice")
            // The text without its `---` line: what the document holds.
            documents[key] = (chunk, object)
        }
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "---" || line.hasPrefix("--- ") {
                try close()
                continue
            }
            chunk += line + "\n"
        }
        try close()
        return documents
    }

    static func podSpec(_ object: [String: Any]?) -> [String: Any] { WorkloadGateTests.podSpec(object) }
    static func initContainers(_ object: [String: Any]?) -> [[String: Any]] {
        podSpec(object)["initContainers"] as? [[String: Any]] ?? []
    }
    static func names(_ containers: [[String: Any]]) -> [String] { containers.compactMap { $0["name"] as? String } }

    /// What schemajob adds beside the chart, by `Kind/name`: its render with the same settings.
    static func migrationObjects(_ workspace: Workspace) throws -> [String] {
        let render = try workspace.shell("schemajob render --config gpu-dev-server/schemajob.yaml --database gpu-dev-server/database")
        try #require(render.status == 0, "\(render.stderr)")
        return try documents(render.stdout).keys.sorted()
    }

    /// Every check the issue asks of a gated render, against the same chart rendered plain.
    /// `sidecar`: the pods reach the database through a native sidecar (values-db-proxy.yaml).
    static func expectGated(_ gatedText: String, plain plainText: String, migration: [String], gatedHook: Bool, sidecar: Bool,
                            in workspace: Workspace) throws {
        let plain = try documents(plainText), gated = try documents(gatedText)
        let selected = workloads + (gatedHook ? [postHook] : [])
        #expect(Set(plain.keys).isSubset(of: Set(gated.keys)), "lost: \(Set(plain.keys).subtracting(gated.keys).sorted())")
        #expect(Set(gated.keys).subtracting(plain.keys).sorted() == migration, "added objects")
        for key in hooks { #expect(gated[key] != nil, "the hook \(key) is kept") }
        #expect(!gatedText.contains("postrenderer.helm.sh"), "Helm 4's own annotation is taken off again")

        for (key, document) in plain where !selected.contains(key) {
            #expect(gated[key]?.text == document.text, "\(key) is not byte for byte as the chart rendered it")
        }
        for key in selected {
            let before = try #require(plain[key]?.object), after = try #require(gated[key]?.object)
            let own = initContainers(before), now = initContainers(after)
            let sidecars = own.prefix { $0["restartPolicy"] as? String == "Always" }.count
            #expect(sidecar == (sidecars > 0), "\(key): the values file decides whether a proxy sidecar is there")
            // The gate goes right after the last native sidecar, else first; the chart's own
            // init containers (its `wait-for-schema` among them) stay, unchanged and in order.
            var expected = names(own)
            expected.insert(WorkloadGate.containerName, at: sidecars)
            #expect(names(now) == expected, "\(key): init containers \(names(now))")
            #expect(try WorkloadGateTests.json(now.filter { $0["name"] as? String != WorkloadGate.containerName })
                    == WorkloadGateTests.json(own), "\(key): its own init containers are unchanged")
            #expect(try WorkloadGateTests.json(podSpec(after)["containers"]) == WorkloadGateTests.json(podSpec(before)["containers"]))
            #expect(try WorkloadGateTests.json(after["metadata"]) == WorkloadGateTests.json(before["metadata"]),
                    "\(key): labels and annotations (a hook's weight and delete policy) are kept")
        }
        for key in ["StatefulSet/postgres-primary", "StatefulSet/postgres-replica"] {
            #expect(gated[key] != nil && gated[key]?.text == plain[key]?.text, "\(key) is the database: never gated")
        }

        // kubernetes-validate --strict on what changed: the gated workloads and the added objects.
        let changed = (selected + migration).compactMap { gated[$0]?.text }.map { "---\n" + $0 }.joined()
        let file = workspace.root + "/changed.yaml"
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
        let validate = try SchemaJobExecutable.runProgram(
            try Tools.venv("kubernetes-validate", variable: "SCHEMAJOB_KUBERNETES_VALIDATE"), ["--strict", "--quiet", file])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    // MARK: The tests

    @Test(arguments: Helm.allCases, [false, true])
    func helmTemplateThroughTheGateKeepsEveryObjectAndGatesTheFourWorkloads(helm: Helm, sidecar: Bool) throws {
        let workspace = try Workspace(helm)
        let values = sidecar ? " -f gpu-dev-server/values-db-proxy.yaml" : ""
        let gated = try workspace.gated(values)
        #expect(gated.status == 0, "\(gated.stderr)")
        #expect(gated.stderr.isEmpty, "\(gated.stderr)")
        // Helm 3 never hands hooks to a post-renderer: the labelled post-install hook stays ungated there.
        try Self.expectGated(gated.stdout, plain: try workspace.plain(values), migration: try Self.migrationObjects(workspace),
                             gatedHook: helm == .helm4, sidecar: sidecar, in: workspace)
    }

    @Test func helm4PassesHookAnnotationsBackAsTheChartWroteThemStringWeightsIncluded() throws {
        let workspace = try Workspace(.helm4)
        let gated = try workspace.gated()
        try #require(gated.status == 0, "\(gated.stderr)")
        let documents = try Self.documents(gated.stdout)
        let backup = try #require(documents["Job/backup-before-upgrade"]?.text)
        #expect(backup.contains("\"helm.sh/hook-weight\": \"-5\"\n"), "\(backup)")
        let hook = try #require(documents[Self.postHook]?.object)
        let annotations = (hook["metadata"] as? [String: Any])?["annotations"] as? [String: Any]
        #expect(annotations?["helm.sh/hook-weight"] as? String == "5")
        #expect(annotations?["helm.sh/hook"] as? String == "post-install,post-upgrade")
        #expect(Self.names(Self.initContainers(hook)).first == WorkloadGate.containerName)
    }

    @Test func gatingHelmsOutputAgainChangesNothing() throws {
        let workspace = try Workspace(.helm4)
        let once = try workspace.gated()
        try #require(once.status == 0, "\(once.stderr)")
        try once.stdout.write(toFile: workspace.root + "/once.yaml", atomically: true, encoding: .utf8)
        let twice = try workspace.shell("schemajob gate --config gpu-dev-server/schemajob.yaml --database gpu-dev-server/database < once.yaml")
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(twice.stdout == once.stdout)
    }

    @Test(arguments: Helm.allCases)
    func theTestChartPassesHelmLint(helm: Helm) throws {
        let workspace = try Workspace(helm)
        for values in ["", " -f gpu-dev-server/values-db-proxy.yaml"] {
            let lint = try workspace.shell("helm lint ./gpu-dev-server\(values)")
            #expect(lint.status == 0, "helm lint\(values): \(lint.stdout)\(lint.stderr)")
        }
    }

    /// Argo CD runs `generate` in the application's directory, with its ARGOCD_APP_* variables
    /// and the Application's plugin env as ARGOCD_ENV_*. Argo CD itself is not run here.
    @Test(arguments: Helm.allCases)
    func theArgoCDPluginsGenerateCommandGivesTheGatedChart(helm: Helm) throws {
        let workspace = try Workspace(helm)
        let plugin = try #require(try Yams.load(yaml: String(contentsOfFile: Repository.root + "/integrations/argocd/plugin.yaml", encoding: .utf8))
            as? [String: Any])
        #expect(plugin["kind"] as? String == "ConfigManagementPlugin")
        let generate = try #require((plugin["spec"] as? [String: Any])?["generate"] as? [String: Any])
        let command = try #require(generate["command"] as? [String]) + (generate["args"] as? [String] ?? [])
        let argo = [
            "ARGOCD_APP_NAME": "gpu-dev", "ARGOCD_APP_NAMESPACE": "gpu-controlplane",
            "ARGOCD_APP_REVISION": "0123456789abcdef0123456789abcdef01234567", "ARGOCD_APP_REVISION_SHORT": "0123456",
            "ARGOCD_APP_SOURCE_PATH": "charts/gpu-dev-server", "ARGOCD_APP_SOURCE_REPO_URL": "https://git.example/platform.git",
            "ARGOCD_APP_SOURCE_TARGET_REVISION": "main", "KUBE_VERSION": "1.33.0", "KUBE_API_VERSIONS": "v1,apps/v1,batch/v1",
            "ARGOCD_ENV_HELM_ARGS": "--set databaseMigration.enabled=false",
        ]
        // Argo CD runs the command as it is written, found on the sidecar's PATH.
        let program = command[0].hasPrefix("/") ? command[0] : try #require(Tools.onPath([command[0]]), "\(command[0]) is not on PATH")
        let generated = try SchemaJobExecutable.runProgram(program, Array(command.dropFirst()), in: workspace.root + "/gpu-dev-server",
                                                           environment: workspace.environment.merging(argo) { $1 })
        #expect(generated.status == 0, "\(generated.stderr)")
        let plain = try workspace.shell("helm template gpu-dev . --namespace gpu-controlplane --set databaseMigration.enabled=false",
                                        in: "gpu-dev-server")
        try #require(plain.status == 0, "\(plain.stderr)")
        // `helm template` prints the hooks too, so the labelled post-install hook is gated here with either Helm.
        try Self.expectGated(generated.stdout, plain: plain.stdout, migration: try Self.migrationObjects(workspace), gatedHook: true,
                             sidecar: false, in: workspace)
    }

    /// Each case: what the command changes, and what Helm or the shell must say.
    static let badInputs: [(name: String, helm: Helm, command: String, message: String)] = [
        ("the pre-upgrade hook named for gating", .helm4,
         "helm template gpu-dev ./gpu-dev-server --post-renderer schemajob-gate \(arguments) --post-renderer-args --set --post-renderer-args gate.workloads=job/backup-before-upgrade",
         "job/backup-before-upgrade is a Helm pre-upgrade hook: Helm runs it, and waits for it, before it creates the migration Job"),
        ("no --database, and none beside the chart", .helm3,
         "helm template gpu-dev ./gpu-dev-server --post-renderer schemajob --post-renderer-args gate --post-renderer-args --config --post-renderer-args gpu-dev-server/schemajob.yaml",
         "database: error: no such directory (give another with --database)"),
        ("an unreadable config", .helm3,
         "helm template gpu-dev ./gpu-dev-server --post-renderer schemajob --post-renderer-args gate --post-renderer-args --config --post-renderer-args gpu-dev-server/schemajob.yml --post-renderer-args --database --post-renderer-args gpu-dev-server/database",
         "gpu-dev-server/schemajob.yml: error: cannot read the config file"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputFailsTheRenderAndSchemajobSaysWhyInOneLine(case index: Int) throws {
        let (_, helm, command, message) = Self.badInputs[index]
        let workspace = try Workspace(helm)
        let result = try workspace.shell(command)
        #expect(result.status != 0, "\(command)")
        #expect(result.stdout.isEmpty, "\(command): wrote \(result.stdout.prefix(200))")
        #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
    }

    /// What `schemajob gate` itself says for a stream no chart should give it.
    static let badStreams: [(command: String, message: String)] = [
        ("helm template gpu-dev ./gpu-dev-server > once.yaml && cat once.yaml once.yaml | schemajob gate --config gpu-dev-server/schemajob.yaml --database gpu-dev-server/database",
         "deployment/api-service is in the input twice (first at line"),
        ("printf -- '---\\n# Source: nothing\\n' | schemajob gate --config gpu-dev-server/schemajob.yaml --database gpu-dev-server/database",
         "<stdin>: error: the input has no Kubernetes object"),
        ("helm template gpu-dev ./gpu-dev-server | schemajob gate --config gpu-dev-server/schemajob.yaml --database gpu-dev-server/database --set gate.workloads=job/backup-before-upgrade",
         "job/backup-before-upgrade is a Helm pre-upgrade hook"),
    ]

    @Test(arguments: badStreams.indices)
    func aBadStreamIsOneLineOnStderrExitTwoAndNothingOnStdout(case index: Int) throws {
        let (command, message) = Self.badStreams[index]
        let workspace = try Workspace(.helm3)
        let result = try workspace.shell(command)
        #expect(result.status == 2, "\(command): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(command): wrote \(result.stdout.prefix(200))")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(message), "\(command): \(result.stderr)")
    }
}
