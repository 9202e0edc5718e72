import Testing
import SQLSyntax

@Suite struct SQLLexerTests {
    private func kinds(_ text: String) -> [SQLTokenKind] {
        SQLLexer.tokens(in: text).map(\.kind)
    }

    private func significant(_ text: String) -> [SQLToken] {
        SQLLexer.tokens(in: text).filter { !$0.isTrivia }
    }

    @Test func joiningTheTokensGivesTheInputBack() {
        let text = "CREATE TABLE \"a \"\"b\"\"\" (x int DEFAULT E'\\'', y text DEFAULT $q$;$q$); -- é\n/* /* */ */ ;"
        #expect(SQLLexer.tokens(in: text).map(\.text).joined() == text)
    }

    @Test func shortTokensThatRecurOrShareTheirFirstBytesKeepTheirOwnText() {
        // Words of 1 to 16 bytes sharing a prefix, others of the same length differing in
        // their last byte only, three times over (later ones found again rather than made),
        // non-ASCII ones among them, and the last few within the final sixteen bytes of the
        // text, where fewer bytes than a word's width are left to read.
        let words = (1...16).map { String("abcdefghijklmnop".prefix($0)) }
            + ["ac", "abcdefgi", "abcdefghj", "abcdefghijklmnq", "é", "aé", "日本", "abcdefghijklmné"]
        let all = words + words.reversed() + words
        let tokens = SQLLexer.tokens(in: all.joined(separator: " "))
        #expect(tokens.map(\.text) == Array(all.flatMap { [$0, " "] }.dropLast()))
    }

    @Test func aTextDenserThanATokenPerTwoBytesLexesWhole() {
        // The tokens go into an array sized for a token per two bytes; a run of one-byte
        // tokens overflows it, and the rest must follow in order, with their positions.
        let text = "SELECT " + String(repeating: "(", count: 300) + String(repeating: ")", count: 300) + ";\nx"
        let tokens = SQLLexer.tokens(in: text)
        #expect(tokens.count == 2 + 600 + 3)
        #expect(tokens.map(\.text).joined() == text)
        #expect(tokens.filter { $0.isPunctuation("(") }.map(\.column) == Array(8..<308))
        #expect(tokens.filter { $0.isPunctuation(")") }.map(\.column) == Array(308..<608))
        #expect(tokens.last.map { [$0.text, "\($0.line):\($0.column)"] } == ["x", "2:1"])
    }

    @Test func aDoubledQuoteStaysInsideTheString() {
        let tokens = significant("SELECT 'it''s; fine';")
        #expect(tokens.map(\.kind) == [.word, .string, .punctuation])
        #expect(tokens[1].text == "'it''s; fine'")
    }

    @Test func aBackslashEscapesTheQuoteOnlyInAnEString() {
        let escaped = significant("SELECT E'\\'; still string';")
        #expect(escaped.map(\.kind) == [.word, .string, .punctuation])
        #expect(escaped[1].text == "E'\\'; still string'")
        // With standard_conforming_strings (the default) a backslash is just a character.
        let plain = significant("SELECT 'a\\'; SELECT 1;")
        #expect(plain[1].text == "'a\\'")
        #expect(SQLLexer.statements(in: "SELECT 'a\\'; SELECT 1;").count == 2)
    }

    @Test func prefixedStringsAreOneToken() {
        for literal in ["B'1010'", "X'ff'", "N'abc'", "U&'d\\0061t'", "e'x\\\\'"] {
            let tokens = significant("SELECT \(literal);")
            #expect(tokens.map(\.kind) == [.word, .string, .punctuation], "\(literal)")
            #expect(tokens[1].text == literal)
        }
        #expect(significant("SELECT U&\"d\\0061t\";")[1].kind == .quotedIdentifier)
    }

    @Test func aQuotedIdentifierIsUnquotedExactlyInWords() {
        let statement = SQLLexer.statements(in: "create table \"My \"\"Table\"\"\" (id int);")[0]
        #expect(statement.words.prefix(3) == ["CREATE", "TABLE", "My \"Table\""])
    }

    @Test func blockCommentsNest() {
        let tokens = SQLLexer.tokens(in: "/* outer /* inner; */ still; */ SELECT 1;")
        #expect(tokens[0].kind == .blockComment)
        #expect(tokens[0].text == "/* outer /* inner; */ still; */")
        #expect(SQLLexer.statements(in: "/* outer /* inner; */ still; */ SELECT 1;").count == 1)
    }

    @Test func aLineCommentEndsAtTheNewline() {
        let tokens = SQLLexer.tokens(in: "-- DROP TABLE x;\nSELECT 1;")
        #expect(tokens.map(\.kind).prefix(3) == [.lineComment, .whitespace, .word])
        #expect(tokens[0].text == "-- DROP TABLE x;")
    }

    @Test func dollarQuotesWithAndWithoutTagsHoldSemicolons() {
        let text = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $$ not the end $$; $body$ LANGUAGE sql;\nDO $$ BEGIN NULL; END $$;"
        let statements = SQLLexer.statements(in: text)
        #expect(statements.count == 2)
        let dollar = statements[0].significantTokens.first { $0.kind == .dollarString }
        #expect(dollar?.text == "$body$ SELECT 1; $$ not the end $$; $body$")
        #expect(dollar?.dollarBody?.text == " SELECT 1; $$ not the end $$; ")
    }

    @Test func aPositionalParameterIsNotADollarQuote() {
        let tokens = significant("SELECT $1, $2 FROM t WHERE a = $1;")
        #expect(tokens.filter { $0.kind == .parameter }.map(\.text) == ["$1", "$2", "$1"])
        #expect(!tokens.contains { $0.kind == .dollarString })
    }

    @Test func aDollarInsideAnIdentifierContinuesIt() {
        let tokens = significant("SELECT a$b$c FROM t;")
        #expect(tokens[1].kind == .word)
        #expect(tokens[1].text == "a$b$c")
    }

    @Test func aMetaCommandLineIsItsOwnStatement() {
        let text = "\\set ON_ERROR_STOP on\nSELECT 1;\n  \\echo done\nSELECT 2"
        let statements = SQLLexer.statements(in: text)
        #expect(statements.map { $0.significantTokens.first?.kind } == [.psqlMeta, .word, .psqlMeta, .word])
        #expect(statements[0].significantTokens[0].text == "\\set ON_ERROR_STOP on")
        #expect(statements[2].line == 3)
        #expect(statements[2].column == 3)
    }

    // psql 15 answers `SELECT 1 \\ 2;` with "invalid command \\": psqlscan.l reads any
    // backslash outside quotes, comments and dollar bodies as a meta-command.
    @Test func aBackslashInsideALineIsAMetaCommandAsPsqlReadsIt() {
        let statements = SQLLexer.statements(in: "SELECT 1 \\ 2;\nSELECT 3;")
        #expect(statements.map { $0.significantTokens.first?.kind } == [.word, .psqlMeta, .word])
        #expect(statements[1].significantTokens[0].text == "\\ 2;")
        #expect(statements[1].column == 10)
    }

    @Test func textAfterTheLastSemicolonIsAStatementButCommentsAreNot() {
        #expect(SQLLexer.statements(in: "SELECT 1;\nSELECT 2").count == 2)
        #expect(SQLLexer.statements(in: "SELECT 1;\n-- done\n/* really */\n").count == 1)
        #expect(SQLLexer.statements(in: "").isEmpty)
    }

    @Test func statementsKeepTheCommentsBeforeThem() {
        let statements = SQLLexer.statements(in: "SELECT 1;\n-- about two\nSELECT 2;")
        #expect(statements[1].tokens.contains { $0.kind == .lineComment && $0.text == "-- about two" })
        #expect(statements[1].line == 3)
        #expect(statements[1].column == 1)
    }

    @Test func unterminatedConstructsRunToTheEndAndSaySo() {
        for text in ["SELECT 'open", "SELECT \"open", "/* open /* */", "DO $x$ open $x", "SELECT E'\\"] {
            let last = SQLLexer.tokens(in: text).last!
            #expect(!last.isTerminated, "\(text)")
            #expect(SQLLexer.tokens(in: text).map(\.text).joined() == text)
        }
        #expect(SQLLexer.tokens(in: "SELECT 'closed'").last!.isTerminated)
    }

    @Test func linesAndColumnsCountCharactersFromOne() {
        let tokens = significant("SELECT\n  'héllo', x;")
        #expect(tokens[0].line == 1 && tokens[0].column == 1)
        #expect(tokens[1].line == 2 && tokens[1].column == 3)
        // 'héllo' is seven characters but eight bytes.
        #expect(tokens[2].text == "," && tokens[2].column == 10)
        #expect(tokens[3].text == "x" && tokens[3].column == 12)
    }

    @Test func aDollarBodyLexedAgainKeepsFilePositions() {
        let token = significant("DO $$\nBEGIN\n  CREATE TABLE t ();\nEND $$;")[1]
        let body = token.dollarBody!
        let inner = SQLLexer.tokens(in: body.text, line: body.line, column: body.column).filter { !$0.isTrivia }
        #expect(inner[1].text == "CREATE")
        #expect(inner[1].line == 3 && inner[1].column == 3)
        let sameLine = significant("DO $$ CREATE TABLE t (); $$;")[1].dollarBody!
        let first = SQLLexer.tokens(in: sameLine.text, line: sameLine.line, column: sameLine.column)
            .first { !$0.isTrivia }!
        #expect(first.column == 7)
    }

    @Test func operatorsAndCastsAreSplitAsPostgreSQLDoes() {
        let tokens = significant("SELECT '[]'::jsonb, a<>b, x := 1, 2+-- comment\n3;")
        #expect(tokens.map(\.text).contains("::"))
        #expect(tokens.map(\.text).contains("<>"))
        #expect(tokens.map(\.text).contains(":="))
        #expect(SQLLexer.tokens(in: "2+-- c\n3").contains { $0.kind == .lineComment && $0.text == "-- c" })
    }

    @Test func numbersAreOneToken() {
        for number in ["42", "3.14", ".5", "1e-3", "1_000", "0xFF", "1.5E+10"] {
            let tokens = significant("SELECT \(number);")
            #expect(tokens[1].kind == .number, "\(number)")
            #expect(tokens[1].text == number)
        }
    }

    @Test func aSemicolonInsideParenthesesDoesNotEndTheStatementAsInPsql() {
        #expect(SQLLexer.statements(in: "SELECT (1;\n2);\nSELECT 3;").count == 2)
    }

    @Test func aBeginAtomicBodyKeepsItsSemicolons() {
        let text = """
            CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN true THEN 1 END;
                SELECT 2;
            END;
            SELECT 3;
            """
        let statements = SQLLexer.statements(in: text)
        #expect(statements.count == 2)
        #expect(statements[1].words == ["SELECT", "3", ";"])
        // Outside a routine definition BEGIN is a transaction, and ends at its semicolon.
        #expect(SQLLexer.statements(in: "BEGIN; SELECT 1; END;").count == 3)
    }
}
