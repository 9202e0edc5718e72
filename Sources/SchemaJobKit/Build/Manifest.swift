import Yams

/// One Kubernetes object, ready to write.
public struct Manifest {
    public var kind: String
    public var name: String
    public var node: Node
}

/// The `build` stage: turns a plan and the templates into manifests. Pure.
public enum ManifestBuilder {
    /// `migrationScript` is `MigrationScript.render(plan:templates:analysis:)`, made once by
    /// the caller, which keeps it for `schemajob script`; `requiredTables` is the set's
    /// (`MigrationAnalysis.requiredTables`).
    /// `contracts` are the set's contract steps (`ContractMarker`), listed on the Job.
    public static func build(plan: Plan, templates: TemplateSet, migrationScript: String, requiredTables: [String],
                             contracts: [ContractMarker] = []) throws -> [Manifest] {
        let values = values(plan: plan, requiredTables: requiredTables)

        let scripts = try scriptsConfigMap(plan: plan, templates: templates, migrationScript: migrationScript, requiredTables: requiredTables)

        let configMapTemplate = try parse(TemplateSet.configMap, in: templates)
        var manifests: [Manifest] = []
        for configMap in plan.dataConfigMaps + plan.statementConfigMaps + [scripts] {
            var configMapValues = values
            configMapValues["configMap.name"] = .text(configMap.name)
            configMapValues["configMap.component"] = .text(configMap.role.rawValue)
            configMapValues["configMap.data"] = .node(.mapping(Node.Mapping(
                configMap.entries.map { (stringNode($0.key), dataNode($0.text)) }, yamlTag(.implicit))))
            var manifest = try instantiate(configMapTemplate, TemplateSet.configMap, configMapValues, templates)
            try addMetadata(to: &manifest, from: plan.settings, labels: "configMap.labels", annotations: "configMap.annotations",
                            template: templates.displayPath(TemplateSet.configMap))
            manifests.append(manifest)
        }
        let withAPI = plan.settings.string("api.enabled") == "true"
        var objectTemplates = [TemplateSet.job] + (withAPI ? [TemplateSet.deployment] : [])
        if plan.settings.string("networkPolicy.enabled") == "true" {
            objectTemplates += TemplateSet.networkPolicies.filter { withAPI || $0 != TemplateSet.apiNetworkPolicy }
        }
        for name in objectTemplates {
            var manifest = try instantiate(try parse(name, in: templates), name, values, templates)
            if name == TemplateSet.job {
                try addMetadata(to: &manifest, from: plan.settings, labels: "job.labels", annotations: "job.annotations",
                                template: templates.displayPath(name))
                addContracts(contracts, to: &manifest)
            }
            manifests.append(manifest)
        }
        return manifests
    }

    /// The Job's scripts: the templates' `scripts/` with the migration script made for the
    /// plan, and the required tables when they are too many for an environment string
    /// (`RequiredTablesValue`), by key.
    static func scriptsConfigMap(plan: Plan, templates: TemplateSet, migrationScript: String, requiredTables: [String]) throws -> ConfigMapPlan {
        var entries: [(key: String, text: String)] = try templates.scriptNames.map { name in
            let key = String(name.dropFirst(TemplateSet.scriptsDirectory.count))
            let text = name == TemplateSet.migrationScript ? migrationScript : try templates.text(name)
            return (key, text)
        }
        if plan.requiredTablesInFile {
            let tables = RequiredTablesValue.scriptsEntry(requiredTables)
            // Custom templates copied before the file existed would pass `@required-tables`
            // to psql as the one table the gate waits for, and it would never open.
            if let missing = RequiredTablesValue.readers.first(where: { !templates.contains($0) }) {
                throw InputError(
                    SourceLocation(path: templates.displayPath(missing)),
                    "missing: \(RequiredTablesValue.environmentName) (\(requiredTables.count) tables, \(RequiredTablesValue.environmentString(requiredTables)) bytes as an environment string) is past Linux's \(JobLimits.environmentStringLimit), so it travels as the scripts' \(RequiredTablesValue.fileKey) key, which only scripts that have this file read: copy required-tables.sh and required-tables.psql, and the built-in migrate.sh, wait-for-schema.sh, migration.psql and schema-wait.psql that use them, into your templates")
            }
            guard !entries.contains(where: { $0.key == tables.key }) else {
                throw InputError(SourceLocation(path: templates.displayPath(TemplateSet.scriptsDirectory + tables.key)),
                                 "schemajob writes this key itself, for a set with as many tables as this one: rename the template")
            }
            entries.append(tables)
            entries.sort { DatabaseReader.byteOrder($0.key, $1.key) }
        }
        return ConfigMapPlan(name: plan.scriptsConfigMapName, role: .scripts, entries: entries)
    }

    /// The init container and volumes `gate.yaml` adds to a workload schemajob does not own.
    public static func gateFragment(plan: Plan, templates: TemplateSet, requiredTables: [String]) throws -> GateFragment {
        let path = templates.displayPath(TemplateSet.gate)
        let node = try TemplateInstantiation(values: values(plan: plan, requiredTables: requiredTables), path: path)
            .instantiate(try parse(TemplateSet.gate, in: templates))
        guard let containers = node.mapping?["initContainers"]?.sequence, containers.count == 1,
              containers[0].mapping?["name"]?.string?.isEmpty == false,
              let volumes = node.mapping?["volumes"]?.sequence
        else {
            throw InputError(SourceLocation(path: path),
                             "the gate template needs `initContainers` (one, with a name: the built-in one is \(WorkloadGate.containerName)) and `volumes`")
        }
        return GateFragment(initContainer: containers[0], volumes: Array(volumes))
    }

    /// The `${...}` values every template may use.
    static func values(plan: Plan, requiredTables: [String]) -> [String: TemplateValue] {
        var values: [String: TemplateValue] = [:]
        for setting in SettingKey.all {
            values[setting.key] = TemplateValue(plan.settings[setting.key] ?? setting.defaultValue)
        }
        values["hash"] = .text(plan.hash)
        values["version"] = .text(SchemaJob.version)
        values["shortHash"] = .text(plan.shortHash)
        values["jobName"] = .text(plan.jobName)
        values["requiredTables"] = .text(RequiredTablesValue.templateValue(requiredTables, inFile: plan.requiredTablesInFile))
        values["scripts.configMap"] = .text(plan.scriptsConfigMapName)
        for phase in Phase.allCases {
            // A projected volume merges every ConfigMap of a phase into one directory,
            // so the script sees the same files however many ConfigMaps hold them.
            let sources = plan.configMaps(for: phase).map { configMap -> Node in
                .mapping(Node.Mapping(
                    [(stringNode("configMap"), .mapping(Node.Mapping([(stringNode("name"), stringNode(configMap.name))], yamlTag(.implicit))))],
                    yamlTag(.implicit)))
            }
            values["\(phase.rawValue).sources"] = .node(.sequence(Node.Sequence(sources, yamlTag(.implicit))))
        }
        return values
    }

    /// Adds the user's labels and annotations (`job.labels`, …) to an object's metadata.
    /// A key the template sets itself stays the template's: taking it over silently would
    /// break what relies on it (`kubectl apply --prune`, the NetworkPolicy's selector).
    static func addMetadata(to manifest: inout Manifest, from settings: Settings, labels: String, annotations: String,
                            template: String) throws {
        guard var metadata = manifest.node.mapping?["metadata"]?.mapping else { return }
        for (field, key) in [("labels", labels), ("annotations", annotations)] {
            let entries = settings[key]?.mapValue ?? [:]
            guard !entries.isEmpty else { continue }
            var mapping = metadata[field]?.mapping ?? Node.Mapping([])
            for (name, value) in entries.sorted(by: { $0.key < $1.key }) {
                if mapping[name] != nil {
                    throw InputError(SourceLocation(path: key),
                                     "sets \(name), which \(template) sets itself on \(manifest.kind) \(manifest.name)")
                }
                mapping[stringNode(name)] = stringNode(value)
            }
            metadata[field] = .mapping(mapping)
        }
        manifest.node = manifest.node.replacing(at: ["metadata"], with: .mapping(metadata))
    }

    /// `schemajob/contract` on the Job: the statements meant to break the previous
    /// release, with their reasons, so the manifest diff a reviewer reads shows them.
    static func addContracts(_ contracts: [ContractMarker], to manifest: inout Manifest) {
        guard let value = ContractMarker.annotationValue(contracts),
            var metadata = manifest.node.mapping?["metadata"]?.mapping
        else { return }
        var annotations = metadata["annotations"]?.mapping ?? Node.Mapping([])
        annotations[stringNode(ContractMarker.annotation)] = stringNode(value)
        metadata["annotations"] = .mapping(annotations)
        manifest.node = manifest.node.replacing(at: ["metadata"], with: .mapping(metadata))
    }

    /// File contents as a literal block (`|`), so a diff of the manifests reads like SQL.
    /// libyaml falls back to a quoted scalar where a literal cannot hold the text exactly
    /// (trailing spaces, tabs after a line break); `lint` flags those.
    static func dataNode(_ text: String) -> Node {
        // Looked for among the bytes: `String.contains(String)` goes through Foundation,
        // which counts the whole text in UTF-16 first.
        text.utf8.contains(UInt8(ascii: "\n")) ? .scalar(Node.Scalar(text, yamlTag(.str), .literal)) : stringNode(text)
    }

    static func parse(_ name: String, in templates: TemplateSet) throws -> Node {
        let path = templates.displayPath(name)
        let text = try templates.text(name)
        let node: Node?
        do {
            // Parsed without regular expressions (`Resolver.basic`), and each untagged
            // value then given the tag the default resolver would give it (`resolvingTags`):
            // Yams would otherwise run its resolver's expressions on every key as it checks
            // for duplicates, and on every value as it writes it.
            node = try Yams.compose(yaml: text, .basic, yamlConstructor).map(resolvingTags)
        } catch {
            throw InputError(yamlErrorLocation(error, path: path), "not valid YAML: \(yamlProblem(error))")
        }
        guard let node, node.mapping != nil else {
            throw InputError(SourceLocation(path: path), "template must be one Kubernetes object (a YAML mapping)")
        }
        return node
    }

    /// `node` with each untagged value's tag resolved as `Resolver.default` would; keys,
    /// which the parse resolved already, stay strings (a template's keys are names).
    static func resolvingTags(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            // An untagged scalar's tag has the empty name until it is resolved.
            if scalar.tag.description.isEmpty { scalar.tag = yamlTag(resolvedTagName(scalar.string)) }
            return .scalar(scalar)
        case .mapping(let mapping):
            return .mapping(Node.Mapping(mapping.map { ($0.key, resolvingTags($0.value)) }, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(resolvingTags), sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    static func instantiate(_ template: Node, _ name: String, _ values: [String: TemplateValue], _ templates: TemplateSet) throws -> Manifest {
        let path = templates.displayPath(name)
        let node = try TemplateInstantiation(values: values, path: path).instantiate(template)
        guard let kind = node.mapping?["kind"]?.string, let objectName = node.mapping?["metadata"]?.mapping?["name"]?.string else {
            throw InputError(SourceLocation(path: path), "template needs `kind` and `metadata.name`")
        }
        return Manifest(kind: kind, name: objectName, node: node)
    }
}
