import Yams

/// Why output could not be produced or written.
public struct WriteError: InputError, Equatable {
    public var location: SourceLocation
    public var message: String
}

/// The `write` stage's one YAML emitter: a multi-document stream, keys in template
/// order, no line folding, the same bytes on every machine.
public enum YAMLWriter {
    public static func yaml(_ manifests: [Manifest]) throws -> String {
        do {
            return try Yams.serialize(
                nodes: manifests.map(\.node), indent: 2, width: -1, allowUnicode: true,
                lineBreak: .ln, explicitStart: true)
        } catch {
            throw WriteError(location: SourceLocation(path: "<output>"), message: "cannot write YAML: \(error)")
        }
    }
}
