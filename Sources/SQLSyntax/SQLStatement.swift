/// One statement as psql would send it: the tokens up to and including its `;`,
/// or a psql meta-command line on its own.
public struct SQLStatement: Sendable {
    /// The token list the statement was cut from (its file's, or a DO body's), shared by
    /// every statement of it: splitting a file copies no token and frees none twice.
    private var source: [SQLToken]
    private var range: Range<Int>
    /// Every token, whitespace and comments included (those before the statement
    /// belong to it), ending with its `;` when it has one. Copied out on demand; the
    /// rules read `tokenSlice`.
    public var tokens: [SQLToken] {
        get { Array(source[range]) }
        set {
            source = newValue
            range = newValue.indices
        }
    }
    /// `tokens` without a copy; its indices are those of the list it was cut from.
    package var tokenSlice: ArraySlice<SQLToken> { source[range] }
    /// The tokens after it in the list it was cut from: the next statement's, or the
    /// comments after the last `;` of a file, which belong to no statement.
    package var following: ArraySlice<SQLToken> { source[range.upperBound...] }
    /// Where its first significant token starts.
    public var line: Int
    public var column: Int
    /// The tokens PostgreSQL acts on: no whitespace, no comments. A run of the list of
    /// significant tokens made once for all the statements cut from the same tokens.
    public var significantTokens: SQLTokenRun
    /// `significantTokens` as words to match on: keywords and identifiers upper-cased
    /// (PostgreSQL folds them), quoted identifiers unquoted and exact, the rest as written.
    /// Made on demand: the rules read keywords through `StatementView`.
    public var words: [String] { significantTokens.map(SQLStatement.word(for:)) }

    public init(tokens: [SQLToken]) {
        let significant = tokens.filter { !$0.isTrivia }
        self.init(cutFrom: tokens, range: tokens.indices, significant: SQLTokenRun(significant))
    }

    /// The statement's tokens from `index` (an index of `tokenSlice`) on, sharing the storage.
    package func suffix(from index: Int) -> SQLStatement {
        let skipped = source[range.lowerBound..<index].reduce(0) { $1.isTrivia ? $0 : $0 + 1 }
        let significant = significantTokens.dropping(first: skipped)
        return SQLStatement(cutFrom: source, range: index..<range.upperBound, significant: significant)
    }

    /// `source[range]` as a statement whose significant tokens are `significant`, sharing
    /// the storage of both: cutting a statement copies no token.
    package init(cutFrom source: [SQLToken], range: Range<Int>, significant: SQLTokenRun) {
        self.source = source
        self.range = range
        significantTokens = significant
        let first = significant.first ?? (range.isEmpty ? nil : source[range.lowerBound])
        line = first?.line ?? 1
        column = first?.column ?? 1
    }

    package static func word(for token: SQLToken) -> String {
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
    package static func unquotedIdentifier(_ text: String) -> String {
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
        tokenSlice.map(\.text).joined()
    }
}
