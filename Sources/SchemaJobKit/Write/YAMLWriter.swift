import Yams

/// The `write` stage's one YAML emitter: a multi-document stream, keys in template
/// order, no line folding, the same bytes on every machine.
public enum YAMLWriter {
    public static func yaml(_ manifests: [Manifest]) throws -> String {
        try documents(manifests).joined()
    }

    /// The stream as its documents, in order: joined, they are `yaml(manifests)`; a large
    /// render is written piece by piece rather than copied into one string first.
    public static func documents(_ manifests: [Manifest]) throws -> [Substring] {
        // Each document is emitted on its own, on every core (the ConfigMaps of a large
        // set are most of the work), and the documents are joined in order. libyaml keeps
        // no state from one document to the next but one: a stream whose last scalar is a
        // block kept with its trailing empty lines (`|+`) ends in a `...` line, which in
        // one stream only the last document gets; it is taken off the others.
        // Nodes are values that emitting only reads; each emitter is its own.
        let documents = Array(manifests.indices).concurrentMap { index in
            Result {
                try Yams.serialize(node: manifests[index].node, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln,
                                   explicitStart: true)
            }
        }
        do {
            return try documents.enumerated().map { index, document in
                let text = try document.get()
                guard index < documents.count - 1, text.hasSuffix(streamEndMarker) else { return text[...] }
                return text.dropLast(streamEndMarker.count - 1)  // a slice: no copy of the document
            }
        } catch {
            throw InputError(SourceLocation(path: "<output>"), "cannot write YAML: \(error)")
        }
    }

    /// What libyaml writes at the end of a stream after a `|+` block: a line of `...`.
    private static let streamEndMarker = "\n...\n"
}
