import Testing
import SQLSyntax

/// The token's own answers that the splitter and the rules ask of nearly every token:
/// a keyword compared on the bytes, and a one-byte punctuation mark held beside the text.
@Suite struct SQLTokenTests {
    private func word(_ text: String) -> SQLToken {
        let tokens = SQLLexer.tokens(in: text)
        #expect(tokens.count == 1, "\(text) is one token")
        return tokens[0]
    }

    @Test func aKeywordIsFoundInAnyMixOfASCIICase() {
        for text in ["create", "CREATE", "CrEaTe", "cREATE"] {
            #expect(word(text).foldsToKeyword("CREATE"), "\(text)")
            #expect(word(text).uppercasesToKeyword("CREATE"), "\(text)")
        }
        for text in ["creat", "creates", "_create", "create1", "table"] {
            #expect(!word(text).foldsToKeyword("CREATE"), "\(text)")
            #expect(!word(text).uppercasesToKeyword("CREATE"), "\(text)")
        }
    }

    @Test func aQuotedNameOrAStringIsNeverAKeyword() {
        for text in ["\"CREATE\"", "\"create\"", "'CREATE'", "U&\"CREATE\"", "$$CREATE$$"] {
            let token = SQLLexer.tokens(in: text)[0]
            #expect(!token.foldsToKeyword("CREATE"), "\(text)")
            #expect(!token.uppercasesToKeyword("CREATE"), "\(text)")
        }
    }

    /// Folding takes ASCII letters only, as PostgreSQL's keyword lookup does; upper-casing
    /// answers as `uppercased()` would, including letters whose capitals are ASCII.
    @Test func nonASCIILettersFoldOnlyWhereUppercasingWouldMakeTheKeyword() {
        let cases: [(text: String, keyword: String)] = [
            ("oﬃce", "OFFICE"),  // ﬃ upper-cases to FFI, in as many bytes
            ("ıf", "IF"),  // dotless i
            ("caſe", "CASE"),  // long s
            ("straße", "STRASSE"),
            ("énd", "END"),
            ("ＥＮＤ", "END"),  // full-width letters stay full width
            ("ǰoin", "JOIN"),  // J and a combining caron
        ]
        for (text, keyword) in cases {
            let token = word(text)
            #expect(token.kind == .word)
            #expect(!token.foldsToKeyword(keyword), "\(text)")
            #expect(token.uppercasesToKeyword(keyword) == (text.uppercased() == keyword), "\(text)")
        }
        #expect(word("oﬃce").uppercasesToKeyword("OFFICE"))
        #expect(!word("énd").uppercasesToKeyword("END"))
    }

    @Test func aOneBytePunctuationTokenCarriesItsByte() {
        let tokens = SQLLexer.tokens(in: "f(a, b);::= <> $1 ()")
        let marked = tokens.filter { $0.mark != 0 }.map(\.text)
        #expect(marked == ["(", ",", ")", ";", "=", "(", ")"])  // `::=` is `::` and `=`
        #expect(tokens.filter { $0.isPunctuation(";") }.count == 1)
        #expect(!tokens.contains { $0.kind != .punctuation && $0.mark != 0 })
        // Tokens made or changed by hand answer as the lexer's do.
        var token = SQLToken(kind: .punctuation, text: "(", line: 1, column: 1)
        #expect(token.isPunctuation("("))
        token.text = ")"
        #expect(token.isPunctuation(")") && !token.isPunctuation("("))
        token.kind = .word
        #expect(!token.isPunctuation(")"))
        #expect(!SQLToken(kind: .string, text: "(", line: 1, column: 1).isPunctuation("("))
        #expect(!SQLToken(kind: .punctuation, text: "((", line: 1, column: 1).isPunctuation("("))
    }

    @Test func aBeginAtomicBodyInMixedCaseKeepsItsSemicolons() {
        let text = """
            create or Replace procedure p() language sql
            Begin Atomic
                select case when true then 1 End;
                insert into t values (1);
            eNd;
            select 3;
            """
        let statements = SQLLexer.statements(in: text)
        #expect(statements.count == 2)
        #expect(statements[1].words == ["SELECT", "3", ";"])
    }
}
