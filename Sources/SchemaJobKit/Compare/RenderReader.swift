import Foundation
import Yams

/// One object of a render, as `diff` reads it back: kind, name, the hash it carries,
/// and its content as parsed YAML (or JSON, which is YAML too).
public struct RenderedObject: @unchecked Sendable {
    public var kind: String
    public var name: String
    /// The short hash from the `schemajob/hash` label, when the object has one.
    public var shortHash: String?
    /// The full hash from the `schemajob/hash` annotation, when the object has one.
    public var hash: String?
    public var content: [String: Any]

    /// What stays the same when only the hash changes: the name without `-<hash>`.
    public var identity: String {
        "\(kind)/\(shortHash.map { name.replacingOccurrences(of: "-" + $0, with: "") } ?? name)"
    }

    /// ConfigMap `data`, file by file.
    public var data: [String: String] {
        (content["data"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    }
}

/// Reads a render back: a YAML stream, a JSON array (`render --format json`), a directory
/// of them (`render --output-dir`; the Kustomization is skipped), or `-` for stdin.
public enum RenderReader {
    public static func read(_ path: String) throws -> [RenderedObject] {
        if path == "-" {
            return try parse(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), path: "<stdin>")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(SourceLocation(path: path), "no such file or directory")
        }
        guard isDirectory.boolValue else { return try parse(try text(path), path: path) }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { name in
                [".yaml", ".yml", ".json"].contains { name.hasSuffix($0) } && !name.hasPrefix(".")
                    && !name.lowercased().hasPrefix("kustomization.")
            }
            .sorted(by: DatabaseReader.byteOrder)
        var objects: [RenderedObject] = []
        for name in names {
            let file = path.hasSuffix("/") ? path + name : path + "/" + name
            objects += try parse(try text(file), path: file)
        }
        return objects
    }

    static func text(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(SourceLocation(path: path), "cannot read the file")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func parse(_ text: String, path: String) throws -> [RenderedObject] {
        var documents: [Any] = []
        do {
            var sequence = try Yams.load_all(yaml: text)
            while let document = sequence.next() {
                if let array = document as? [Any] { documents += array } else if !(document is NSNull) { documents.append(document) }
            }
            // The sequence stops at a syntax error and keeps it, instead of throwing.
            if let error = sequence.error { throw error }
        } catch {
            throw InputError(yamlErrorLocation(error, path: path), "not valid YAML or JSON: \(yamlProblem(error))")
        }
        return try documents.enumerated().map { index, document in
            guard let content = document as? [String: Any],
                  let kind = content["kind"] as? String,
                  let metadata = content["metadata"] as? [String: Any],
                  let name = metadata["name"] as? String else {
                throw InputError(SourceLocation(path: path),
                                 "object \(index + 1) is not a Kubernetes object (needs kind and metadata.name)")
            }
            let labels = metadata["labels"] as? [String: Any]
            let annotations = metadata["annotations"] as? [String: Any]
            return RenderedObject(
                kind: kind, name: name,
                shortHash: labels?["schemajob/hash"].map { "\($0)" },
                hash: annotations?["schemajob/hash"].map { "\($0)" },
                content: content)
        }
    }
}
