import Foundation

/// The files of `templates/`: Kubernetes manifests with `${...}` placeholders and the
/// scripts the containers run. Either the copy built into the binary or a directory.
public struct TemplateSet: Sendable {
    public static let configMap = "configmap.yaml"
    public static let job = "job.yaml"
    public static let deployment = "deployment.yaml"
    /// The init container and volumes added to workloads schemajob does not own
    /// (`render --output-dir`'s `gate/` component, `schemajob gate`); needed only then.
    public static let gate = "gate.yaml"
    /// Rendered unless `networkPolicy.enabled` is false; required only then.
    public static let networkPolicies = ["networkpolicy-migration.yaml", apiNetworkPolicy]
    public static let apiNetworkPolicy = "networkpolicy-api.yaml"
    public static let scriptsDirectory = "scripts/"
    public static let migrationScript = "scripts/migration.psql"
    static let required = [configMap, job, deployment, migrationScript]

    /// Where the files came from, as shown in messages (`templates`).
    public var directory: String
    /// Every file, by its path relative to the templates directory.
    public var files: [String: [UInt8]]

    public init(directory: String, files: [String: [UInt8]]) throws {
        self.directory = directory
        self.files = files
        for name in Self.required where files[name] == nil {
            throw InputError(SourceLocation(path: displayPath(name)), "template is missing")
        }
    }

    /// The copy of `templates/` built into the binary.
    public static func embedded() throws -> TemplateSet {
        var files: [String: [UInt8]] = [:]
        for (name, base64) in EmbeddedTemplates.base64Files {
            files[name] = [UInt8](Data(base64Encoded: base64) ?? Data())
        }
        return try TemplateSet(directory: "templates", files: files)
    }

    /// Every file under `directory`, held to the same rules as `database/` (`InputFile`):
    /// no links, no special files, each read once with `O_NOFOLLOW`.
    public static func load(directory: String) throws -> TemplateSet {
        switch InputFile.kind(directory) {
        case .directory: break
        case .missing, .regularFile:
            throw InputError(SourceLocation(path: directory), "no such templates directory")
        case .refused(let what):
            throw InputError(SourceLocation(path: directory), "refused: \(what)")
        }
        var files: [String: [UInt8]] = [:]
        var pending = [""]
        while let relativeDirectory = pending.popLast() {
            let path = relativeDirectory.isEmpty ? directory : DatabaseReader.join(directory, relativeDirectory)
            let names: [String]
            do {
                names = try InputFile.list(path)
            } catch {
                throw InputError(SourceLocation(path: path), error.message)
            }
            for name in names {
                let relative = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
                let entry = DatabaseReader.join(directory, relative)
                switch InputFile.kind(entry) {
                case .directory:
                    pending.append(relative)
                case .missing:
                    throw InputError(SourceLocation(path: entry), "cannot read the template: it disappeared")
                case .refused(let what):
                    throw InputError(SourceLocation(path: entry), "refused: \(what)")
                case .regularFile:
                    do {
                        files[relative] = try InputFile.read(entry)
                    } catch {
                        throw InputError(SourceLocation(path: entry), error.message)
                    }
                }
            }
        }
        return try TemplateSet(directory: directory, files: files)
    }

    public func displayPath(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    public func contains(_ name: String) -> Bool {
        files[name] != nil
    }

    /// A template's text; templates must be UTF-8.
    public func text(_ name: String) throws -> String {
        guard let bytes = files[name] else {
            throw InputError(SourceLocation(path: displayPath(name)), "template is missing")
        }
        guard let text = String(validatingUTF8Bytes: bytes) else {
            throw InputError(SourceLocation(path: displayPath(name)), "template is not valid UTF-8")
        }
        return text
    }

    /// The files the containers run (`scripts/…`), by file name, in byte order.
    public var scriptNames: [String] {
        files.keys.filter { $0.hasPrefix(Self.scriptsDirectory) }.sorted(by: DatabaseReader.byteOrder)
    }

    /// The files that shape the Job and its ConfigMaps: all but the Deployment's, the gate's,
    /// the NetworkPolicies (objects of their own, changed in place without a new Job) and
    /// `prove/` (what `schemajob test` adds to its scratch databases, never deployed).
    /// Their bytes are part of the content hash.
    public var jobTemplateNames: [String] {
        files.keys.filter { $0 != Self.deployment && $0 != Self.gate && !Self.networkPolicies.contains($0) && !$0.hasPrefix(Self.proveDirectory) }
            .sorted(by: DatabaseReader.byteOrder)
    }

    public static let proveDirectory = "prove/"
    /// The pgmq stand-in `schemajob test` installs when the server has no pgmq.
    public static let pgmqStandIn = "prove/pgmq-stand-in.sql"
}
