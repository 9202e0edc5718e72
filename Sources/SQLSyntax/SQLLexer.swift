/// A PostgreSQL lexer after the rules of the server's own scanner (`scan.l`) and
/// of psql's statement splitter (`psqlscan.l`), enough to tell code from strings,
/// comments and dollar-quoted bodies.
///
/// It never fails: text PostgreSQL would reject still becomes tokens, and every
/// byte of the input belongs to exactly one token, so joining the tokens' texts
/// gives the input back.
public enum SQLLexer {
    public static func tokens(in text: String) -> [SQLToken] {
        tokens(in: text, line: 1, column: 1)
    }

    /// Tokens of text that starts at `line`:`column` of an enclosing file (the
    /// body of a dollar quote, lexed again), so positions point into that file.
    public static func tokens(in text: String, line: Int, column: Int) -> [SQLToken] {
        // The scanner reads the string's own bytes in place (a native string keeps them
        // contiguous): no copy of the file, and no bounds check on every byte it reads.
        let scan = { (bytes: UnsafeBufferPointer<UInt8>) -> [SQLToken] in
            ShortTexts.with(capacityFor: bytes.count) { shortTexts in
                var scanner = Scanner(bytes, shortTexts: shortTexts, line: line, column: column)
                // Written straight into the array's storage: `append` would ask for every token
                // whether the storage is shared, about a tenth of what making a token costs.
                // SQL has a token per three to five bytes, a dense one (fixtures of upserts, lists
                // of columns) nearer three: room for a token per two bytes, so one array nearly
                // always holds them (the capacity beyond its tokens is never written, so never
                // made resident). A denser text moves to a second one, with room for a token a
                // byte (no text has more), copying the tokens made so far once.
                var tokens = [SQLToken](unsafeUninitializedCapacity: bytes.count / 2 + 16) { buffer, count in
                    count = scanner.scan(into: buffer)
                }
                if !scanner.isAtEnd {
                    let made = tokens
                    tokens = [SQLToken](unsafeUninitializedCapacity: made.count + bytes.count - scanner.offset) { buffer, count in
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[..<made.count]).initialize(from: made)
                        count = made.count + scanner.scan(into: UnsafeMutableBufferPointer(rebasing: buffer[made.count...]))
                    }
                }
                return tokens
            }
        }
        if let tokens = text.utf8.withContiguousStorageIfAvailable(scan) { return tokens }
        return Array(text.utf8).withUnsafeBufferPointer(scan)
    }

    public static func statements(in text: String) -> [SQLStatement] {
        statements(from: tokens(in: text))
    }

    /// A statement ends where psql would send it: at a `;` that is code (the lexer
    /// has already put every `;` inside a string, comment or dollar body into that
    /// token), outside parentheses, and outside the `BEGIN … END` of a
    /// `CREATE FUNCTION|PROCEDURE … BEGIN ATOMIC` body. A psql meta-command line
    /// stands alone. Text after the last `;` is a statement of its own unless it is
    /// only whitespace and comments.
    public static func statements(from tokens: [SQLToken]) -> [SQLStatement] {
        // Tokens read in place through the buffer, not copied out one by one (a copy
        // retains and releases the text). The state lives inside the closure: variables
        // from outside it would be boxed and checked for exclusive access on every token.
        tokens.withUnsafeBufferPointer { buffer in
            // The significant tokens of every statement, in one list: each statement holds
            // its run of it, and no statement allocates a list of its own.
            let significant = significantTokens(of: buffer)
            var statements: [SQLStatement] = []
            // The statement under way is `tokens[start..<index]`, cut out once it ends;
            // its significant tokens start at `significantStart`, and `significantEnd`
            // counts those seen so far.
            var start = 0
            var significantStart = 0
            var significantEnd = 0
            var depth = StatementDepth()
            func flush(upTo end: Int) {
                statements.append(SQLStatement(
                    cutFrom: tokens, range: start..<end,
                    significant: SQLTokenRun(significant, bounds: significantStart..<significantEnd)))
                start = end
                significantStart = significantEnd
                depth = StatementDepth()
            }
            for index in buffer.indices {
                if buffer[index].kind == .psqlMeta {
                    if depth.hasCode { flush(upTo: index) }
                    significantEnd += 1
                    flush(upTo: index + 1)
                    continue
                }
                if !buffer[index].isTrivia { significantEnd += 1 }
                depth.advance(over: buffer, at: index)
                if buffer[index].isPunctuation(byte: semicolon) && depth.parentheses == 0 && depth.blocks == 0 {
                    flush(upTo: index + 1)
                }
            }
            if depth.hasCode { flush(upTo: tokens.count) }
            return statements
        }
    }

    /// The tokens of `buffer` that are not trivia, copied once into a list of their exact size.
    private static func significantTokens(of buffer: UnsafeBufferPointer<SQLToken>) -> [SQLToken] {
        var trivia = 0
        for index in buffer.indices where buffer[index].isTrivia { trivia += 1 }
        // Straight into the array's storage, without append's check of capacity and
        // uniqueness for each token.
        guard buffer.count > trivia else { return [] }
        return [SQLToken](unsafeUninitializedCapacity: buffer.count - trivia) { significant, count in
            var next = significant.baseAddress!
            for index in buffer.indices where !buffer[index].isTrivia {
                next.initialize(to: buffer[index])
                next += 1
            }
            count = next - significant.baseAddress!
        }
    }
}

/// psql's own heuristic (`psqlscan.l`) for where a statement can end: it counts
/// parentheses, and inside a statement that starts `CREATE [OR REPLACE]
/// FUNCTION|PROCEDURE` it counts `BEGIN`/`CASE` against `END`, so the semicolons
/// of a SQL-standard function body stay inside it.
private struct StatementDepth {
    var hasCode = false
    var parentheses = 0
    var blocks = 0
    /// The first four words, as far as the routine test cares (held inline: a statement
    /// starts a new depth, and an array would be allocated for each).
    var leadingWordCount = 0
    var leadingWords: (LeadingWord, LeadingWord, LeadingWord, LeadingWord) = (.other, .other, .other, .other)
    var isRoutineDefinition = false

    enum LeadingWord {
        case create, or, replace, routine, other

        /// Compared byte by byte, folding ASCII case: no upper-cased copy of each word,
        /// and only with the keyword of the word's length.
        init(_ tokens: UnsafeBufferPointer<SQLToken>, at index: Int) {
            switch tokens[index].text.utf8.count {
            case 2: self = tokens[index].foldsToKeyword("OR") ? .or : .other
            case 6: self = tokens[index].foldsToKeyword("CREATE") ? .create : .other
            case 7: self = tokens[index].foldsToKeyword("REPLACE") ? .replace : .other
            case 8: self = tokens[index].foldsToKeyword("FUNCTION") ? .routine : .other
            case 9: self = tokens[index].foldsToKeyword("PROCEDURE") ? .routine : .other
            default: self = .other
            }
        }
    }

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, from the first `count` of `words`.
    static func isRoutineDefinition(_ words: (LeadingWord, LeadingWord, LeadingWord, LeadingWord), count: Int) -> Bool {
        guard count > 0, words.0 == .create else { return false }
        if count > 1 && words.1 == .routine { return true }
        return count > 3 && words.1 == .or && words.2 == .replace && words.3 == .routine
    }

    /// Past `tokens[index]`, read where it lies (a token passed by value is copied, its
    /// text retained and released, once for every token of every file).
    @inline(__always)
    mutating func advance(over tokens: UnsafeBufferPointer<SQLToken>, at index: Int) {
        guard !tokens[index].isTrivia else { return }
        hasCode = true
        switch tokens[index].kind {
        case .punctuation where tokens[index].isPunctuation(byte: openParenthesis):
            parentheses += 1
        case .punctuation where tokens[index].isPunctuation(byte: closeParenthesis):
            parentheses = max(0, parentheses - 1)
        case .word:
            // Upper-cased only while it can matter: the first four words, and the words
            // of a routine's body.
            if leadingWordCount < 4 {
                let word = LeadingWord(tokens, at: index)
                switch leadingWordCount {
                case 0: leadingWords.0 = word
                case 1: leadingWords.1 = word
                case 2: leadingWords.2 = word
                default: leadingWords.3 = word
                }
                leadingWordCount += 1
                isRoutineDefinition = Self.isRoutineDefinition(leadingWords, count: leadingWordCount)
            }
            guard parentheses == 0, isRoutineDefinition else { return }
            // As `uppercased()` compares, without the copy for an ASCII word.
            if tokens[index].uppercasesToKeyword("BEGIN") {
                blocks += 1
            } else if blocks > 0 && tokens[index].uppercasesToKeyword("CASE") {
                blocks += 1
            } else if blocks > 0 && tokens[index].uppercasesToKeyword("END") {
                blocks -= 1
            }
        default:
            break
        }
    }
}

/// Reads the bytes of one text, valid only while the scanner runs (inside the text's
/// `withContiguousStorageIfAvailable`).
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// A line break and fifteen spaces, one string shared by every such token: sixteen
    /// bytes, one more than a string holds in place, so each would be allocated otherwise.
    let longIndent = Scanner.longIndentText
    static let longIndentText = "\n" + String(repeating: " ", count: 15)
    let shortTexts: ShortTexts
    /// `ByteClass.table`, read once a text rather than through the global's lazy check.
    let classes = ByteClass.table
    var offset = 0
    var position: PositionTracker

    init(_ bytes: UnsafeBufferPointer<UInt8>, shortTexts: ShortTexts, line: Int, column: Int) {
        self.bytes = bytes
        self.shortTexts = shortTexts
        self.position = PositionTracker(bytes: bytes, line: line, column: column)
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// Scans tokens into `buffer` (uninitialised) until the text ends or the buffer is
    /// full, and tells how many it wrote.
    mutating func scan(into buffer: UnsafeMutableBufferPointer<SQLToken>) -> Int {
        guard let first = buffer.baseAddress else { return 0 }
        var next = first
        let end = first + buffer.count
        while offset < bytes.count && next < end {
            let start = offset
            // Where the token starts, before its scan tells the position of any line break in it.
            let (line, column) = position.location(of: start)
            let (kind, terminated) = scanToken()
            // Every branch consumes at least one byte; the guard keeps a mistake from looping.
            if offset <= start { offset = start + 1 }
            next.initialize(to: token(kind, from: start, line: line, column: column, terminated: terminated))
            next += 1
        }
        return next - first
    }

    /// The token that ends at `offset`, its positions told to the position tracker.
    /// Inlined into the loop, as the append it replaced was: called, it costs more than
    /// the append saved.
    @inline(__always)
    mutating func token(_ kind: SQLTokenKind, from start: Int, line: Int, column: Int, terminated: Bool) -> SQLToken {
        // Token boundaries fall next to ASCII bytes only (every non-ASCII byte is
        // taken by a word, string, comment or body), so each slice is valid UTF-8.
        let length = offset - start
        let text: String
        if length <= ShortTexts.longest {
            text = shortTexts.text(bytes, from: start, length: length)
        } else if kind == .whitespace && length == 16 && bytes[start] == newline
            && bytes[(start + 1)..<offset].allSatisfy({ $0 == space })
        {
            text = longIndent
        } else {
            text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        }
        // A one-byte punctuation token carries its byte (`SQLToken.mark`); no other token is
        // one ASCII byte of punctuation.
        let mark = kind == .punctuation && length == 1 && bytes[start] < 0x80 ? bytes[start] : 0
        switch kind {
        case .punctuation, .number, .parameter, .whitespace, .word:
            // ASCII without line breaks, or (whitespace, words) told to the position as
            // they were scanned: nothing more for it to learn.
            break
        case .lineComment, .psqlMeta:
            // Up to the line break, perhaps with non-ASCII text.
            position.skip(noNewlineFrom: start, to: offset)
        default:
            position.skip(from: start, to: offset)
        }
        return SQLToken(kind: kind, text: text, line: line, column: column, isTerminated: terminated, mark: mark)
    }

    func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    mutating func scanToken() -> (SQLTokenKind, Bool) {
        let first = bytes[offset]
        let second = byte(at: offset + 1)
        let firstClass = classes[Int(first)]
        switch first {
        case _ where firstClass & ByteClass.whitespace != 0:
            // The line breaks are told to the position here, rather than looked for again.
            while offset < bytes.count {
                let next = bytes[offset]
                guard classes[Int(next)] & ByteClass.whitespace != 0 else { break }
                if next == newline { position.startLine(at: offset + 1) }
                offset += 1
            }
            return (.whitespace, true)
        // Words next, the most common token after whitespace: no case above or below
        // claims a letter, an underscore or a non-ASCII byte.
        case _ where firstClass & ByteClass.identifierStart != 0:
            // A prefixed literal's letter is followed by its quote or by `&`.
            if second == singleQuote || second == ampersand, let prefixed = scanPrefixedLiteral() { return prefixed }
            // The bytes or-ed as they go: a non-ASCII letter sets the high bit.
            var bits: UInt8 = 0
            while offset < bytes.count {
                let next = bytes[offset]
                guard classes[Int(next)] & ByteClass.identifierContinuation != 0 else { break }
                bits |= next
                offset += 1
            }
            if bits >= 0x80 { position.lineHasNonASCII = true }
            return (.word, true)
        case hyphen where second == hyphen:
            while let next = byte(at: offset), next != newline { offset += 1 }
            return (.lineComment, true)
        case slash where second == star:
            return (.blockComment, scanBlockComment())
        // psqlscan.l: a backslash outside a string, comment or dollar body ends the SQL
        // and starts a meta-command, wherever it stands on the line (`SELECT 1; \! ls`).
        // Its arguments run to the end of the line. `\;` and `\:` are psql's escapes for
        // a literal `;` or `:` rather than commands, but they are psql syntax all the
        // same, which the server never accepts: they are taken the same way.
        case backslash:
            while let next = byte(at: offset), next != newline { offset += 1 }
            return (.psqlMeta, true)
        case singleQuote:
            offset += 1
            return (.string, scanQuoted(until: singleQuote, backslashEscapes: false))
        case doubleQuote:
            offset += 1
            return (.quotedIdentifier, scanQuoted(until: doubleQuote, backslashEscapes: false))
        case dollar:
            return scanDollar()
        case _ where isDigit(first) || (first == dot && second.map(isDigit) == true):
            scanNumber()
            return (.number, true)
        case _ where isOperatorCharacter(first):
            scanOperator()
            return (.punctuation, true)
        case colon:
            offset += (second == colon || second == equals) ? 2 : 1
            return (.punctuation, true)
        default:
            offset += 1
            return (.punctuation, true)
        }
    }

    /// `/* … */`, nesting as PostgreSQL does; false when the input ends inside it.
    mutating func scanBlockComment() -> Bool {
        offset += 2
        var depth = 1
        while offset < bytes.count {
            if bytes[offset] == slash && byte(at: offset + 1) == star {
                depth += 1
                offset += 2
            } else if bytes[offset] == star && byte(at: offset + 1) == slash {
                depth -= 1
                offset += 2
                if depth == 0 { return true }
            } else {
                offset += 1
            }
        }
        return false
    }

    /// The rest of a quoted token after its opening quote. A doubled quote stands for
    /// one; with `backslashEscapes` (E'…'), a backslash takes the next byte literally.
    mutating func scanQuoted(until quote: UInt8, backslashEscapes: Bool) -> Bool {
        while offset < bytes.count {
            let current = bytes[offset]
            if backslashEscapes && current == backslash {
                // Skips one whole byte; an escaped non-ASCII character continues as body.
                offset = min(offset + 2, bytes.count)
            } else if current == quote {
                if byte(at: offset + 1) == quote {
                    offset += 2
                } else {
                    offset += 1
                    return true
                }
            } else {
                offset += 1
            }
        }
        return false
    }

    /// `E'…'`, `B'…'`, `X'…'`, `N'…'`, `U&'…'` and `U&"…"`, when the word at
    /// `offset` is one of those prefixes directly followed by its quote.
    mutating func scanPrefixedLiteral() -> (SQLTokenKind, Bool)? {
        let letter = bytes[offset] | 0x20
        let next = byte(at: offset + 1)
        if next == singleQuote {
            switch letter {
            case UInt8(ascii: "e"):
                offset += 2
                var terminated = scanQuoted(until: singleQuote, backslashEscapes: true)
                // scan.l's `quotecontinue`: a quote after whitespace holding a newline
                // (and `--` comments) continues the same constant, escapes and all, so
                // `E'a'\n'\''` is one string. Plain strings split the same way whether
                // they are read as one constant or two; only an E'' string's backslashes
                // make the difference, so only it is continued here.
                while terminated, let continuation = continuationQuote(after: offset) {
                    offset = continuation + 1
                    terminated = scanQuoted(until: singleQuote, backslashEscapes: true)
                }
                return (.string, terminated)
            case UInt8(ascii: "b"), UInt8(ascii: "x"), UInt8(ascii: "n"):
                offset += 2
                return (.string, scanQuoted(until: singleQuote, backslashEscapes: false))
            default:
                return nil
            }
        }
        if letter == UInt8(ascii: "u"), next == ampersand, let quote = byte(at: offset + 2),
            quote == singleQuote || quote == doubleQuote
        {
            offset += 3
            let terminated = scanQuoted(until: quote, backslashEscapes: false)
            return (quote == singleQuote ? .string : .quotedIdentifier, terminated)
        }
        return nil
    }

    /// The offset of the quote that continues a string constant ending at `end`, or nil
    /// when the constant ends there: scan.l's `whitespace_with_newline` (spaces and
    /// `--` comments holding at least one line break, `\n` or `\r`) and then `'`.
    func continuationQuote(after end: Int) -> Int? {
        var index = end
        var sawNewline = false
        while let current = byte(at: index) {
            if current == newline || current == carriageReturn {
                sawNewline = true
                index += 1
            } else if isWhitespace(current) {
                index += 1
            } else if current == hyphen, byte(at: index + 1) == hyphen {
                // A comment runs to the line break, which the loop then counts.
                while let next = byte(at: index), next != newline, next != carriageReturn { index += 1 }
            } else {
                break
            }
        }
        return sawNewline && byte(at: index) == singleQuote ? index : nil
    }

    /// `$1` is a parameter; `$$` or `$tag$` opens a dollar quote that runs to the
    /// same delimiter. A `$` that fits neither is punctuation. (Inside a word `$`
    /// continues the identifier, which the word scanner has already taken.)
    mutating func scanDollar() -> (SQLTokenKind, Bool) {
        if let next = byte(at: offset + 1), isDigit(next) {
            offset += 1
            while let digit = byte(at: offset), isDigit(digit) { offset += 1 }
            return (.parameter, true)
        }
        var tagEnd = offset + 1
        if let next = byte(at: tagEnd), isIdentifierStart(next) {
            while let character = byte(at: tagEnd), isIdentifierStart(character) || isDigit(character) {
                tagEnd += 1
            }
        }
        guard byte(at: tagEnd) == dollar else {
            offset += 1
            return (.punctuation, true)
        }
        let delimiter = bytes[offset...tagEnd]
        offset = tagEnd + 1
        while offset < bytes.count {
            if bytes[offset] == dollar, bytes.count - offset >= delimiter.count,
                bytes[offset..<offset + delimiter.count].elementsEqual(delimiter)
            {
                offset += delimiter.count
                return (.dollarString, true)
            }
            offset += 1
        }
        return (.dollarString, false)
    }

    /// Decimal (`42`, `3.14`, `.5`, `1e-3`, `1_000`) and `0x`/`0o`/`0b` integers.
    /// Trailing letters PostgreSQL would reject become the next word.
    mutating func scanNumber() {
        if bytes[offset] == zero, let radix = byte(at: offset + 1),
            [UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b")].contains(radix | 0x20),
            let digit = byte(at: offset + 2), isHexDigit(digit)
        {
            offset += 2
            while let next = byte(at: offset), isHexDigit(next) || next == underscore { offset += 1 }
            return
        }
        while let next = byte(at: offset), isDigit(next) || next == underscore { offset += 1 }
        // One dot, but not the first of `..` (as in an array slice `1..2`).
        if byte(at: offset) == dot, byte(at: offset + 1) != dot {
            offset += 1
            while let next = byte(at: offset), isDigit(next) || next == underscore { offset += 1 }
        }
        if let e = byte(at: offset), e | 0x20 == UInt8(ascii: "e") {
            var exponent = offset + 1
            if let sign = byte(at: exponent), sign == plus || sign == hyphen { exponent += 1 }
            if let digit = byte(at: exponent), isDigit(digit) {
                offset = exponent
                while let next = byte(at: offset), isDigit(next) { offset += 1 }
            }
        }
    }

    /// A run of operator characters; a `--` or `/*` inside it starts a comment
    /// instead, as in PostgreSQL.
    mutating func scanOperator() {
        offset += 1
        while let next = byte(at: offset), isOperatorCharacter(next) {
            if (next == hyphen && bytes[offset - 1] == hyphen) || (next == star && bytes[offset - 1] == slash) {
                offset -= 1
                return
            }
            if (next == hyphen && byte(at: offset + 1) == hyphen) || (next == slash && byte(at: offset + 1) == star) {
                return
            }
            offset += 1
        }
    }
}

/// The strings of short tokens, found again by their bytes. Most words, operators and
/// indentation recur many times in a file, and a string of up to fifteen bytes is held
/// inside the string value itself: a string found here is copied without allocating,
/// decoding or checking anything, where making it again costs about a hundred
/// instructions. One table a lexed text, sized to it (a DO body is lexed again on its own).
private struct ShortTexts {
    static let longest = 15

    /// Each entry's key: a token's bytes as two little-endian words, its length in the
    /// top byte of the second (which fifteen bytes leave free). No token is empty, so an
    /// entry whose second word is zero was never filled, and its text is uninitialised.
    let keys: UnsafeMutablePointer<UInt64>
    let texts: UnsafeMutablePointer<String>
    let mask: Int

    /// Runs `body` with a table of 16 to 1,024 entries (one for each 32 bytes of the
    /// text), freed afterwards.
    static func with<Result>(capacityFor byteCount: Int, _ body: (ShortTexts) -> Result) -> Result {
        var count = 16
        while count < 1024 && count * 32 < byteCount { count *= 2 }
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * count)
        keys.initialize(repeating: 0, count: 2 * count)
        let texts = UnsafeMutablePointer<String>.allocate(capacity: count)
        defer {
            for index in 0..<count where keys[2 * index + 1] != 0 { (texts + index).deinitialize(count: 1) }
            texts.deallocate()
            keys.deallocate()
        }
        return body(ShortTexts(keys: keys, texts: texts, mask: count - 1))
    }

    /// `bytes[start..<start + length]` as a string, `length` in `1...longest`; the slice
    /// is valid UTF-8 (token boundaries fall next to ASCII bytes).
    @inline(__always)
    func text(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, length: Int) -> String {
        let base = bytes.baseAddress! + start
        var low: UInt64 = 0
        var high: UInt64 = 0
        if bytes.count - start >= 16 {
            // Two loads and a mask where sixteen bytes can be read.
            let raw = UnsafeRawPointer(base)
            low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if length < 8 {
                low &= (1 &<< UInt64(8 * length)) &- 1
                high = 0
            } else {
                high &= (1 &<< UInt64(8 * (length - 8))) &- 1
            }
        } else {
            for index in 0..<length {
                let byte = UInt64(base[index])
                if index < 8 { low |= byte &<< UInt64(8 * index) } else { high |= byte &<< UInt64(8 * (index - 8)) }
            }
        }
        high |= UInt64(length) &<< 56
        let hash = (low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F)
        let index = Int(truncatingIfNeeded: hash &>> 40) & mask
        let filled = keys[2 * index + 1] != 0
        if filled && keys[2 * index] == low && keys[2 * index + 1] == high { return texts[index] }
        let text = String(decoding: UnsafeBufferPointer(start: base, count: length), as: UTF8.self)
        if filled { texts[index] = text } else { (texts + index).initialize(to: text) }
        keys[2 * index] = low
        keys[2 * index + 1] = high
        return text
    }
}

/// Line and column of each token's start, learnt from the tokens as the scanner
/// emits them (so a whole file costs one pass, and punctuation, numbers and
/// parameters, ASCII without line breaks, cost nothing). Columns count characters;
/// lines with only ASCII (the usual case) need no decoding.
private struct PositionTracker {
    let bytes: UnsafeBufferPointer<UInt8>
    let firstLine: Int
    let firstColumn: Int
    var line: Int
    var lineStart = 0
    var lineHasNonASCII = false

    init(bytes: UnsafeBufferPointer<UInt8>, line: Int, column: Int) {
        self.bytes = bytes
        self.firstLine = line
        self.firstColumn = column
        self.line = line
    }

    /// Past `bytes[start..<end]`.
    mutating func skip(from start: Int, to end: Int) {
        for index in start..<end {
            let byte = bytes[index]
            if byte == newline {
                startLine(at: index + 1)
            } else if byte >= 0x80 {
                lineHasNonASCII = true
            }
        }
    }

    /// A line break ends just before `offset`.
    @inline(__always)
    mutating func startLine(at offset: Int) {
        line += 1
        lineStart = offset
        lineHasNonASCII = false
    }

    /// Past `bytes[start..<end]`, which hold no line break (a word).
    mutating func skip(noNewlineFrom start: Int, to end: Int) {
        guard !lineHasNonASCII else { return }
        for index in start..<end where bytes[index] >= 0x80 {
            lineHasNonASCII = true
            return
        }
    }

    /// Where the token starting at `offset` (everything before it skipped) begins.
    func location(of offset: Int) -> (line: Int, column: Int) {
        var column = lineHasNonASCII
            ? String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<offset]), as: UTF8.self).count + 1
            : offset - lineStart + 1
        if line == firstLine { column += firstColumn - 1 }
        return (line, column)
    }
}

private let newline = UInt8(ascii: "\n")
private let semicolon = UInt8(ascii: ";")
private let openParenthesis = UInt8(ascii: "(")
private let closeParenthesis = UInt8(ascii: ")")
private let space = UInt8(ascii: " ")
private let carriageReturn = UInt8(ascii: "\r")
private let hyphen = UInt8(ascii: "-")
private let slash = UInt8(ascii: "/")
private let star = UInt8(ascii: "*")
private let backslash = UInt8(ascii: "\\")
private let singleQuote = UInt8(ascii: "'")
private let doubleQuote = UInt8(ascii: "\"")
private let dollar = UInt8(ascii: "$")
private let dot = UInt8(ascii: ".")
private let colon = UInt8(ascii: ":")
private let equals = UInt8(ascii: "=")
private let ampersand = UInt8(ascii: "&")
private let underscore = UInt8(ascii: "_")
private let plus = UInt8(ascii: "+")
private let zero = UInt8(ascii: "0")

/// PostgreSQL's whitespace: space, tab, newline, carriage return, form feed
/// (and vertical tab, which psql also skips).
private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
}

/// What each byte can be, as bits: the scanner's commonest loops (whitespace, words)
/// read one byte of the table for each byte rather than a chain of comparisons, with the
/// same answers as `isWhitespace`, `isIdentifierStart` and `isIdentifierContinuation`.
private enum ByteClass {
    static let whitespace: UInt8 = 1
    static let identifierStart: UInt8 = 2
    static let identifierContinuation: UInt8 = 4

    /// Made once and kept for the life of the process (a pointer, not an array: reading
    /// it checks no bounds and retains nothing). Written only by its initialiser, which
    /// runs once, before any read: safe to share between threads.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for byte in 0..<256 {
            let byte = UInt8(byte)
            var bits: UInt8 = 0
            if isWhitespace(byte) { bits |= whitespace }
            if isIdentifierStart(byte) { bits |= identifierStart }
            if isIdentifierContinuation(byte) { bits |= identifierContinuation }
            table[Int(byte)] = bits
        }
        return UnsafePointer(table)
    }()
}

private func isDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte)
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
}

/// `[A-Za-z_]` and every byte of a non-ASCII character, as in `scan.l`.
private func isIdentifierStart(_ byte: UInt8) -> Bool {
    byte >= 0x80 || byte == underscore || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
}

private func isIdentifierContinuation(_ byte: UInt8) -> Bool {
    isIdentifierStart(byte) || isDigit(byte) || byte == dollar
}

/// `scan.l`'s `op_chars`.
private func isOperatorCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "^"),
        UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: "+"),
        UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "<"),
        UInt8(ascii: ">"), UInt8(ascii: "="):
        return true
    default:
        return false
    }
}
