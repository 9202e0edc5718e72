/// One statement as psql would send it: the tokens up to and including its `;`,
/// or a psql meta-command line on its own.
public struct SQLStatement: Sendable {
    /// Every token, whitespace and comments included (those before the statement
    /// belong to it), ending with its `;` when it has one.
    public var tokens: [SQLToken]
    /// Where its first significant token starts.
    public var line: Int
    public var column: Int
    /// The tokens PostgreSQL acts on: no whitespace, no comments.
    public var significantTokens: [SQLToken]
    /// `significantTokens` as words to match on: keywords and identifiers upper-cased
    /// (PostgreSQL folds them), quoted identifiers unquoted and exact, the rest as written.
    /// Made on demand: the rules read keywords through `StatementView`.
    public var words: [String] { significantTokens.map(SQLStatement.word(for:)) }

    public init(tokens: [SQLToken]) {
        self.tokens = tokens
        significantTokens = tokens.filter { !$0.isTrivia }
        line = significantTokens.first?.line ?? tokens.first?.line ?? 1
        column = significantTokens.first?.column ?? tokens.first?.column ?? 1
    }

    static func word(for token: SQLToken) -> String {
        switch token.kind {
        case .word:
            return token.text.uppercased()
        case .quotedIdentifier:
            return unquotedIdentifier(token.text)
        default:
            return token.text
        }
    }

    /// `"a ""b"""` → `a "b"`; `U&"…"` keeps its escapes, which no rule needs to decode.
    static func unquotedIdentifier(_ text: String) -> String {
        var inner = Substring(text)
        if inner.hasPrefix("U&") || inner.hasPrefix("u&") { inner = inner.dropFirst(2) }
        if inner.hasPrefix("\"") { inner = inner.dropFirst() }
        if inner.hasSuffix("\"") { inner = inner.dropLast() }
        var name = ""
        var previousWasQuote = false
        for character in inner {
            if character == "\"" && previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = character == "\""
            name.append(character)
        }
        return name
    }

    /// True when the statement's text (not its comments) ends with `;`.
    public var isTerminated: Bool {
        significantTokens.last?.isPunctuation(";") ?? false
    }

    /// The statement's full text, comments and leading whitespace included.
    public var text: String {
        tokens.map(\.text).joined()
    }
}
