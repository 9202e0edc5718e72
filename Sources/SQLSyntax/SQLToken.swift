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
    public var text: String {
        didSet { mark = Self.mark(kind: kind, text: text) }
    }
    /// Where the token starts; both count from 1, columns in characters.
    public var line: Int
    public var column: Int
    public var kind: SQLTokenKind {
        didSet { mark = Self.mark(kind: kind, text: text) }
    }
    /// False for a string, quoted identifier, comment or dollar quote that the
    /// input ended inside of.
    public var isTerminated: Bool
    /// The byte of a one-byte punctuation token (`;`, `(`, `,`), 0 for every other token:
    /// the splitter and the rules ask "is this `(`" of nearly every token, and a byte held
    /// beside the text answers it without reading the string. It fits the padding after
    /// `isTerminated`, so a token stays 40 bytes.
    package private(set) var mark: UInt8

    public init(kind: SQLTokenKind, text: String, line: Int, column: Int, isTerminated: Bool = true) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        self.isTerminated = isTerminated
        self.mark = Self.mark(kind: kind, text: text)
    }

    /// The lexer's own token, whose one-byte punctuation it has already read.
    init(kind: SQLTokenKind, text: String, line: Int, column: Int, isTerminated: Bool, mark: UInt8) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        self.isTerminated = isTerminated
        self.mark = mark
    }

    private static func mark(kind: SQLTokenKind, text: String) -> UInt8 {
        guard kind == .punctuation, text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80 else { return 0 }
        return byte
    }

    /// True for the one-character punctuation token `character` (`;`, `(`, `)`).
    @inline(__always)
    public func isPunctuation(_ character: Unicode.Scalar) -> Bool {
        character.isASCII && character.value != 0 && UInt32(mark) == character.value
    }

    /// `isPunctuation` for a byte: `mark == byte` for any ASCII byte but 0.
    @inline(__always)
    package func isPunctuation(byte: UInt8) -> Bool {
        byte != 0 && mark == byte
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

extension SQLToken {
    /// True when the token is an unquoted word whose bytes are `keyword`'s (upper case ASCII)
    /// with ASCII letters folded, as PostgreSQL's keyword lookup compares: no upper-cased copy
    /// of the word. Lengths first (a stored count for native strings): most words differ there.
    package func foldsToKeyword(_ keyword: String) -> Bool {
        guard kind == .word else { return false }
        let text = self.text.utf8
        guard text.count == keyword.utf8.count else { return false }
        func folds(_ byte: UInt8, to upper: UInt8) -> Bool {
            byte.asciiUppercased == upper
        }
        // Over the bytes in place when both strings have them contiguous (native and small
        // strings do), rather than through the views' index arithmetic.
        let inPlace = text.withContiguousStorageIfAvailable { bytes in
            keyword.utf8.withContiguousStorageIfAvailable { uppers in
                bytes.indices.allSatisfy { folds(bytes[$0], to: uppers[$0]) }
            }
        }
        if let inPlace = inPlace ?? nil { return inPlace }
        return text.elementsEqual(keyword.utf8, by: folds)
    }

    /// The same answer as `kind == .word && text.uppercased() == keyword`, without the
    /// upper-cased copy for an ASCII word. A word with other letters is upper-cased, so
    /// Unicode's case mappings still decide for it (`ﬃ` upper-cases to `FFI`, in as many bytes).
    package func uppercasesToKeyword(_ keyword: String) -> Bool {
        guard kind == .word else { return false }
        // Folding can only succeed on ASCII bytes, where it is upper-casing.
        if foldsToKeyword(keyword) { return true }
        // An ASCII first byte upper-cases to one ASCII byte, whatever follows it: when that
        // is not the keyword's first byte, no scan of the rest can make them equal.
        if let first = text.utf8.first, first < 0x80, let upper = keyword.utf8.first {
            if first.asciiUppercased != upper { return false }
        }
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return text.uppercased() == keyword
    }
}

extension UInt8 {
    /// The byte with an ASCII lower-case letter upper-cased, any other byte as it is: how
    /// PostgreSQL folds an unquoted keyword, and all that upper-casing does to ASCII.
    @inlinable
    package var asciiUppercased: UInt8 {
        self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") ? self - 0x20 : self
    }
}
