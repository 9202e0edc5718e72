import Foundation
import Yams

/// Every setting's value: defaults, then the config file, then `--set` flags (flags win).
public struct Settings: Hashable, Sendable {
    public private(set) var values: [String: SettingValue]

    public init() {
        values = Dictionary(uniqueKeysWithValues: SettingKey.all.map { ($0.key, $0.defaultValue) })
    }

    public subscript(key: String) -> SettingValue? { values[key] }

    public func string(_ key: String) -> String { values[key]?.description ?? "" }

    /// Reads `schemajob.yaml`-style nested YAML (`postgres: {host: …}`).
    public mutating func apply(configFile path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path)
        } catch {
            throw InputError(SourceLocation(path: path), "cannot read the config file: \(error.message)")
        }
        guard let text = String(validatingUTF8Bytes: bytes) else {
            throw InputError(SourceLocation(path: path), "config file is not UTF-8")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw InputError(yamlErrorLocation(error, path: path), "not valid YAML: \(yamlProblem(error))")
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            throw InputError(location(of: root, in: path), "config file must be a mapping of settings")
        }
        try apply(mapping: mapping, prefix: "", path: path)
    }

    private mutating func apply(mapping: Node.Mapping, prefix: String, path: String) throws {
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else {
                throw InputError(location(of: keyNode, in: path), "setting names must be plain text")
            }
            let key = prefix + name
            if let setting = SettingKey.named(key), case .metadata = setting.kind {
                guard let entries = valueNode.mapping else {
                    throw InputError(location(of: valueNode, in: path), "'\(key)' takes a mapping of keys to values")
                }
                var map: [String: String] = [:]
                for (entryKey, entryValue) in entries {
                    guard let entryName = entryKey.scalar?.string, let text = entryValue.scalar?.string else {
                        throw InputError(location(of: entryKey, in: path), "'\(key)' takes text keys and text values")
                    }
                    map[entryName] = text
                }
                try set(setting, .map(map), at: location(of: valueNode, in: path))
                continue
            }
            if let setting = SettingKey.named(key), setting.takesList, let sequence = valueNode.sequence {
                var items: [String] = []
                for item in sequence {
                    guard let text = item.scalar?.string else {
                        throw InputError(location(of: item, in: path), "'\(key)' takes a list of text")
                    }
                    items.append(text)
                }
                try set(setting, .list(items), at: location(of: valueNode, in: path))
                continue
            }
            if let nested = valueNode.mapping {
                guard SettingKey.all.contains(where: { $0.key.hasPrefix(key + ".") }) else {
                    throw InputError(location(of: keyNode, in: path), "unknown setting '\(key)'\(Self.knownKeysHint)")
                }
                try apply(mapping: nested, prefix: key + ".", path: path)
                continue
            }
            guard let setting = SettingKey.named(key) else {
                throw InputError(location(of: keyNode, in: path), "unknown setting '\(key)'\(Self.knownKeysHint)")
            }
            guard let scalar = valueNode.scalar else {
                throw InputError(location(of: valueNode, in: path), "'\(key)' takes a single value")
            }
            let value: SettingValue
            switch setting.kind {
            case .integer:
                // A YAML integer only: `4`, not `"4"`, `4.0` or `1e9`.
                guard scalar.style == .plain || scalar.style == .any, let number = Int(scalar.string) else {
                    throw InputError(location(of: valueNode, in: path), "'\(key)' must be a whole number, not '\(scalar.string)'")
                }
                value = .integer(number)
            case .workloads, .hosts:
                value = .list(Self.commaSeparated(scalar.string))
            default:
                value = .string(scalar.string)
            }
            try set(setting, value, at: location(of: valueNode, in: path))
        }
    }

    /// Applies one `--set key=value` flag.
    public mutating func apply(flag: String) throws {
        let flagLocation = SourceLocation(path: "--set \(flag)")
        guard let equals = flag.firstIndex(of: "=") else {
            throw InputError(flagLocation, "expected KEY=VALUE")
        }
        let key = String(flag[..<equals])
        let text = String(flag[flag.index(after: equals)...])
        // `--set job.annotations.argocd.argoproj.io/sync-wave=-1`: one entry of a mapping.
        if let setting = SettingKey.all.first(where: { if case .metadata = $0.kind { key.hasPrefix($0.key + ".") } else { false } }) {
            var map = values[setting.key]?.mapValue ?? [:]
            map[String(key.dropFirst(setting.key.count + 1))] = text
            try set(setting, .map(map), at: flagLocation)
            return
        }
        guard let setting = SettingKey.named(key) else {
            throw InputError(flagLocation, "unknown setting '\(key)'\(Self.knownKeysHint)")
        }
        let value: SettingValue
        if case .integer = setting.kind {
            guard let number = Int(text) else {
                throw InputError(flagLocation, "'\(key)' must be a whole number, not '\(text)'")
            }
            value = .integer(number)
        } else if setting.takesList {
            value = .list(Self.commaSeparated(text))
        } else if case .metadata = setting.kind {
            throw InputError(flagLocation, "'\(key)' is a mapping: give one entry as --set \(key).KEY=VALUE")
        } else {
            value = .string(text)
        }
        try set(setting, value, at: flagLocation)
    }

    private mutating func set(_ setting: SettingKey, _ value: SettingValue, at location: SourceLocation) throws {
        if let problem = Self.problem(with: value, for: setting) {
            throw InputError(location, "'\(setting.key)' \(problem)")
        }
        values[setting.key] = value
    }

    static func commaSeparated(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let knownKeysHint = " (known: " + SettingKey.all.map(\.key).joined(separator: ", ") + ")"

    /// What is wrong with a value for a setting, or nil when it is acceptable.
    static func problem(with value: SettingValue, for setting: SettingKey) -> String? {
        switch (setting.kind, value) {
        case (.integer(let range), .integer(let number)):
            return range.contains(number) ? nil : "must be between \(range.lowerBound) and \(range.upperBound), not \(number)"
        case (.integer, _):
            return "must be a whole number"
        case (.workloads, .list(let items)):
            return items.lazy.compactMap(workloadProblem).first
        case (.hosts, .list(let items)):
            return items.lazy.compactMap(hostProblem).first
        case (.metadata(let labels), .map(let entries)):
            for (key, text) in entries.sorted(by: { $0.key < $1.key }) {
                if let problem = metadataKeyProblem(key) { return problem }
                if labels && !isLabelValue(text) {
                    return "value of '\(key)' must be a label value (at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit), not '\(text)'"
                }
                if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
                    return "value of '\(key)' must not contain control characters"
                }
            }
            return nil
        case (.workloads, _), (.hosts, _):
            return "must be a list"
        case (.metadata, _):
            return "must be a mapping"
        case (_, .integer), (_, .list), (_, .map):
            return "must be text"
        case (let kind, .string(let text)):
            guard !text.isEmpty else { return "must not be empty" }
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return "must not contain control characters"
            }
            switch kind {
            case .dnsLabel:
                return isDNSLabel(text) ? nil : "must be a DNS-1123 label (lower-case letters, digits, '-', at most 63), not '\(text)'"
            case .dnsSubdomain:
                return isDNSSubdomain(text)
                    ? nil : "must be a DNS-1123 subdomain, not '\(text)'"
            case .secretKey:
                let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
                return text.count <= 253 && text.allSatisfy({ allowed.contains($0) }) ? nil : "must be a valid Secret key, not '\(text)'"
            case .image:
                if text.contains(where: \.isWhitespace) { return "must not contain whitespace" }
                return imageDigestProblem(text)
            case .choice(let words):
                return words.contains(text) ? nil : "must be one of \(words.joined(separator: ", ")), not '\(text)'"
            case .text:
                // These values become container environment variables, where Kubernetes
                // replaces `$(NAME)` with another variable's value.
                return text.contains("$(") ? "must not contain '$(' (Kubernetes would expand it in the container's environment)" : nil
            case .integer, .workloads, .hosts, .metadata:
                return nil
            }
        }
    }

    /// An image given by digest (`name@sha256:<64 hex>`) names one image for good; a
    /// malformed digest would only fail later, on a node, as an image pull error.
    static func imageDigestProblem(_ image: String) -> String? {
        guard let at = image.firstIndex(of: "@") else { return nil }
        let name = image[..<at]
        let digest = image[image.index(after: at)...]
        let hex = Set("0123456789abcdef")
        let lengths = ["sha256": 64, "sha512": 128]
        let parts = digest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard !name.isEmpty, parts.count == 2, let length = lengths[String(parts[0])],
            parts[1].count == length, parts[1].allSatisfy({ hex.contains($0) })
        else {
            return "has a malformed digest: expected image@sha256: and 64 lower-case hex digits, not '\(image)'"
        }
        return nil
    }

    /// `deployment/reservation-processor`: a kind the gate knows and an object name.
    static func workloadProblem(_ item: String) -> String? {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, WorkloadKind(parts[0]) != nil else {
            return "entries must be kind/name with kind one of \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(item)'"
        }
        return isDNSSubdomain(String(parts[1])) ? nil : "entry '\(item)' does not end in an object name"
    }

    /// A `gate.readHosts` entry that names the primary (`postgres.host`, with
    /// `postgres.port` or that port written out): the Job's wait for the standbys would pass
    /// on the primary's own word. Only what the names show; the Job asks each host it
    /// reaches whether it is a standby.
    public func readHostProblem() -> InputError? {
        let host = string("postgres.host")
        let port = string("postgres.port")
        for entry in values["gate.readHosts"]?.listValue ?? [] {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            if parts[0] == host && (parts.count == 1 || parts[1] == port) {
                return InputError(
                    SourceLocation(path: "gate.readHosts"),
                    "'\(entry)' is the primary itself (postgres.host \(host), port \(port)): list only the standbys the workloads read from")
            }
        }
        return nil
    }

    static func hostProblem(_ item: String) -> String? {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
        let portIsValid = parts.count == 1 || (parts.count == 2 && Int(parts[1]).map { (1...65535).contains($0) } == true)
        return parts.count <= 2 && isDNSSubdomain(String(parts[0])) && portIsValid
            ? nil : "entries must be host or host:port (a DNS-1123 subdomain and a port), not '\(item)'"
    }

    /// A label or annotation key: an optional DNS subdomain and '/', then a name of at most 63.
    static func metadataKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name = String(parts.last ?? "")
        let prefixIsValid = parts.count == 1 || (parts.count == 2 && isDNSSubdomain(String(parts[0])))
        return parts.count <= 2 && prefixIsValid && !name.isEmpty && isLabelValue(name)
            ? nil : "key '\(key)' is not a Kubernetes label or annotation key ([prefix/]name)"
    }

    static func isLabelValue(_ text: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let alphanumeric = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return text.isEmpty || (text.count <= 63 && text.allSatisfy { allowed.contains($0) }
            && alphanumeric.contains(text.first!) && alphanumeric.contains(text.last!))
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        text.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    static func isDNSLabel(_ text: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        return (1...63).contains(text.count) && text.allSatisfy { allowed.contains($0) }
            && text.first != "-" && text.last != "-"
    }
}

func location(of node: Node, in path: String) -> SourceLocation {
    SourceLocation(path: path, line: node.mark?.line, column: node.mark?.column)
}

/// The place libyaml reports for a syntax error.
func yamlErrorLocation(_ error: Error, path: String) -> SourceLocation {
    switch error as? YamlError {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
        return SourceLocation(path: path, line: mark.line, column: mark.column)
    default:
        return SourceLocation(path: path)
    }
}

func yamlProblem(_ error: Error) -> String {
    switch error as? YamlError {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
        if let context { return "\(context.text) \(problem)" }
        return problem
    case .reader(let problem, _, _, _):
        return problem
    default:
        return String(describing: error)
    }
}
