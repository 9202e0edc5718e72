import Foundation
import Yams

/// One object of a render, as `diff` reads it back through `RenderedObjects` (the reader
/// `Run/` uses too): what names it and the hash it carries, typed, and the whole
/// document, since a diff compares every field, not only those a type names.
public struct RenderedObject: @unchecked Sendable {
    public var kind: String
    public var name: String
    /// The short hash from the `schemajob/hash` label, when the object has one.
    public var shortHash: String?
    /// The full hash from the `schemajob/hash` annotation, when the object has one.
    public var hash: String?
    /// The object as composed, its scalars tagged by YAML's full rules (so `4` is a number
    /// and `"4"` a string, as the object's author wrote them).
    public var content: Node

    /// What stays the same when only the hash changes: the name without `-<hash>`.
    public var identity: String {
        "\(kind)/\(shortHash.map { name.replacingOccurrences(of: "-" + $0, with: "") } ?? name)"
    }

    /// ConfigMap `data`, file by file.
    public var data: [String: String] {
        var files: [String: String] = [:]
        guard let mapping = content["data"]?.mapping else { return files }
        for (key, value) in mapping {
            files[key.string ?? ""] = "\(Constructor.default.any(from: value))"
        }
        return files
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
        var documents: [Node] = []
        do {
            for document in try RenderedObjects.documents(in: text) {
                // `render --format json` writes one array of objects.
                if case .sequence(let array) = document {
                    documents += array
                } else if !(document.scalar != nil && Constructor.default.any(from: document) is NSNull) {
                    documents.append(document)
                }
            }
        } catch {
            throw InputError(yamlErrorLocation(error, path: path), "not valid YAML or JSON: \(yamlProblem(error))")
        }
        return try documents.enumerated().map { index, document in
            guard case .mapping = document, let object = try? YAMLDecoder().decode(ObjectIdentity.self, from: document) else {
                throw InputError(SourceLocation(path: path),
                                 "object \(index + 1) is not a Kubernetes object (needs kind and metadata.name)")
            }
            return RenderedObject(
                kind: object.kind, name: object.metadata.name,
                shortHash: object.metadata.labels?["schemajob/hash"],
                hash: object.metadata.annotations?["schemajob/hash"],
                content: document)
        }
    }
}
