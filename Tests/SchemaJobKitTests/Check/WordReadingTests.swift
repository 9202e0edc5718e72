import Testing
@testable import SchemaJobKit
import SQLSyntax

/// The rules read a statement's first word once (`Verb`), compare a word with a few
/// keywords at once (`Keywords`), and skip calls and comments by their bytes. Each of
/// these must answer as the slower reading it stands for, Unicode spellings included.
@Suite struct WordReadingTests {
    /// Words as a pull request might write them: any case, Unicode letters that upper-case
    /// to ASCII (`ſ` to `S`, `ı` to `I`), ligatures, words of more than 8 and 16 bytes.
    static let words = [
        "create", "CREATE", "CrEaTe", "créate", "ſet", "SET", "reſet", "ınsert", "INSERT", "do", "dO", "ﬃ",
        "security", "SECURITY", "rollback", "ROLLBACKS", "with", "abort", "import", "select", "merge", "function",
        "PROCEDURE", "proceduree", "temporary", "Temp", "unlogged", "procedural", "truſted", "an_identifier_longer_than_16",
        "\"create\"", "'create'", "42",
    ]

    static func view(_ word: String) -> StatementView {
        StatementView(SQLLexer.tokens(in: "\(word) x").filter { !$0.isTrivia })
    }

    @Test(arguments: words)
    func theVerbIsTheWordTheViewNames(_ word: String) {
        let view = Self.view(word)
        let verb = Verb.read(view)
        for candidate in Verb.allCases where candidate != .other {
            let name = String(describing: candidate).uppercased()
            #expect((verb.keyword == candidate) == (view.keyword(0) == name), "\(word) as \(name)")
            #expect((verb.folded == candidate) == view.isKeyword(0, name), "\(word) folded as \(name)")
        }
    }

    @Test(arguments: words)
    func keywordsMatchAsTheViewUpperCases(_ word: String) {
        let view = Self.view(word)
        for list in [EscapeRules.routineWords, EscapeRules.languageModifiers, StatementRules.createModifiers, StatementRules.temporary] {
            #expect(view.isUpperCasedKeyword(0, anyOf: list) == list.names.contains { view.isUpperCasedKeyword(0, $0) }, "\(word)")
        }
    }

    /// Every name `checkCalls` watches, however written, passes the first look.
    @Test(arguments: ["lo_import", "LO_EXPORT", "Pg_Read_File", "pg_ls_dir", "DBLINK_CONNECT", "dblink", "Set_Config"])
    func watchedNamesPassTheFirstLook(_ name: String) {
        let token = SQLLexer.tokens(in: name)[0]
        #expect(EscapeRules.mayBeWatched(token))
    }

    @Test(arguments: ["status", "d001_t0", "sessions", "payload", "lower", "serial_no", "deleted_at"])
    func otherNamesDoNot(_ name: String) {
        #expect(!EscapeRules.mayBeWatched(SQLLexer.tokens(in: name)[0]))
    }

    /// A comment is read for `schemajob:allow` or `schemajob:contract` only when it holds
    /// the bytes `schemajob:`.
    @Test func commentsThatMayMarkAreKept() {
        let marked = ["-- schemajob:allow drop-table", "/* schemajob:contract the API moved */", "--\tschemajob:allow x"]
        let plain = ["-- one row per request", "/* keeps updated_at current */", "-- schemajob allow"]
        for text in marked { #expect(AllowComments.mayMark(SQLLexer.tokens(in: text)[0]), "\(text)") }
        for text in plain { #expect(!AllowComments.mayMark(SQLLexer.tokens(in: text)[0]), "\(text)") }
    }
}
