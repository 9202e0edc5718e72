import Foundation
import Yams

/// `gate.yaml`, filled in for one plan: what a gated workload's pod spec gets.
public struct GateFragment {
    public var initContainer: Node
    public var volumes: [Node]

    /// The gate container's name as the template gives it (`schemajob-wait-for-schema` in
    /// the built-in one; an older or edited `--templates` may name it otherwise).
    public var containerName: String { initContainer.mapping?["name"]?.string ?? WorkloadGate.containerName }
}

/// Gating workloads schemajob does not own (decision 16): the kustomize Component that
/// `render --output-dir` writes, and the `schemajob gate` filter over a YAML stream.
/// Both add the same `gate.yaml` fragment, so a workload gated either way is gated alike.
public enum WorkloadGate {
    /// A workload labelled `schemajob.io/gate: "true"` is gated without being named.
    public static let label = "schemajob.io/gate"
    /// The built-in templates' name for the gate container: schemajob's own, so it never
    /// meets a chart's (the platform's chart has a `wait-for-schema` of its own).
    public static let containerName = "schemajob-wait-for-schema"
    public static let componentDirectory = "gate"

    public struct Target: Equatable, Sendable {
        public var kind: WorkloadKind
        public var name: String
        public var display: String { "\(kind.rawValue)/\(name)" }
    }

    /// The workloads `gate.workloads` names, in its order (settings checked their form).
    public static func named(_ settings: Settings) -> [Target] {
        (settings["gate.workloads"]?.listValue ?? []).compactMap { item in
            let parts = item.split(separator: "/")
            guard parts.count == 2, let kind = WorkloadKind(parts[0]) else { return nil }
            return Target(kind: kind, name: String(parts[1]))
        }
    }

    // MARK: The filter

    /// The hooks Helm runs, and waits for, before it applies the release's objects (the
    /// migration Job among them): a gate in one could only wait for a Job not yet created.
    static let hooksBeforeObjects = ["pre-install", "pre-upgrade", "pre-rollback"]

    /// `schemajob gate`: every document of `input`, with the selected workloads gated, then
    /// the migration objects (ConfigMaps, the Job, its NetworkPolicy; not the API Deployment,
    /// which a chart has of its own), as YAML documents. A document it does not gate is
    /// written back exactly as it came, byte for byte: Helm 4 sends its hooks through here
    /// and splits the stream again by an annotation it added, and a re-emitted document
    /// could change a hook's string weight or a chart's quoting. Running it over its own
    /// output changes nothing: a workload already carrying this exact gate, and objects
    /// already present as they are, are left alone; anything of the same name that differs
    /// is refused, never replaced.
    public static func filter(_ input: String, rendering: Rendering, fragment: GateFragment) throws -> [Substring] {
        let settings = rendering.plan.settings
        let namespace = settings.string("namespace")
        let documents = try parseStream(input)
        let chunks = StreamChunks(input)
        guard !documents.isEmpty else {
            throw InputError(SourceLocation(path: "<stdin>"),
                             "the input has no Kubernetes object (an empty stream: did the chart or overlay render nothing?)")
        }
        let named = named(settings)
        var found: [(target: Target, line: Int?)] = []
        // The gated text of each chunk that changes, by chunk index.
        var gatedChunks: [Int: Substring] = [:]
        var objects: [(kind: String, name: String, node: Node)] = []
        for (node, mark) in documents {
            let kindName = node.mapping?["kind"]?.string ?? ""
            let metadata = node.mapping?["metadata"]?.mapping
            let name = metadata?["name"]?.string ?? ""
            objects.append((kindName, name, node))
            guard let kind = WorkloadKind(kindName), kind.kubernetesKind == kindName, metadata?["name"]?.string != nil else { continue }
            let target = Target(kind: kind, name: name)
            let labelled = metadata?["labels"]?.mapping?[label]?.string == "true"
            guard labelled || named.contains(target) else { continue }
            let here = SourceLocation(path: "<stdin>", line: mark?.line)
            if let earlier = found.first(where: { $0.target == target }) {
                throw InputError(here, "\(target.display) is in the input twice (first at line \(earlier.line.map(String.init) ?? "?")): which one to gate would be a guess; render it once")
            }
            found.append((target, mark?.line))
            if let own = metadata?["namespace"]?.string, own != namespace {
                throw InputError(here, "\(target.display) is in namespace \(own), but the migration objects are in \(namespace) (set namespace)")
            }
            if let hook = metadata?["annotations"]?.mapping?["helm.sh/hook"]?.string {
                let phases = hook.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if let early = phases.first(where: { hooksBeforeObjects.contains($0) }) {
                    throw InputError(here, "\(target.display) is a Helm \(early) hook: Helm runs it, and waits for it, before it creates the migration Job, so its gate would wait until the hook times out; make it a post-install,post-upgrade hook, or leave it ungated (out of gate.workloads, without the label \(label))")
                }
            }
            let gatedNode = try gated(node, kind: kind, fragment: fragment, target: target, at: here)
            guard JSONValue(gatedNode) != JSONValue(node) else { continue }
            // libyaml marks every node it parses; a workload it could not place is refused, never left ungated.
            guard let line = mark?.line, let chunk = chunks.index(containing: line) else {
                throw InputError(here, "\(target.display): cannot find where it starts in the input")
            }
            let text = try YAMLWriter.documents([Manifest(kind: kindName, name: name, node: gatedNode)])[0]
            // The chunk's own comments (`# Source:` from `helm template`) stay above it.
            gatedChunks[chunk] = Substring("---\n" + chunks.leadingComments(chunk) + text.dropFirst(4))
        }
        if let missing = named.first(where: { target in !found.contains { $0.target == target } }) {
            throw InputError(SourceLocation(path: "gate.workloads"),
                             "names \(missing.display), which is not in the input (found: \(found.isEmpty ? "no workload to gate" : found.map(\.target.display).joined(separator: ", ")))")
        }

        var added: [Manifest] = []
        let apiName = settings.string("api.name")
        for manifest in rendering.manifests where !((manifest.kind == "Deployment" || manifest.kind == "NetworkPolicy") && manifest.name == apiName) {
            if let present = objects.first(where: { $0.kind == manifest.kind && $0.name == manifest.name }) {
                guard JSONValue(present.node) == JSONValue(manifest.node) else {
                    throw InputError(SourceLocation(path: "<stdin>"),
                                     "the input already has \(manifest.kind) \(manifest.name), and it is not the one this render makes")
                }
                continue
            }
            added.append(manifest)
        }
        let passed = chunks.texts.indices.map { gatedChunks[$0] ?? chunks.document($0) }
        return try passed.filter { !$0.isEmpty } + (added.isEmpty ? [] : YAMLWriter.documents(added))
    }

    static func parseStream(_ input: String) throws -> [(node: Node, mark: Mark?)] {
        var documents: [(node: Node, mark: Mark?)] = []
        do {
            // Parser itself, not `compose_all`: that sequence ends quietly at a syntax error.
            let parser = try Parser(yaml: input)
            var nodes: [Node] = []
            while let node = try parser.nextRoot() { nodes.append(node) }
            for node in nodes {
                // A document holding only comments (`helm template`'s `# Source:` lines) is null.
                if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" {
                    continue
                }
                guard let mapping = node.mapping, mapping["kind"]?.string != nil, mapping["apiVersion"]?.string != nil else {
                    throw InputError(SourceLocation(path: "<stdin>", line: node.mark?.line),
                                     "a document that is not a Kubernetes object (a mapping with apiVersion and kind)")
                }
                documents.append((node, node.mark))
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(yamlErrorLocation(error, path: "<stdin>"), "not valid YAML: \(yamlProblem(error))")
        }
        return documents
    }

    /// The workload with the gate's init container added, right after its last native
    /// sidecar (an init container with `restartPolicy: Always`: a database proxy the pod
    /// reaches the database through, which a gate placed before it could never use), or
    /// first when it has none; its own init containers stay as they are, in their order,
    /// whatever their names. A workload that already has exactly this gate is returned as
    /// it is (idempotent); one whose gate container or `schemajob-` volume differs (another
    /// hash's gate) is refused, never replaced.
    static func gated(_ workload: Node, kind: WorkloadKind, fragment: GateFragment, target: Target, at location: SourceLocation) throws -> Node {
        guard let podSpec = workload.value(at: kind.podSpecPath)?.mapping else {
            throw InputError(location, "\(target.display) has no pod spec at \(kind.podSpecPath.joined(separator: "."))")
        }
        var initContainers = Array(podSpec["initContainers"]?.sequence ?? [])
        var volumes = Array(podSpec["volumes"]?.sequence ?? [])
        if let existing = initContainers.first(where: { $0.mapping?["name"]?.string == fragment.containerName }) {
            guard JSONValue(existing) == JSONValue(fragment.initContainer) else {
                throw InputError(location,
                                 "\(target.display) already has an init container named \(fragment.containerName) that is not this gate (another hash's): render the chart again and gate it once")
            }
        } else {
            let lastSidecar = initContainers.lastIndex { $0.mapping?["restartPolicy"]?.string == "Always" }
            initContainers.insert(fragment.initContainer, at: lastSidecar.map { $0 + 1 } ?? 0)
        }
        // First, in the template's order, where kustomize's strategic merge puts them, so
        // the filter and the component give the same objects.
        var added: [Node] = []
        for volume in fragment.volumes {
            let name = volume.mapping?["name"]?.string
            if let existing = volumes.first(where: { $0.mapping?["name"]?.string == name }) {
                guard JSONValue(existing) == JSONValue(volume) else {
                    throw InputError(location, "\(target.display) already has a volume named \(name ?? "") that is not the gate's")
                }
            } else {
                added.append(volume)
            }
        }
        volumes.insert(contentsOf: added, at: 0)
        var spec = podSpec
        spec["initContainers"] = .sequence(Node.Sequence(initContainers))
        spec["volumes"] = .sequence(Node.Sequence(volumes))
        return workload.replacing(at: kind.podSpecPath, with: .mapping(spec))
    }

    /// A Deployment with nothing but the gate, for `verify` when the render has no API
    /// Deployment (`api.enabled=false`): the gate exactly as gated workloads get it.
    static func gatedStandIn(_ rendering: Rendering) throws -> Manifest {
        let container = Node.mapping(Node.Mapping([
            (stringNode("name"), stringNode("workload")), (stringNode("image"), stringNode("none")),
        ]))
        let workload = Node.mapping(Node.Mapping([
            (stringNode("apiVersion"), stringNode("apps/v1")), (stringNode("kind"), stringNode("Deployment")),
            (stringNode("metadata"), .mapping(Node.Mapping([(stringNode("name"), stringNode("gated-workload"))]))),
        ])).replacing(at: WorkloadKind.deployment.podSpecPath + ["containers"], with: .sequence(Node.Sequence([container])))
        let target = Target(kind: .deployment, name: "gated-workload")
        let node = try gated(workload, kind: .deployment, fragment: try rendering.gateFragment(), target: target,
                             at: SourceLocation(path: "verify"))
        return Manifest(kind: "Deployment", name: target.name, node: node)
    }

    // MARK: The component

    /// `gate/Kustomization`: a kustomize Component that adds the gate to every workload
    /// labelled `schemajob.io/gate: "true"` and to each one `gate.workloads` names. Its
    /// patches are strategic merge patches, which merge init containers and volumes by
    /// name: a workload matched twice, or built twice, still gets the gate once.
    public static func component(settings: Settings, fragment: GateFragment) throws -> String {
        var patches: [Node] = []
        func patch(_ kind: WorkloadKind, target: [(String, String)]) throws {
            var spec = Node.Mapping([])
            spec["initContainers"] = .sequence(Node.Sequence([fragment.initContainer]))
            spec["volumes"] = .sequence(Node.Sequence(fragment.volumes))
            // The object's own name is taken from the target; kustomize needs one here.
            let object = Node.mapping(Node.Mapping([
                (stringNode("apiVersion"), stringNode(kind.apiVersion)),
                (stringNode("kind"), stringNode(kind.kubernetesKind)),
                (stringNode("metadata"), .mapping(Node.Mapping([(stringNode("name"), stringNode("any"))]))),
            ])).replacing(at: kind.podSpecPath, with: .mapping(spec))
            let text = try Yams.serialize(node: object, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)
            patches.append(.mapping(Node.Mapping([
                (stringNode("target"), .mapping(Node.Mapping(target.map { (stringNode($0.0), stringNode($0.1)) }))),
                (stringNode("patch"), .scalar(Node.Scalar(text, Tag(.str), .literal))),
            ])))
        }
        for kind in WorkloadKind.allCases {
            try patch(kind, target: [("kind", kind.kubernetesKind), ("labelSelector", "\(label)=true")])
        }
        for target in named(settings) {
            try patch(target.kind, target: [("kind", target.kind.kubernetesKind), ("name", target.name)])
        }
        let root = Node.mapping(Node.Mapping([
            (stringNode("apiVersion"), stringNode("kustomize.config.k8s.io/v1alpha1")),
            (stringNode("kind"), stringNode("Component")),
            (stringNode("patches"), .sequence(Node.Sequence(patches))),
        ]))
        return try Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln, explicitStart: true)
    }
}

extension Node {
    /// The node at a path of mapping keys, or nil where one is missing.
    func value(at path: [String]) -> Node? {
        path.reduce(Optional(self)) { node, key in node?.mapping?[key] }
    }

    /// This node with the value at a path of mapping keys replaced, missing mappings made.
    func replacing(at path: [String], with value: Node) -> Node {
        guard let key = path.first else { return value }
        var mapping = self.mapping ?? Node.Mapping([])
        mapping[stringNode(key)] = (mapping[key] ?? .mapping(Node.Mapping([]))).replacing(at: Array(path.dropFirst()), with: value)
        return .mapping(mapping)
    }
}
