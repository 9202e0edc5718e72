import Yams

/// One Kubernetes object, ready to write.
public struct Manifest {
    public var kind: String
    public var name: String
    public var node: Node
}

/// The `build` stage: turns a plan and the templates into manifests. Pure.
public enum ManifestBuilder {
    /// `migrationScript` is `MigrationScript.render(plan:templates:)`, made once by the caller,
    /// which keeps it for `schemajob script`; `requiredTables` is `plan.requiredTables`, or
    /// the same list as lint found it.
    public static func build(plan: Plan, templates: TemplateSet, migrationScript: String, requiredTables: [String]) throws -> [Manifest] {
        var values: [String: TemplateValue] = [:]
        for setting in SettingKey.all {
            values[setting.key] = TemplateValue(plan.settings[setting.key] ?? setting.defaultValue)
        }
        values["hash"] = .text(plan.hash)
        values["shortHash"] = .text(plan.shortHash)
        values["jobName"] = .text(plan.jobName)
        values["requiredTables"] = .text(requiredTables.joined(separator: ","))
        values["scripts.configMap"] = .text(plan.scriptsConfigMapName)
        for role in [ConfigMapPlan.Role.schema, .fixtures] {
            // A projected volume merges every ConfigMap of a phase into one directory,
            // so the script sees the same files however many ConfigMaps hold them.
            let sources = plan.configMaps(for: role).map { configMap -> Node in
                .mapping(Node.Mapping([(stringNode("configMap"), .mapping(Node.Mapping([(stringNode("name"), stringNode(configMap.name))])))]))
            }
            values["\(role.rawValue).sources"] = .node(.sequence(Node.Sequence(sources)))
        }

        let scripts = ConfigMapPlan(
            name: plan.scriptsConfigMapName,
            role: .scripts,
            entries: try templates.scriptNames.map { name in
                let key = String(name.dropFirst(TemplateSet.scriptsDirectory.count))
                let text = name == TemplateSet.migrationScript ? migrationScript : try templates.text(name)
                return (key, text)
            })

        let configMapTemplate = try parse(TemplateSet.configMap, in: templates)
        var manifests: [Manifest] = []
        for configMap in plan.dataConfigMaps + [scripts] {
            var configMapValues = values
            configMapValues["configMap.name"] = .text(configMap.name)
            configMapValues["configMap.component"] = .text(configMap.role.rawValue)
            configMapValues["configMap.data"] = .node(.mapping(Node.Mapping(
                configMap.entries.map { (stringNode($0.key), dataNode($0.text)) })))
            manifests.append(try instantiate(configMapTemplate, TemplateSet.configMap, configMapValues, templates))
        }
        var objectTemplates = [TemplateSet.job, TemplateSet.deployment]
        if plan.settings.string("networkPolicy.enabled") == "true" {
            objectTemplates += TemplateSet.networkPolicies
        }
        for name in objectTemplates {
            manifests.append(try instantiate(try parse(name, in: templates), name, values, templates))
        }
        return manifests
    }

    /// File contents as a literal block (`|`), so a diff of the manifests reads like SQL.
    /// libyaml falls back to a quoted scalar where a literal cannot hold the text exactly
    /// (trailing spaces, tabs after a line break); `lint` flags those.
    static func dataNode(_ text: String) -> Node {
        // Looked for among the bytes: `String.contains(String)` goes through Foundation,
        // which counts the whole text in UTF-16 first.
        text.utf8.contains(UInt8(ascii: "\n")) ? .scalar(Node.Scalar(text, Tag(.str), .literal)) : stringNode(text)
    }

    static func parse(_ name: String, in templates: TemplateSet) throws -> Node {
        let path = templates.displayPath(name)
        let text = try templates.text(name)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw TemplateError(location: yamlErrorLocation(error, path: path), message: "not valid YAML: \(yamlProblem(error))")
        }
        guard let node, node.mapping != nil else {
            throw TemplateError(location: SourceLocation(path: path), message: "template must be one Kubernetes object (a YAML mapping)")
        }
        return node
    }

    static func instantiate(_ template: Node, _ name: String, _ values: [String: TemplateValue], _ templates: TemplateSet) throws -> Manifest {
        let path = templates.displayPath(name)
        let node = try TemplateInstantiation(values: values, path: path).instantiate(template)
        guard let kind = node.mapping?["kind"]?.string, let objectName = node.mapping?["metadata"]?.mapping?["name"]?.string else {
            throw TemplateError(location: SourceLocation(path: path), message: "template needs `kind` and `metadata.name`")
        }
        return Manifest(kind: kind, name: objectName, node: node)
    }
}
