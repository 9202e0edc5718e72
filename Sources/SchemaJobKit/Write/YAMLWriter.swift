import Foundation
import Yams

/// The `write` stage's one YAML emitter: a multi-document stream, keys in template
/// order, no line folding, the same bytes on every machine.
public enum YAMLWriter {
    public static func yaml(_ manifests: [Manifest]) throws -> String {
        try documents(manifests).joined()
    }

    /// The stream as its documents, in order: joined, they are `yaml(manifests)`.
    public static func documents(_ manifests: [Manifest]) throws -> [Substring] {
        var documents: [Substring] = []
        try forEachDocument(manifests) { documents.append($0) }
        return documents
    }

    /// Hands the stream's documents to `body` in order, made a few at a time (as many as
    /// there are cores): a large render is written as it is made, and never holds more
    /// than a batch of its output, rather than every document at once.
    public static func forEachDocument(_ manifests: [Manifest], _ body: (Substring) throws -> Void) throws {
        // Each document is emitted on its own, on every core (the ConfigMaps of a large
        // set are most of the work). libyaml keeps no state from one document to the next
        // but one: a stream whose last scalar is a block kept with its trailing empty lines
        // (`|+`) ends in a `...` line, which in one stream only the last document gets; it
        // is taken off the others. Nodes are values that emitting only reads; each emitter
        // is its own.
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < manifests.count {
            let indices = Array(start..<min(start + batch, manifests.count))
            let documents = indices.concurrentMap { index in
                Result {
                    try Yams.serialize(node: manifests[index].node, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln,
                                       explicitStart: true)
                }
            }
            for (index, document) in zip(indices, documents) {
                let text: String
                do {
                    text = try document.get()
                } catch {
                    throw InputError(SourceLocation(path: "<output>"), "cannot write YAML: \(error)")
                }
                if index < manifests.count - 1, text.hasSuffix(streamEndMarker) {
                    try body(text.dropLast(streamEndMarker.count - 1))  // a slice: no copy of the document
                } else {
                    try body(text[...])
                }
            }
            start += batch
        }
    }

    /// What libyaml writes at the end of a stream after a `|+` block: a line of `...`.
    private static let streamEndMarker = "\n...\n"
}
