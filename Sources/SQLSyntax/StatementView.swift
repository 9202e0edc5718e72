/// The significant tokens of one statement, read as keywords. Only an unquoted
/// word is a keyword: `"TABLE"` is a name, and a string is never looked into.
package struct StatementView {
    package let tokens: SQLTokenRun
    /// Parenthesis depth at each token (an opening parenthesis is outside the
    /// parentheses it opens).
    package let depths: [Int]

    package init(_ tokens: [SQLToken]) {
        self.init(SQLTokenRun(tokens))
    }

    package init(_ tokens: SQLTokenRun) {
        self.tokens = tokens
        // Each token's one-byte mark read in place, the text neither read nor retained.
        self.depths = tokens.withUnsafeBufferPointer { buffer in
            var depths: [Int] = []
            depths.reserveCapacity(buffer.count)
            var depth = 0
            for index in buffer.indices {
                let mark = buffer[index].mark
                if mark == UInt8(ascii: ")") { depth = max(0, depth - 1) }
                depths.append(depth)
                if mark == UInt8(ascii: "(") { depth += 1 }
            }
            return depths
        }
    }

    package var count: Int { tokens.count }

    /// The upper-cased word at `index`, or nil when it is not an unquoted word.
    package func keyword(_ index: Int) -> String? {
        guard index >= 0, index < tokens.count, tokens[index].kind == .word else { return nil }
        return tokens[index].text.uppercased()
    }

    /// `keyword` is upper case. Compared byte by byte, folding ASCII only, as PostgreSQL's
    /// keyword lookup does, and without making an upper-cased copy of every word it meets.
    package func isKeyword(_ index: Int, _ keyword: String) -> Bool {
        guard index >= 0, index < tokens.count else { return false }
        return tokens[index].foldsToKeyword(keyword)
    }

    package func isKeyword(_ index: Int, oneOf keywords: Set<String>) -> Bool {
        self.keyword(index).map(keywords.contains) ?? false
    }

    /// A few keywords, written in place (`oneOf: ["FUNCTION", "PROCEDURE"]`): an array
    /// literal of constants costs nothing to make, where a `Set` literal is built and
    /// hashed on every call.
    package func isKeyword(_ index: Int, oneOf keywords: [String]) -> Bool {
        guard index >= 0, index < tokens.count, tokens[index].kind == .word else { return false }
        return keywords.contains { isUpperCasedKeyword(index, $0) }
    }

    /// True when the keywords follow each other from `index`.
    package func matches(_ index: Int, _ keywords: String...) -> Bool {
        keywords.enumerated().allSatisfy { isKeyword(index + $0.offset, $0.element) }
    }

    // Two and three keywords, the usual case, without the array a variadic call allocates
    // (`ON CONFLICT` is looked for at every token of an INSERT).
    package func matches(_ index: Int, _ first: String, _ second: String) -> Bool {
        isKeyword(index, first) && isKeyword(index + 1, second)
    }

    package func matches(_ index: Int, _ first: String, _ second: String, _ third: String) -> Bool {
        isKeyword(index, first) && isKeyword(index + 1, second) && isKeyword(index + 2, third)
    }

    /// True for the one-byte punctuation token `byte` (`UInt8(ascii: "(")`) at `index`: one
    /// comparison with its mark, where the string form first has to find the literal's bytes.
    @inlinable
    package func isPunctuation(_ index: Int, _ byte: UInt8) -> Bool {
        index >= 0 && index < tokens.count && tokens[index].isPunctuation(byte: byte)
    }

    package func isPunctuation(_ index: Int, _ text: String) -> Bool {
        guard index >= 0, index < tokens.count, tokens[index].kind == .punctuation else { return false }
        // A one-byte mark (`(`, `,`, `.`) is the token's `mark`, as the splitter reads it; no
        // Unicode comparison of strings, and no copy of the token, for every token a rule
        // walks past.
        if text.utf8.count == 1, let byte = text.utf8.first { return byte < 0x80 && tokens[index].isPunctuation(byte: byte) }
        return tokens[index].text.utf8.count == text.utf8.count && tokens[index].text == text
    }

    /// The same answer as `keyword(index) == keyword` (`keyword` upper case), without an
    /// upper-cased copy of an ASCII word; a word with other letters is upper-cased as
    /// `keyword(_:)` does, so Unicode's case mappings still decide for it.
    package func isUpperCasedKeyword(_ index: Int, _ keyword: String) -> Bool {
        guard index >= 0, index < tokens.count else { return false }
        return tokens[index].uppercasesToKeyword(keyword)
    }

    /// The first keyword out of `keywords` at parenthesis depth 0 in `range`. A few keywords
    /// are compared one by one, which hashes no upper-cased copy of every word on the way.
    package func firstTopLevel(_ keywords: Set<String>, in range: Range<Int>) -> Int? {
        let range = range.clamped(to: 0..<tokens.count)
        if keywords.count <= 8 {
            return range.first { index in
                depths[index] == 0 && tokens[index].kind == .word
                    && keywords.contains { isUpperCasedKeyword(index, $0) }
            }
        }
        return range.first { depths[$0] == 0 && isKeyword($0, oneOf: keywords) }
    }

    /// `firstTopLevel` for a few keywords written in place, without a `Set` made per call.
    package func firstTopLevel(_ keywords: [String], in range: Range<Int>) -> Int? {
        let range = range.clamped(to: 0..<tokens.count)
        return range.first { index in
            depths[index] == 0 && tokens[index].kind == .word && keywords.contains { isUpperCasedKeyword(index, $0) }
        }
    }

    package func firstTopLevel(_ keyword: String, from start: Int) -> Int? {
        (start..<tokens.count).clamped(to: 0..<tokens.count).first { depths[$0] == 0 && isUpperCasedKeyword($0, keyword) }
    }

    /// An identifier as PostgreSQL resolves it: unquoted words fold to lower case,
    /// quoted ones are exact.
    package func identifier(_ index: Int) -> String? {
        guard index >= 0, index < tokens.count else { return nil }
        let token = tokens[index]
        switch token.kind {
        case .word: return token.text.lowercased()
        case .quotedIdentifier: return SQLStatement.unquotedIdentifier(token.text)
        default: return nil
        }
    }

    /// `name` or `schema.name` from `index`, and the index after it.
    package func qualifiedName(_ index: Int) -> (parts: [String], next: Int)? {
        var parts: [String] = []
        var position = index
        while let part = identifier(position) {
            parts.append(part)
            position += 1
            guard isPunctuation(position, UInt8(ascii: ".")) else { break }
            position += 1
        }
        return parts.isEmpty ? nil : (parts, position)
    }

    /// Starts of the comma-separated parts of a list at depth 0, from `start`
    /// up to a terminating `;`.
    package func topLevelListStarts(from start: Int) -> [Int] {
        var starts = [start]
        for index in start..<tokens.count where depths[index] == 0 && isPunctuation(index, UInt8(ascii: ",")) {
            starts.append(index + 1)
        }
        return starts
    }

    /// Where token `index` starts (clamped to the statement's tokens).
    package func position(_ index: Int) -> SQLPosition {
        let token = tokens[min(max(index, 0), tokens.count - 1)]
        return SQLPosition(line: token.line, column: token.column)
    }
}
