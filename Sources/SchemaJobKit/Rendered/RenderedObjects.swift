import Yams

/// A rendered YAML stream read back into typed Kubernetes objects: the one reader of a
/// render for every stage that reads one (`Run/` runs its containers here, `Compare/`
/// diffs two renders). Only the fields someone reads are typed; the rest is ignored.
public struct RenderedObjects: Sendable {
    public var objects: [KubernetesObject]

    public init(objects: [KubernetesObject]) {
        self.objects = objects
    }

    /// Reads every document of a multi-document YAML stream; empty documents are skipped.
    /// Plain scalars are matched against YAML's boolean pattern only: every field read here
    /// is typed, the decoder reads numbers and nulls from the text itself, and only a
    /// `Bool` needs its tag. The other patterns, six more regular expressions run on every
    /// key and value, were a third of what `schemajob apply` itself did on 200 files.
    public init(yaml: String) throws {
        var objects: [KubernetesObject] = []
        do {
            for node in try Self.documents(in: yaml, resolver: Self.resolver) {
                if case .scalar = node { continue }
                objects.append(try YAMLDecoder().decode(KubernetesObject.self, from: node))
            }
        } catch {
            throw InputError("rendered manifests", "cannot read the YAML: \(error)")
        }
        self.objects = objects
    }

    /// Every document of a YAML stream (JSON is YAML too), as composed nodes; Yams'
    /// errors are the caller's to place.
    public static func documents(in yaml: String, resolver: Resolver = .default) throws -> [Node] {
        var nodes: [Node] = []
        var documents = try Yams.compose_all(yaml: yaml, resolver)
        while let node = documents.next() { nodes.append(node) }
        // The sequence stops at a syntax error and keeps it, instead of throwing.
        if let error = documents.error { throw error }
        return nodes
    }

    private static let resolver = Resolver.basic.appending(.bool)

    /// The object of this kind, and of this name when one is given.
    public func object(kind: String, name: String? = nil) throws -> KubernetesObject {
        guard let object = objects.first(where: { $0.kind == kind && (name == nil || $0.metadata.name == name) }) else {
            throw InputError("rendered manifests", "no \(kind)\(name.map { " named \($0)" } ?? "") in the output")
        }
        return object
    }

    /// Every ConfigMap's data by the ConfigMap's name, as a pod would find them.
    public var configMaps: [String: [String: String]] {
        var configMaps: [String: [String: String]] = [:]
        for object in objects where object.kind == "ConfigMap" {
            configMaps[object.metadata.name] = object.data ?? [:]
        }
        return configMaps
    }
}

public struct KubernetesObject: Decodable, Sendable {
    public var kind: String
    public var metadata: ObjectMetadata
    /// A ConfigMap's files.
    public var data: [String: String]?
    public var spec: WorkloadSpec?

    /// The pod a Job or Deployment runs.
    public func podSpec() throws -> PodSpec {
        guard let pod = spec?.template?.spec else {
            throw InputError("\(kind)/\(metadata.name)", "has no pod template")
        }
        return pod
    }

    /// The exit codes of `container` that the Job's `podFailurePolicy` answers with `action`
    /// (`FailJob`, `Ignore`, `Count`).
    public func exitCodes(for action: String, container: String) -> [Int32] {
        let rules = spec?.podFailurePolicy?.rules ?? []
        return rules.filter { rule in
            rule.action == action && rule.onExitCodes?.operator == "In"
                && (rule.onExitCodes?.containerName ?? container) == container
        }.flatMap { $0.onExitCodes?.values ?? [] }
    }
}

/// What names an object of any kind: `diff` matches objects by it, and reads the hash
/// from its label and annotation.
public struct ObjectIdentity: Decodable, Sendable {
    public var kind: String
    public var metadata: ObjectMetadata
}

public struct ObjectMetadata: Decodable, Sendable {
    public var name: String
    public var labels: [String: String]?
    public var annotations: [String: String]?
}

public struct WorkloadSpec: Decodable, Sendable {
    public var template: PodTemplate?
    public var podFailurePolicy: PodFailurePolicy?
    /// A Job's: how many failed pods the Job controller replaces before the Job fails.
    public var backoffLimit: Int?
}

public struct PodTemplate: Decodable, Sendable {
    public var spec: PodSpec?
}

public struct PodFailurePolicy: Decodable, Sendable {
    public var rules: [Rule]?

    public struct Rule: Decodable, Sendable {
        public var action: String
        public var onExitCodes: ExitCodes?
    }

    public struct ExitCodes: Decodable, Sendable {
        public var containerName: String?
        public var `operator`: String
        public var values: [Int32]
    }
}

public struct PodSpec: Decodable, Sendable {
    public var initContainers: [Container]?
    public var containers: [Container]
    public var volumes: [Volume]?

    /// An init container or a container of this pod, by name.
    public func container(named name: String) -> Container? {
        ((initContainers ?? []) + containers).first { $0.name == name }
    }
}

public struct Container: Decodable, Sendable {
    public var name: String
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var env: [EnvironmentVariable]?
    public var envFrom: [Unsupported]?
    public var volumeMounts: [VolumeMount]?
}

public struct EnvironmentVariable: Decodable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: Source?

    public struct Source: Decodable, Sendable {
        public var secretKeyRef: KeyReference?
        public var configMapKeyRef: KeyReference?
        public var fieldRef: FieldReference?
        public var resourceFieldRef: Unsupported?
    }

    public struct KeyReference: Decodable, Sendable {
        public var name: String
        public var key: String
        public var optional: Bool?
    }

    public struct FieldReference: Decodable, Sendable {
        public var fieldPath: String
    }
}

public struct VolumeMount: Decodable, Sendable {
    public var name: String
    public var mountPath: String
    public var subPath: String?
}

public struct Volume: Decodable, Sendable {
    public var name: String
    public var configMap: ConfigMapSource?
    public var secret: SecretSource?
    public var projected: ProjectedSource?
    public var emptyDir: Unsupported?

    public struct ConfigMapSource: Decodable, Sendable {
        public var name: String
        public var items: [KeyToPath]?
        public var defaultMode: Int?
        public var optional: Bool?
    }

    public struct SecretSource: Decodable, Sendable {
        public var secretName: String
        public var items: [KeyToPath]?
        public var defaultMode: Int?
        public var optional: Bool?
    }

    public struct ProjectedSource: Decodable, Sendable {
        public var sources: [Projection]
        public var defaultMode: Int?
    }

    /// One source of a projected volume; a projected secret names its Secret `name`.
    public struct Projection: Decodable, Sendable {
        public var configMap: ConfigMapSource?
        public var secret: ConfigMapSource?
    }

    public struct KeyToPath: Decodable, Sendable {
        public var key: String
        public var path: String
        public var mode: Int?
    }
}

/// A field whose presence matters but whose content the local runner does not read.
public struct Unsupported: Decodable, Sendable {
    public init(from decoder: any Decoder) throws {}
}
