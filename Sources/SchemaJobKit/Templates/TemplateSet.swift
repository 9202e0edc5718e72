import Foundation

/// Why a template could not be used.
public struct TemplateError: InputError, Equatable {
    public var location: SourceLocation
    public var message: String
}

/// The files of `templates/`: Kubernetes manifests with `${...}` placeholders and the
/// scripts the containers run. Either the copy built into the binary or a directory.
public struct TemplateSet: Sendable {
    public static let configMap = "configmap.yaml"
    public static let job = "job.yaml"
    public static let deployment = "deployment.yaml"
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
            throw TemplateError(location: SourceLocation(path: displayPath(name)), message: "template is missing")
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

    /// Every regular file under `directory`.
    public static func load(directory: String) throws -> TemplateSet {
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError(location: SourceLocation(path: directory), message: "no such templates directory")
        }
        var files: [String: [UInt8]] = [:]
        let prefixLength = root.standardizedFileURL.path.count + 1
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker
            where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let relative = String(url.standardizedFileURL.path.dropFirst(prefixLength))
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw TemplateError(location: SourceLocation(path: directory + "/" + relative), message: "cannot read the template")
                }
                files[relative] = [UInt8](data)
            }
        }
        return try TemplateSet(directory: directory, files: files)
    }

    public func displayPath(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// A template's text; templates must be UTF-8.
    public func text(_ name: String) throws -> String {
        guard let bytes = files[name] else {
            throw TemplateError(location: SourceLocation(path: displayPath(name)), message: "template is missing")
        }
        guard let text = String(validatingUTF8Bytes: bytes) else {
            throw TemplateError(location: SourceLocation(path: displayPath(name)), message: "template is not valid UTF-8")
        }
        return text
    }

    /// The files the containers run (`scripts/…`), by file name, in byte order.
    public var scriptNames: [String] {
        files.keys.filter { $0.hasPrefix(Self.scriptsDirectory) }.sorted(by: DatabaseReader.byteOrder)
    }

    /// The files that shape the Job and its ConfigMaps: all but the Deployment's and
    /// `prove/` (what `schemajob test` adds to its scratch databases, never deployed).
    /// Their bytes are part of the content hash.
    public var jobTemplateNames: [String] {
        files.keys.filter { $0 != Self.deployment && !$0.hasPrefix(Self.proveDirectory) }
            .sorted(by: DatabaseReader.byteOrder)
    }

    public static let proveDirectory = "prove/"
    /// The pgmq stand-in `schemajob test` installs when the server has no pgmq.
    public static let pgmqStandIn = "prove/pgmq-stand-in.sql"
}
