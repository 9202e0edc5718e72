import Testing
@testable import SchemaJobKit

/// How the Job's script cuts a file into the statements it sends as query text.
@Suite struct QueryTextTests {
    @Test func eachPieceIsAStatementsBytesFromItsFirstTokenToItsSemicolon() {
        let text = "-- héllo\nCREATE TABLE IF NOT EXISTS t (name text); /* é */ INSERT INTO t VALUES ('日本😀')\n  ON CONFLICT DO NOTHING;\nSELECT 1\n"
        let bytes = Array(text.utf8)
        let pieces = QueryText.pieces(of: text)
        let cut = pieces.map { String(decoding: bytes[($0.start - 1)..<($0.start - 1 + $0.length)], as: UTF8.self) }
        #expect(cut == [
            "CREATE TABLE IF NOT EXISTS t (name text);",
            "INSERT INTO t VALUES ('日本😀')\n  ON CONFLICT DO NOTHING;",
            "SELECT 1",
        ])
        // The line psql named when it sent the statement: where the statement ends.
        #expect(pieces.map(\.line) == [2, 3, 4])
        #expect(pieces.map(\.firstLine) == [2, 2, 4])
    }

    @Test func aFileOfCommentsHasNothingToSendAndNoLines() {
        let file = MigrationFile(phase: .schema, name: "001_empty.sql", displayPath: "x", text: "-- nothing yet\n/* later */\n")
        #expect(QueryText.lines(running: file).isEmpty)
    }

    @Test func theScriptNamesTheFileOnlyThroughItsVariableAndSendsAllItsStatementsWithOneGexec() {
        let file = MigrationFile(phase: .fixtures, name: "001_rows.sql", displayPath: "x", text: "SELECT 1;\nSELECT 2;\n")
        let lines = QueryText.lines(running: file)
        #expect(lines.first == "\\set sql `cat :'files'/fixtures/001_rows.sql`")
        #expect(lines.filter { $0.hasSuffix("\\gexec") } == ["EXECUTE schemajob_file(1, 2) \\gexec"])
        // Where the statements are cut, and the line each is reported at, travel as data.
        let prepare = lines.first { $0.hasPrefix("PREPARE schemajob_file") } ?? ""
        #expect(prepare.contains("unnest('{1,11}'::int[], '{9,9}'::int[], '{1,2}'::int[])"), "\(prepare)")
        #expect(prepare.contains("'/* fixtures/001_rows.sql:' || p.line || ' */ '"), "\(prepare)")
        // The digest is of the bytes psql's backticks hand over: one final newline fewer.
        #expect(lines.contains { $0.contains(sha256Hex(Array("SELECT 1;\nSELECT 2;".utf8))) })
    }

    @Test func theLinesThatRunAFileDoNotGrowWithItsStatements() {
        let statement = "INSERT INTO t VALUES ('\(String(repeating: "é", count: 50))') ON CONFLICT DO NOTHING;\n"
        let small = MigrationFile(phase: .fixtures, name: "002_rows.sql", displayPath: "x", text: statement)
        let text = String(repeating: statement, count: 2000)
        let large = MigrationFile(phase: .fixtures, name: "002_rows.sql", displayPath: "x", text: text)
        let lines = QueryText.lines(running: large)
        #expect(lines.count == QueryText.lines(running: small).count)
        // Every piece the arrays name is one whole statement, counted in bytes.
        let pieces = QueryText.pieces(of: text)
        #expect(pieces.count == 2000)
        let bytes = Array(text.utf8)
        for piece in pieces {
            #expect(String(decoding: bytes[(piece.start - 1)..<(piece.start - 1 + piece.length)], as: UTF8.self) + "\n" == statement)
        }
        let prepare = lines.first { $0.hasPrefix("PREPARE schemajob_file") } ?? ""
        #expect(prepare.contains("unnest('{" + pieces.map { String($0.start) }.joined(separator: ",") + "}'::int[]"))
    }

    @Test func theReplayHasAGexecPerStatementWithItsOwnLinesAfterEach() {
        let file = MigrationFile(phase: .schema, name: "001_t.sql", displayPath: "x", text: "SELECT 1;\nSELECT 2;\nSELECT 3;\n")
        let lines = QueryText.lines(running: file) { piece in ["-- after \(piece.line)"] }
        let tail = lines.drop { !$0.hasPrefix("EXECUTE") }
        #expect(Array(tail) == [
            "EXECUTE schemajob_file(1, 1) \\gexec", "-- after 1",
            "EXECUTE schemajob_file(2, 2) \\gexec", "-- after 2",
            "EXECUTE schemajob_file(3, 3) \\gexec", "-- after 3",
            "DEALLOCATE schemajob_file;", "\\unset sql",
        ])
    }
}
