import SQLSyntax

/// `-- schemajob:allow <rule>[, <rule>…] [reason]` (or the same in `/* */`):
/// silences those rules for the statement the comment belongs to.
///
/// A comment belongs to the statement it sits in or just above, or to the one
/// whose `;` ends the line it is on:
///
///     DROP TABLE old_things; -- schemajob:allow drop-table: replaced by things
struct AllowComments {
    private(set) var ruleIDs: Set<String> = []
    /// `unknown-allow` findings for ids that name no rule that can be allowed.
    private(set) var unknown: [Finding] = []

    static let marker = "schemajob:allow"

    /// Whether a comment's bytes hold `schemajob:`, which an allow comment and a contract
    /// marker both start with: a comment without it is neither, and is not read further.
    /// (Its text is compared as Characters there; no character but these ASCII ones is
    /// canonically equivalent to them, so a match always has the bytes.)
    static let markPrefix: [UInt8] = Array("schemajob:".utf8)

    static func mayMark(_ comment: SQLToken) -> Bool {
        // The bytes made once, not an array built for every comment.
        let needle = markPrefix
        let found = comment.text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
                if (1..<needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
            }
            return false
        }
        return found ?? true
    }

    /// No comment: nothing allowed.
    init() {}

    /// Whether the comments allow rule `id` (an empty set is not hashed into).
    func allows(_ id: String) -> Bool {
        !ruleIDs.isEmpty && ruleIDs.contains(id)
    }

    init<Tokens: Sequence<SQLToken>>(tokens: Tokens, path: String) {
        for token in tokens where token.kind == .lineComment || token.kind == .blockComment {
            read(token, path: path)
        }
    }

    init(forStatementAt index: Int, in statements: [SQLStatement], path: String) {
        self.init(tokens: Self.comments(forStatementAt: index, in: statements), path: path)
    }

    /// The comments that belong to `statements[index]` (see above); a
    /// `-- schemajob:contract` marker belongs to its statement the same way.
    static func comments(forStatementAt index: Int, in statements: [SQLStatement]) -> [SQLToken] {
        let statement = statements[index]
        let previousEnd = index > 0 ? statements[index - 1].significantTokens.last?.line : nil
        var comments: [SQLToken] = []
        // Over the buffer: a token is read in place, and copied only when it is a comment.
        statement.tokenSlice.withUnsafeBufferPointer { tokens in
            var beforeCode = true
            for position in tokens.indices {
                let kind = tokens[position].kind
                if kind == .lineComment || kind == .blockComment {
                    // A comment on the line where the previous statement ended belongs to that one.
                    if beforeCode, tokens[position].line == previousEnd { continue }
                    comments.append(tokens[position])
                } else if kind != .whitespace {
                    beforeCode = false
                }
            }
        }
        // What follows the `;` on its line: the next statement's first comments, or, after
        // a file's last statement, comments no statement holds.
        if let end = statement.significantTokens.last?.line {
            statement.following.withUnsafeBufferPointer { tokens in
                for position in tokens.indices {
                    let kind = tokens[position].kind
                    guard kind == .whitespace || kind == .lineComment || kind == .blockComment else { break }
                    if kind != .whitespace && tokens[position].line == end { comments.append(tokens[position]) }
                }
            }
        }
        return comments
    }

    func adding(_ other: AllowComments) -> AllowComments {
        var combined = self
        combined.ruleIDs.formUnion(other.ruleIDs)
        return combined
    }

    func filter(_ candidates: [StatementRules.Candidate]) -> [Finding] {
        candidates.filter { !ruleIDs.contains($0.rule.id) }.map { Finding($0.rule, at: $0.location, $0.message) }
    }

    private mutating func read(_ comment: SQLToken, path: String) {
        var text = Substring(comment.text.dropFirst(2))
        if comment.kind == .blockComment, text.hasSuffix("*/") { text = text.dropLast(2) }
        text = text.drop { $0 == " " || $0 == "\t" }
        guard text.hasPrefix(Self.marker) else { return }
        text = text.dropFirst(Self.marker.count)
        for id in Self.ruleList(text) {
            if let rule = LintRule.rule(withID: id), rule.canBeAllowed {
                ruleIDs.insert(id)
            } else {
                unknown.append(Finding(
                    .unknownAllow, at: SourceLocation(path: path, line: comment.line, column: comment.column),
                    "schemajob:allow names \(id.isEmpty ? "no rule" : "'\(id)'"), which is not a rule that can be allowed"))
            }
        }
    }

    /// The ids at the start of `text`: separated by commas, ended by anything else
    /// (what follows is the reason, for the reader).
    static func ruleList(_ text: Substring) -> [String] {
        let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        var ids: [String] = []
        var rest = text.drop { $0 == " " || $0 == "\t" }
        while true {
            let id = rest.prefix { idCharacters.contains($0) }
            ids.append(String(id))
            rest = rest.dropFirst(id.count).drop { $0 == " " || $0 == "\t" }
            guard rest.first == "," else { break }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        }
        return ids
    }
}
