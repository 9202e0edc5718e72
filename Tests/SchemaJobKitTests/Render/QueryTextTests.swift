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

    @Test func theScriptNamesTheFileOnlyThroughItsVariableAndEachStatementByItsPlace() {
        let file = MigrationFile(phase: .fixtures, name: "001_rows.sql", displayPath: "x", text: "SELECT 1;\nSELECT 2;\n")
        let lines = QueryText.lines(running: file)
        #expect(lines.first == "\\set sql `tail -c +1 :'files'/fixtures/001_rows.sql | head -c 19`")
        #expect(lines.filter { $0.hasSuffix("\\gexec") } == [
            "/* fixtures/001_rows.sql:1 */ EXECUTE schemajob_file(1, 9) \\gexec",
            "/* fixtures/001_rows.sql:2 */ EXECUTE schemajob_file(11, 9) \\gexec",
        ])
        // The digest is of the bytes psql's backticks hand over: one final newline fewer.
        #expect(lines.contains { $0.contains(sha256Hex(Array("SELECT 1;\nSELECT 2;".utf8))) })
    }

    @Test func aLargeFileIsLoadedInChunksThatEachHoldWholeStatements() {
        let statement = "INSERT INTO t VALUES ('\(String(repeating: "é", count: 500))') ON CONFLICT DO NOTHING;\n"
        let text = String(repeating: statement, count: 200)
        let bytes = Array(text.utf8)
        let file = MigrationFile(phase: .fixtures, name: "002_rows.sql", displayPath: "x", text: text)
        let lines = QueryText.lines(running: file)
        let loads = lines.filter { $0.hasPrefix("\\set sql `tail -c +") }
        #expect(loads.count == (bytes.count + QueryText.chunkBytes - 1) / QueryText.chunkBytes, "\(loads.count) chunks")
        // Every chunk starts at a statement and the offsets inside it count from there.
        var chunkStart = 0
        var checked = 0
        for line in lines {
            if let match = line.firstMatch(of: #/tail -c \+(\d+) .* head -c (\d+)`/#) {
                chunkStart = Int(match.1)!
                #expect(Int(match.2)! <= QueryText.chunkBytes)
            } else if let match = line.firstMatch(of: #/EXECUTE schemajob_file\((\d+), (\d+)\)/#) {
                let start = chunkStart + Int(match.1)! - 1
                let cut = String(decoding: bytes[(start - 1)..<(start - 1 + Int(match.2)!)], as: UTF8.self)
                #expect(cut + "\n" == statement)
                checked += 1
            }
        }
        #expect(checked == 200)
    }
}
