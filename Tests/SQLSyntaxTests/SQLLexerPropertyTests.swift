import Testing
import SQLSyntax

/// The lexer's promises checked over many generated inputs. The generator is
/// seeded, so a failure names an input that reproduces on every machine.
@Suite package struct SQLLexerPropertyTests {
    /// Pieces that open, close or sit inside the constructs the lexer must track,
    /// so random mixes land in every state and at every boundary.
    /// Also the pieces of `SchemaJobKitTests`' property tests (`LintFixTests`).
    package static let fragments: [String] = [
        "'", "''", "E'", "e'", "\\", "\\'", "\"", "\"\"", "U&'", "U&\"", "B'", "X'", "N'",
        "$", "$$", "$a$", "$tag$", "$1", "$2x", "a$b", "--", "-", "/*", "*/", "/", "*", "\n", "\r\n", "\r",
        ";", ":", "::", ":=", " ", "\t", "\u{0C}", "\0", "CREATE", "TABLE", "IF NOT EXISTS", "x", "_1",
        "0x", "1", "1.5e", ".", "..", "+", "<>", "é", "e\u{301}", "\u{301}", "\u{200D}", "😀", "👩‍👩‍👧", "日本", "\u{FEFF}",
    ]

    private func checkPromises(_ text: String, seed: UInt64) {
        let tokens = SQLLexer.tokens(in: text)
        #expect(tokens.map(\.text).joined() == text, "seed \(seed): \(text.debugDescription)")
        #expect(!tokens.contains { $0.text.isEmpty }, "seed \(seed)")
        #expect(!tokens.dropLast().contains { !$0.isTerminated }, "seed \(seed): only the last token can be open")

        var utf8Offset = 0
        var line = 1
        var lineStart = text.startIndex
        for token in tokens {
            let index = text.utf8.index(text.startIndex, offsetBy: utf8Offset)
            let column = text[lineStart..<index].count + 1
            #expect(token.line == line && token.column == column,
                    "seed \(seed): \(token.text.debugDescription) at \(token.line):\(token.column), expected \(line):\(column)")
            for (position, byte) in zip(utf8Offset..., token.text.utf8) where byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = text.utf8.index(text.startIndex, offsetBy: position + 1)
            }
            utf8Offset += token.text.utf8.count
        }

        let statements = SQLLexer.statements(from: tokens)
        let covered = statements.flatMap(\.tokens)
        #expect(Array(tokens.prefix(covered.count)) == covered, "seed \(seed): statements keep token order")
        #expect(!tokens.dropFirst(covered.count).contains { !$0.isTrivia }, "seed \(seed): only trivia is left over")
        // A statement ends at a semicolon, at a meta-command line, or at the end.
        for (statement, next) in zip(statements, statements.dropFirst()) {
            let last = statement.significantTokens.last
            let endsAtSemicolon = last?.kind == .punctuation && last?.text == ";"
            let endsAtMeta = last?.kind == .psqlMeta || next.significantTokens.first?.kind == .psqlMeta
            #expect(endsAtSemicolon || endsAtMeta, "seed \(seed): \(statement.text.debugDescription)")
        }
    }

    @Test func randomMixesOfConstructsLoseNothing() {
        var generator = SplitMix64(seed: 0x5C4E_4A0B)
        for round in 0..<3_000 {
            let count = Int(generator.next() % 40)
            var text = ""
            for _ in 0..<count {
                text += Self.fragments[Int(generator.next() % UInt64(Self.fragments.count))]
            }
            checkPromises(text, seed: UInt64(round))
        }
    }

    @Test func randomBytesLoseNothing() {
        var generator = SplitMix64(seed: 0xB17E5)
        for round in 0..<2_000 {
            let count = Int(generator.next() % 64)
            // Mostly ASCII with some high bytes, which decode as replacement characters.
            let bytes = (0..<count).map { _ -> UInt8 in
                let value = generator.next()
                return value % 8 == 0 ? UInt8(truncatingIfNeeded: value >> 8) : UInt8(truncatingIfNeeded: value >> 8) & 0x7F
            }
            checkPromises(String(decoding: bytes, as: UTF8.self), seed: UInt64(round))
        }
    }
}

/// A tiny, well-known seeded generator (Steele, Lea and Flood's SplitMix64),
/// so the inputs do not depend on the platform's random source. `SchemaJobKitTests`
/// seeds its property tests with it too.
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
