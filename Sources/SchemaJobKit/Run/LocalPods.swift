import Foundation

/// The pods of a rendered YAML stream, ready to run container by container on this
/// machine: each run gets a fresh temporary root for its volumes, removed afterwards.
public struct LocalPods: Sendable {
    public var objects: RenderedObjects
    /// Secret data by Secret name: what the cluster's Secrets would hold.
    public var secrets: [String: [String: String]]
    /// The pod's `metadata.name`, for `fieldRef` (the ledger records it).
    public var podName: String
    public var environmentOverrides: [String: String]
    public var removedVariables: Set<String>
    public var output: ContainerRun.Output

    public init(
        yaml: String,
        secrets: [String: [String: String]] = [:],
        podName: String,
        environmentOverrides: [String: String] = [:],
        removedVariables: Set<String> = [],
        output: ContainerRun.Output = .capture
    ) throws {
        self.objects = try RenderedObjects(yaml: yaml)
        self.secrets = secrets
        self.podName = podName
        self.environmentOverrides = environmentOverrides
        self.removedVariables = removedVariables
        self.output = output
    }

    /// Runs one container of the first object of `kind` (`Job`, `Deployment`).
    public func run(
        _ container: String,
        of kind: String,
        extraArguments: [String] = [],
        environment: [String: String] = [:],
        timeout: Duration? = nil
    ) throws -> ContainerRun.Result {
        let object = try objects.object(kind: kind)
        let root = try TemporaryDirectory(prefix: "schemajob-\(container)")
        let run = ContainerRun(
            pod: try object.podSpec(),
            containerName: container,
            configMaps: objects.configMaps,
            secrets: secrets,
            fieldValues: ["metadata.name": podName],
            environmentOverrides: environmentOverrides.merging(environment) { _, given in given },
            removedVariables: removedVariables,
            extraArguments: extraArguments,
            timeout: timeout,
            output: output)
        return try run.run(root: root.path)
    }
}
