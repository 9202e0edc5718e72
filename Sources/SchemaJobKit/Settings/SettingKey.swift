/// The value of one setting. Integers stay integers all the way into the manifests.
public enum SettingValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    /// A list (`gate.workloads`): a YAML sequence in the config file, comma-separated in `--set`.
    case list([String])
    /// Keys to values (`job.labels`): a YAML mapping in the config file, one
    /// `--set job.labels.KEY=VALUE` per entry.
    case map([String: String])

    /// As `--set` would take it; `[]` and `{}` when empty (the README shows these).
    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .list(let items): items.isEmpty ? "[]" : items.joined(separator: ",")
        case .map(let entries):
            entries.isEmpty ? "{}" : entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
    }

    public var listValue: [String] {
        if case .list(let items) = self { return items }
        return []
    }

    public var mapValue: [String: String] {
        if case .map(let entries) = self { return entries }
        return [:]
    }
}

/// One setting schemajob knows: its dotted key, its default (the GPU Dev platform's),
/// what it accepts, and whether it reaches the Job.
public struct SettingKey: Sendable {
    public enum Kind: Sendable {
        /// A Kubernetes object name or namespace: a DNS-1123 label.
        case dnsLabel
        /// A DNS-1123 subdomain (Secret names, hosts).
        case dnsSubdomain
        /// A key inside a Secret: letters, digits, '-', '_', '.'.
        case secretKey
        /// An image reference: no whitespace or control characters.
        case image
        /// Any non-empty text without control characters (database and user names).
        case text
        /// One of a few words (`Always`, `IfNotPresent`, `Never`).
        case choice([String])
        case integer(ClosedRange<Int>)
        /// A list of `kind/name` of workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob).
        case workloads
        /// A list of hosts, each `host` or `host:port`.
        case hosts
        /// Kubernetes labels (`labels: true`: values are label values) or annotations.
        case metadata(labels: Bool)
    }

    public var key: String
    public var kind: Kind
    public var defaultValue: SettingValue
    /// Settings that reach the Job are part of the content hash: the Job's pod template is
    /// immutable, so changing one of them must give the Job a new name. Settings that reach only
    /// the Deployment stay out of it, so changing the API image never re-runs migrations.
    public var reachesJob: Bool
    public var summary: String

    /// Every setting, in the order `render --help` and docs/settings.md list them.
    public static let all: [SettingKey] = [
        SettingKey(key: "namespace", kind: .dnsLabel, defaultValue: .string("gpu-controlplane"), reachesJob: true,
                   summary: "namespace of every object"),
        SettingKey(key: "release", kind: .dnsLabel, defaultValue: .string("gpu-dev"), reachesJob: true,
                   summary: "app.kubernetes.io/instance label of every object: scopes kubectl apply --prune to this release"),
        SettingKey(key: "image", kind: .image, defaultValue: .string("ghcr.io/pgmq/pg18-pgmq:v1.8.1"), reachesJob: true,
                   summary: "image of the Job and of the API's wait-for-schema gate (needs psql, pg_isready, bash)"),
        SettingKey(key: "postgres.host", kind: .dnsSubdomain, defaultValue: .string("postgres-primary"), reachesJob: true,
                   summary: "PostgreSQL service host"),
        SettingKey(key: "postgres.port", kind: .integer(1...65535), defaultValue: .integer(5432), reachesJob: true,
                   summary: "PostgreSQL port"),
        SettingKey(key: "postgres.database", kind: .text, defaultValue: .string("gpudev"), reachesJob: true,
                   summary: "database name"),
        SettingKey(key: "postgres.user", kind: .text, defaultValue: .string("gpudev"), reachesJob: true,
                   summary: "database user"),
        SettingKey(key: "postgres.secretName", kind: .dnsSubdomain, defaultValue: .string("postgres-credentials"), reachesJob: true,
                   summary: "Secret holding the password"),
        SettingKey(key: "postgres.passwordKey", kind: .secretKey, defaultValue: .string("POSTGRES_PASSWORD"), reachesJob: true,
                   summary: "key of the password in that Secret"),
        SettingKey(key: "job.backoffLimit", kind: .integer(0...20), defaultValue: .integer(4), reachesJob: true,
                   summary: "retries after a connection failure or lock timeout"),
        SettingKey(key: "job.ttlSecondsAfterFinished", kind: .integer(0...2_592_000), defaultValue: .integer(3600), reachesJob: true,
                   summary: "seconds Kubernetes keeps the finished Job"),
        SettingKey(key: "job.activeDeadlineSeconds", kind: .integer(1...86_400), defaultValue: .integer(1800), reachesJob: true,
                   summary: "seconds the Job may run in all, retries included"),
        SettingKey(key: "job.reapply", kind: .choice(["if-changed", "always"]), defaultValue: .string("if-changed"), reachesJob: true,
                   summary: "if-changed: a hash that is the ledger's newest run (with every required table) is not applied again, one that ran before another set is; always: apply it anyway"),
        SettingKey(key: "job.lockTimeoutMilliseconds", kind: .integer(10...60_000), defaultValue: .integer(500), reachesJob: true,
                   summary: "longest lock wait of one attempt (attempts wait 100, 200, 400 ms, … up to this)"),
        SettingKey(key: "job.lockRetrySeconds", kind: .integer(0...3600), defaultValue: .integer(30), reachesJob: true,
                   summary: "seconds one pod keeps retrying lock timeouts before it exits 75 for the Job to retry"),
        // Five pods (backoffLimit 4) waiting this long each fit the default activeDeadlineSeconds (1800).
        SettingKey(key: "job.standbyWaitSeconds", kind: .integer(0...3600), defaultValue: .integer(300), reachesJob: true,
                   summary: "seconds the Job waits, after its commit, for every gate.readHosts standby to replay it; then it exits 75 for the Job to retry"),
        SettingKey(key: "api.name", kind: .dnsLabel, defaultValue: .string("api-service"), reachesJob: false,
                   summary: "name of the API Deployment (and its pod label)"),
        SettingKey(key: "api.image", kind: .image, defaultValue: .string("api-service:placeholder"), reachesJob: false,
                   summary: "the API's image; set it to your release, by digest if you can (the default is a placeholder)"),
        SettingKey(key: "api.replicas", kind: .integer(0...1000), defaultValue: .integer(2), reachesJob: false,
                   summary: "API replicas"),
        SettingKey(key: "api.enabled", kind: .choice(["true", "false"]), defaultValue: .string("true"), reachesJob: false,
                   summary: "false leaves out the API Deployment (and its NetworkPolicy), for a platform that has its own and gates it"),
        SettingKey(key: "imagePullPolicy", kind: .choice(["Always", "IfNotPresent", "Never"]), defaultValue: .string("Always"),
                   reachesJob: true, summary: "imagePullPolicy of every container (Always, IfNotPresent or Never)"),
        SettingKey(key: "networkPolicy.enabled", kind: .choice(["true", "false"]), defaultValue: .string("true"),
                   reachesJob: false, summary: "render a NetworkPolicy for the migration pods and one for the API"),
        // Object metadata, never the pod template: Kubernetes lets a Job's and an immutable
        // ConfigMap's labels and annotations change in place, so these need no new hash.
        SettingKey(key: "job.labels", kind: .metadata(labels: true), defaultValue: .map([:]), reachesJob: false,
                   summary: "labels added to the Job's metadata (not its pods)"),
        SettingKey(key: "job.annotations", kind: .metadata(labels: false), defaultValue: .map([:]), reachesJob: false,
                   summary: "annotations added to the Job's metadata (Argo CD sync waves, Flux)"),
        SettingKey(key: "configMap.labels", kind: .metadata(labels: true), defaultValue: .map([:]), reachesJob: false,
                   summary: "labels added to every ConfigMap's metadata"),
        SettingKey(key: "configMap.annotations", kind: .metadata(labels: false), defaultValue: .map([:]), reachesJob: false,
                   summary: "annotations added to every ConfigMap's metadata"),
        SettingKey(key: "gate.workloads", kind: .workloads, defaultValue: .list([]), reachesJob: false,
                   summary: "other workloads to gate on this migration, as kind/name (besides those labelled schemajob.io/gate: \"true\")"),
        SettingKey(key: "gate.readHosts", kind: .hosts, defaultValue: .list([]), reachesJob: true,
                   summary: "standbys the gated workloads read from (host or host:port); the Job succeeds, and the gate opens, when each has replayed the migration"),
    ]

    var takesList: Bool {
        switch kind {
        case .workloads, .hosts: true
        default: false
        }
    }

    public static func named(_ key: String) -> SettingKey? {
        all.first { $0.key == key }
    }
}

/// The kinds of workload the gate can be added to, as `gate.workloads` names them.
public enum WorkloadKind: String, CaseIterable, Sendable {
    case deployment, statefulset, daemonset, job, cronjob

    /// `Deployment`, `deployment`, `CronJob`: kinds are matched without case.
    public init?<Text: StringProtocol>(_ text: Text) {
        self.init(rawValue: text.lowercased())
    }

    /// The path of the pod spec inside an object of this kind.
    public var podSpecPath: [String] {
        self == .cronjob ? ["spec", "jobTemplate", "spec", "template", "spec"] : ["spec", "template", "spec"]
    }

    /// The kind as Kubernetes spells it.
    public var kubernetesKind: String {
        switch self {
        case .deployment: "Deployment"
        case .statefulset: "StatefulSet"
        case .daemonset: "DaemonSet"
        case .job: "Job"
        case .cronjob: "CronJob"
        }
    }

    public var apiVersion: String {
        switch self {
        case .deployment, .statefulset, .daemonset: "apps/v1"
        case .job, .cronjob: "batch/v1"
        }
    }
}
