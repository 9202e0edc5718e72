import SQLSyntax

/// `-- schemajob:contract <reason>` (or the same in `/* */`): the statement it belongs to
/// (as an allow comment belongs to one: in it, just above it, or on the line its `;`
/// ends) is the contract step of an expand/contract change, meant to break the release
/// before this one. Lint's compatibility rules stay quiet about it, `test --from` reports
/// what it breaks as a warning with the reason, and `render` lists it on the Job
/// (`schemajob/contract`) so the manifest diff shows it to a reviewer.
public struct ContractMarker: Sendable, Hashable {
    /// The marker comment's own place.
    public var location: SourceLocation
    /// The first line of the statement it marks (where its first token is).
    public var statementLine: Int
    /// `schema/NNN_name.sql`: the file as the Job's ConfigMaps name it, the same on every
    /// machine (the annotation may not carry a path the user typed).
    public var file: String
    /// Why the previous release may break: what no longer needs the object.
    public var reason: String

    static let marker = "schemajob:contract"

    /// The annotation `render` puts on the Job when the set marks a statement.
    public static let annotation = "schemajob/contract"

    /// Every marker among `comments`, which belong to the statement starting at `statementLine`.
    static func read(_ comments: [SQLToken], statementLine: Int, file: MigrationFile) -> [ContractMarker] {
        comments.compactMap { comment in
            var text = Substring(comment.text.dropFirst(2))
            if comment.kind == .blockComment, text.hasSuffix("*/") { text = text.dropLast(2) }
            text = text.drop { $0 == " " || $0 == "\t" }
            guard text.hasPrefix(marker) else { return nil }
            let rest = text.dropFirst(marker.count)
            // `schemajob:contractual` is another word, not a marker without a reason.
            guard rest.isEmpty || rest.first == " " || rest.first == "\t" || rest.first == ":" || rest.first == "\n" else {
                return nil
            }
            let reason = rest.drop { $0 == ":" }.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return ContractMarker(
                location: SourceLocation(path: file.displayPath, line: comment.line, column: comment.column),
                statementLine: statementLine, file: "\(file.phase.rawValue)/\(file.name)", reason: reason)
        }
    }

    /// The marked statement's place, as the proof's replay names a statement.
    public var statement: SourceLocation {
        SourceLocation(path: location.path, line: statementLine)
    }

    /// `schema/020_drop_legacy.sql:4 the API stopped reading legacy_name in 1.8`.
    public var annotationEntry: String {
        "\(file):\(statementLine) \(reason)"
    }

    /// The Job's annotation value: every marker of the set, in the set's order.
    public static func annotationValue(_ markers: [ContractMarker]) -> String? {
        markers.isEmpty ? nil : markers.map(\.annotationEntry).joined(separator: "; ")
    }

    /// A marker without a reason is bad input: the reason is what a reviewer reads.
    public static func requireReasons(_ markers: [ContractMarker]) throws {
        guard let bare = markers.first(where: { $0.reason.isEmpty }) else { return }
        throw InputError(
            bare.location,
            "-- schemajob:contract needs a reason: say what no longer uses what this statement breaks (-- schemajob:contract the API stopped reading users.nickname in 1.8)")
    }
}
