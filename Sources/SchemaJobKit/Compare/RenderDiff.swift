import Foundation
import Yams

/// `schemajob diff`: what changed between two renders, object by object.
///
/// Objects are matched by kind and name without the hash, so `db-schema-<old>` and
/// `db-schema-<new>` are one object renamed. Before fields are compared, both hashes are
/// replaced by `<hash>` everywhere, so what is left is what made the hash change.
public struct RenderDiff: Sendable, Encodable {
    public enum Status: String, Sendable, Encodable {
        case added, removed, renamed, changed
    }

    public struct FieldChange: Sendable, Encodable, Equatable {
        public var path: String
        @JSONNullable public var old: String?
        @JSONNullable public var new: String?
    }

    /// A file (ConfigMap key) added, removed or changed, with its line diff.
    public struct FileChange: Sendable, Encodable, Equatable {
        public var name: String
        public var status: String
        public var diff: String
    }

    public struct ObjectChange: Sendable, Encodable {
        public var kind: String
        @JSONNullable public var oldName: String?
        @JSONNullable public var newName: String?
        public var status: Status
        public var fields: [FieldChange]
        public var files: [FileChange]
        /// Why the object changed, in a few words (`010_x.sql added, spec.backoffLimit 4 → 6`).
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case kind, status, fields, files, reason
            case oldName = "old_name", newName = "new_name"
        }
    }

    public var objects: [ObjectChange]
    public var isEmpty: Bool { objects.isEmpty }

    static let hashPlaceholder = "<hash>"

    public static func compare(old: [RenderedObject], new: [RenderedObject]) -> RenderDiff {
        var changes: [ObjectChange] = []
        let newByIdentity = Dictionary(new.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        let oldIdentities = Set(old.map(\.identity))
        // The files that changed anywhere: a Job's hash covers every ConfigMap it reads.
        var allFileChanges: [FileChange] = []
        var jobs: [Int] = []
        let oldHashes = hashes(old), newHashes = hashes(new)
        for before in old {
            guard let after = newByIdentity[before.identity] else {
                changes.append(ObjectChange(kind: before.kind, oldName: before.name, newName: nil, status: .removed,
                                            fields: [], files: [], reason: "removed"))
                continue
            }
            let oldLeaves = leaves(before.content, hashes: oldHashes, excludingData: before.kind == "ConfigMap")
            let newLeaves = leaves(after.content, hashes: newHashes, excludingData: after.kind == "ConfigMap")
            var fields: [FieldChange] = []
            for path in Set(oldLeaves.keys).union(newLeaves.keys).sorted() where oldLeaves[path] != newLeaves[path] {
                fields.append(FieldChange(path: path, old: oldLeaves[path], new: newLeaves[path]))
            }
            var files: [FileChange] = []
            if before.kind == "ConfigMap" {
                let oldData = before.data, newData = after.data
                for name in Set(oldData.keys).union(newData.keys).sorted(by: DatabaseReader.byteOrder) {
                    switch (oldData[name], newData[name]) {
                    case (nil, let text?):
                        files.append(FileChange(name: name, status: "added", diff: LineDiff.unified(
                            old: "", new: text, oldLabel: "/dev/null", newLabel: "b/\(name)")))
                    case (let text?, nil):
                        files.append(FileChange(name: name, status: "removed", diff: LineDiff.unified(
                            old: text, new: "", oldLabel: "a/\(name)", newLabel: "/dev/null")))
                    case (let was?, let now?) where was != now:
                        files.append(FileChange(name: name, status: "changed", diff: LineDiff.unified(
                            old: was, new: now, oldLabel: "a/\(name)", newLabel: "b/\(name)")))
                    default:
                        break
                    }
                }
                allFileChanges += files
            }
            let renamed = before.name != after.name
            let hashChanged = before.hash != after.hash || before.shortHash != after.shortHash
            guard renamed || hashChanged || !fields.isEmpty || !files.isEmpty else { continue }
            if before.kind == "Job" { jobs.append(changes.count) }
            let reasons = files.map { "\($0.name) \($0.status)" } + fields.map(describe)
            changes.append(ObjectChange(
                kind: before.kind, oldName: before.name, newName: after.name,
                status: renamed ? .renamed : .changed, fields: fields, files: files,
                reason: reasons.isEmpty ? "the hash only" : reasons.joined(separator: ", ")))
        }
        for after in new where !oldIdentities.contains(after.identity) {
            changes.append(ObjectChange(kind: after.kind, oldName: nil, newName: after.name, status: .added,
                                        fields: [], files: [], reason: "added"))
        }
        for index in jobs {
            let reasons = allFileChanges.map { "\($0.name) \($0.status)" } + changes[index].fields.map(describe)
            if !reasons.isEmpty { changes[index].reason = reasons.joined(separator: ", ") }
        }
        return RenderDiff(objects: changes)
    }

    static func describe(_ field: FieldChange) -> String {
        "\(field.path) \(field.old ?? "(none)") → \(field.new ?? "(none)")"
    }

    /// Every hash a render's objects carry, full ones first (a short hash is a prefix of
    /// its full hash). The Deployment names the hash only in its pod template, so hashes
    /// are taken from the whole render, not object by object.
    static func hashes(_ objects: [RenderedObject]) -> [String] {
        let full = Set(objects.compactMap(\.hash)).filter { !$0.isEmpty }.sorted()
        let short = Set(objects.compactMap(\.shortHash)).filter { !$0.isEmpty }.sorted()
        return full + short
    }

    /// Every scalar by its path (`spec.template.spec.containers[api].env[PGHOST].value`),
    /// with the render's `hashes` replaced by `<hash>` in every string.
    ///
    /// A list whose entries all carry a distinct `name` (containers, env, ports, volumes,
    /// volumeMounts) is keyed by those names, as Kubernetes itself matches them: adding
    /// or removing one entry then shows as that entry alone, not as every later index
    /// changing. Any other list is keyed by index (`args[2]`).
    static func leaves(_ node: Node, hashes: [String], excludingData: Bool) -> [String: String] {
        var result: [String: String] = [:]
        func walk(_ node: Node, _ path: String) {
            switch node {
            case .mapping(let mapping):
                for (keyNode, child) in mapping {
                    let key = keyNode.string ?? ""
                    if excludingData && path.isEmpty && (key == "data" || key == "binaryData") { continue }
                    walk(child, path.isEmpty ? key : "\(path).\(key)")
                }
            case .sequence(let sequence):
                let array = Array(sequence)
                if let names = entryNames(array, hashes: hashes) {
                    for (name, child) in zip(names, array) { walk(child, "\(path)[\(name)]") }
                } else {
                    for (index, child) in array.enumerated() { walk(child, "\(path)[\(index)]") }
                }
            case .scalar:
                result[path] = text(of: node, hashes: hashes)
            case .alias:
                // Composing resolves every alias to its anchor's node: none is left here.
                break
            }
        }
        walk(node, "")
        return result
    }

    /// A scalar as the diff shows it: by YAML's full rules (a number as the number, any
    /// null as `null`), a string with the hashes replaced.
    static func text(of node: Node, hashes: [String]) -> String {
        switch Constructor.default.any(from: node) {
        case is NSNull: return "null"
        case let text as String: return hashes.reduce(text) { $0.replacingOccurrences(of: $1, with: hashPlaceholder) }
        case let value: return "\(value)"
        }
    }

    /// The entries' names, when every entry is a mapping with a string `name` and no two
    /// names are the same; nil otherwise (the list is then keyed by index).
    static func entryNames(_ array: [Node], hashes: [String]) -> [String]? {
        var names: [String] = []
        var seen: Set<String> = []
        for entry in array {
            guard case .mapping = entry, let nameNode = entry["name"], nameNode.scalar != nil,
                  Constructor.default.any(from: nameNode) is String else { return nil }
            let name = text(of: nameNode, hashes: hashes)
            guard seen.insert(name).inserted else { return nil }
            names.append(name)
        }
        return names
    }

    /// One line per changed object, each file's diff indented under it.
    public func text() -> String {
        var text = ""
        for object in objects {
            switch object.status {
            case .added: text += "+ \(object.kind) \(object.newName ?? "")\n"
            case .removed: text += "- \(object.kind) \(object.oldName ?? "")\n"
            case .renamed: text += "~ \(object.kind) \(object.oldName ?? "") → \(object.newName ?? ""): \(object.reason)\n"
            case .changed: text += "~ \(object.kind) \(object.newName ?? ""): \(object.reason)\n"
            }
            for file in object.files {
                text += file.diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                    .map { "    \($0)\n" }.joined()
            }
        }
        return text
    }

    public func json() throws -> String {
        try JSONOutput.text(self)
    }
}
