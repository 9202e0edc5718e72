/// What a piece of SQL text is, as PostgreSQL's own scanner would see it.
public enum SQLTokenKind: Sendable, Hashable {
    case whitespace
    /// `-- …` up to (not including) the end of the line.
    case lineComment
    /// `/* … */`, which nests in PostgreSQL (unlike C).
    case blockComment
    /// A keyword or an unquoted identifier; PostgreSQL folds both to lower case.
    case word
    /// `"…"`, with `""` standing for one quote; the exact text is the name.
    case quotedIdentifier
    /// `'…'`, `E'…'`, `U&'…'`, `B'…'`, `X'…'`, `N'…'`.
    case string
    /// `$$…$$` or `$tag$…$tag$`: a string whose body is taken verbatim.
    case dollarString
    case number
    /// Operators and the rest: `( ) , ; . :: = <>` and any byte no other kind claims.
    case punctuation
    /// A psql backslash command (`\set`, `\i`), which runs to the end of its line.
    case psqlMeta
    /// `$1`: a positional parameter, not the start of a dollar quote.
    case parameter
}

/// One token, holding its exact text so that tokens joined give the input back.
public struct SQLToken: Sendable, Hashable {
    // The one-byte fields last: 40 bytes a token rather than 48, in every token list.
    public var text: String
    /// Where the token starts; both count from 1, columns in characters.
    public var line: Int
    public var column: Int
    public var kind: SQLTokenKind
    /// False for a string, quoted identifier, comment or dollar quote that the
    /// input ended inside of.
    public var isTerminated: Bool

    public init(kind: SQLTokenKind, text: String, line: Int, column: Int, isTerminated: Bool = true) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        self.isTerminated = isTerminated
    }

    /// True for the one-character punctuation token `character` (`;`, `(`, `)`): tested on
    /// the bytes, as the statement splitter does for every token, without a string compare.
    public func isPunctuation(_ character: Unicode.Scalar) -> Bool {
        guard kind == .punctuation, character.isASCII, text.utf8.count == 1 else { return false }
        let byte = UInt8(truncatingIfNeeded: character.value)
        // The byte read in place (a one-byte token is a small string), not through the view's `first`.
        return text.utf8.withContiguousStorageIfAvailable { $0[0] == byte } ?? (text.utf8.first == byte)
    }

    /// Whitespace and comments: text PostgreSQL skips.
    public var isTrivia: Bool {
        kind == .whitespace || kind == .lineComment || kind == .blockComment
    }

    /// For a dollar-quoted string, its body without the `$tag$` delimiters,
    /// and where that body starts; nil for every other token.
    public var dollarBody: (text: String, line: Int, column: Int)? {
        guard kind == .dollarString else { return nil }
        // The delimiter is ASCII only, so its bytes are its columns, and the body's
        // ends fall between characters: the body is a slice of the bytes.
        let bytes = text.utf8
        guard let closing = bytes.dropFirst().firstIndex(of: UInt8(ascii: "$")) else { return nil }
        let delimiterLength = bytes.distance(from: bytes.startIndex, to: closing) + 1
        let count = bytes.count
        let bodyEnd = isTerminated ? max(delimiterLength, count - delimiterLength) : count
        let start = bytes.index(bytes.startIndex, offsetBy: delimiterLength)
        let end = bytes.index(bytes.startIndex, offsetBy: bodyEnd)
        return (String(decoding: bytes[start..<end], as: UTF8.self), line, column + delimiterLength)
    }
}
