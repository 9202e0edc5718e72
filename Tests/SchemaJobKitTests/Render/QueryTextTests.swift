import Foundation
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
        #expect(lines.first == "\\set schemajob_text `cd :'files'/fixtures && cat -- 001_rows.sql && printf .`")
        #expect(lines.filter { $0.hasSuffix("\\gexec") && !$0.hasPrefix("SELECT format") } == ["EXECUTE schemajob_phase(1, 2, :VERSION_NUM >= 150000) \\gexec"])
        // Where the statements are cut travels as data, one integer a statement (its
        // length from the end of the one before) and a count a file; the server makes
        // the starts and lines, kept in variables the prepared statement reads.
        let cut = lines.first { $0.hasPrefix("WITH b AS MATERIALIZED") } ?? ""
        #expect(Self.arrays(cut).prefix(4) == [["1"], ["9", "10"], ["2"], ["f"]], "\(cut)")
        #expect(cut.hasSuffix(" AS schemajob_text_files FROM r \\gset"), "\(cut)")
        let prepare = lines.first { $0.hasPrefix("PREPARE schemajob_phase") } ?? ""
        #expect(prepare.contains(":'schemajob_text_starts'::int[] AS starts, :'schemajob_text_lengths'::int[] AS lengths, "
            + ":'schemajob_text_lines'::int[] AS lines, :'schemajob_text_files'::int[] AS files"), "\(prepare)")
        #expect(prepare.contains("'/* fixtures/' || f.names[p.file] || ':' || p.line || ' */ '"), "\(prepare)")
        #expect(prepare.contains("'{\"001_rows.sql\"}'::text[] AS names"), "\(prepare)")
        // The digest is of the file's bytes, final newline included: the `.` after them keeps it.
        let check = lines.first { $0.hasSuffix("AS c \\gset") } ?? ""
        #expect(check.contains("'{\"\(sha256Hex(Array("SELECT 1;\nSELECT 2;\n".utf8)))\"}'::text[]"), "\(check)")
        #expect(check.contains("octet_length(f.bytes) <> 21 THEN 'fixtures/001_rows.sql'"), "\(check)")
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
        // One integer a statement: its length from the end of the one before, the newline
        // after that statement included.
        let cut = lines.first { $0.hasPrefix("WITH b AS MATERIALIZED") } ?? ""
        #expect(Self.arrays(cut)[1] == [String(pieces[0].length)] + Array(repeating: String(pieces[0].length + 1), count: 1999))
    }

    @Test func theReplayHasAGexecPerStatementWithItsOwnLinesAfterEach() {
        let file = MigrationFile(phase: .schema, name: "001_t.sql", displayPath: "x", text: "SELECT 1;\nSELECT 2;\nSELECT 3;\n")
        let lines = QueryText.lines(running: file, in: "4/schema") { piece in ["-- after \(piece.line)"] }
        #expect(lines.first == "\\set schemajob_text `cd :'files'/4/schema && cat -- 001_t.sql && printf .`")
        let tail = lines.drop { !$0.hasPrefix("EXECUTE") }
        #expect(Array(tail) == [
            "EXECUTE schemajob_phase(1, 1, :VERSION_NUM >= 150000) \\gexec", "-- after 1",
            "EXECUTE schemajob_phase(2, 2, :VERSION_NUM >= 150000) \\gexec", "-- after 2",
            "EXECUTE schemajob_phase(3, 3, :VERSION_NUM >= 150000) \\gexec", "-- after 3",
            "DEALLOCATE schemajob_phase;", "\\unset schemajob_text", "\\unset schemajob_text_starts", "\\unset schemajob_text_lengths",
            "\\unset schemajob_text_lines", "\\unset schemajob_text_files",
        ])
    }

    static func member(_ name: String, _ text: String, announced: Bool = true) -> QueryText.Batch.Member {
        let file = MigrationFile(phase: .schema, name: name, displayPath: "database/schema/" + name, text: text)
        return QueryText.Batch.Member(file: file, pieces: QueryText.pieces(of: text), digest: file.sha256, announced: announced)
    }

    /// The bytes the backticks of `batch` hand psql: each file, a `.` after each backtick's.
    static func read(_ batch: QueryText.Batch) -> [UInt8] {
        batch.reads.flatMap { read in batch.members[read].flatMap { Array($0.file.bytes) } + Array(".".utf8) }
    }

    /// The arrays (`'{…}'` literals) of a script line, in order.
    static func arrays(_ line: String) -> [[String]] {
        line.split(separator: "'{").dropFirst().map { part in
            part.prefix { $0 != "}" }.split(separator: ",").map(String.init)
        }
    }

    /// The rows the prepared statement yields, cut from what was read as the server cuts
    /// it: each file's statements from where it starts (the cut line's first array), one
    /// after the other by their lengths (the second), as many as its count (the third),
    /// after its announcement when it has one (the fourth); each at the line it ends on.
    static func rows(_ batch: QueryText.Batch) throws -> [String] {
        let cut = try #require(batch.opening.first { $0.hasPrefix("WITH b AS MATERIALIZED") })
        let prepare = try #require(batch.opening.first { $0.hasPrefix("PREPARE") })
        let arrays = Self.arrays(cut)
        let (starts, lengths, counts, announced) = (arrays[0], arrays[1], arrays[2], arrays[3])
        let names = Self.arrays(prepare)[0].map { $0.replacingOccurrences(of: "\"", with: "") }
        let read = Self.read(batch)
        var rows: [String] = [], next = 0
        for (file, name) in names.enumerated() {
            if announced[file] == "t" { rows.append("SELECT '  → \(name)'") }
            var start = Int(starts[file])! - 1, line = 1
            for _ in 0..<Int(counts[file])! {
                let piece = read[start..<(start + Int(lengths[next])!)]
                line += piece.filter { $0 == UInt8(ascii: "\n") }.count
                rows.append("/* schema/\(name):\(line) */ " + String(decoding: piece, as: UTF8.self))
                start += piece.count
                next += 1
            }
        }
        return rows
    }

    @Test func aPhaseIsReadByOneBacktickOfEveryNameInOrderAndCutFromTheStartOfWhatWasRead() throws {
        let batch = QueryText.Batch([
            Self.member("001_a.sql", "CREATE TABLE a (id int);\n"),
            Self.member("002_b.sql", "-- only words\n"),
            Self.member("003_c.sql", "-- schemajob:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 'é';", announced: false),
            Self.member("004_d.sql", "INSERT INTO a\nVALUES (1);\n"),
        ], directory: "schema", shownDirectory: "schema")
        #expect(batch.opening.first == "\\set schemajob_text `cd :'files'/schema && cat -- 001_a.sql 002_b.sql 003_c.sql 004_d.sql && printf .`")
        #expect(try Self.rows(batch) == [
            "SELECT '  → 001_a.sql'", "/* schema/001_a.sql:1 */ CREATE TABLE a (id int);",
            "SELECT '  → 002_b.sql'",
            "/* schema/003_c.sql:2 */ -- schemajob:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);",
            "/* schema/003_c.sql:3 */ \nSELECT 'é';",
            "SELECT '  → 004_d.sql'", "/* schema/004_d.sql:2 */ INSERT INTO a\nVALUES (1);",
        ])
        // A file that runs outside the transaction has no announcement among the rows:
        // the script says it is outside, between the segments.
        #expect(batch.statementRows(of: 0) == 2..<3 && batch.statementRows(of: 1).isEmpty)
        #expect(batch.statementRows(of: 2) == 4..<6 && batch.statementRows(of: 3) == 7..<8)
        #expect(batch.execute(4..<6) == ["EXECUTE schemajob_phase(4, 5, :VERSION_NUM >= 150000) \\gexec"] && batch.execute(3..<3).isEmpty)
    }

    @Test func namesPastTheShellsLimitAreReadByMoreBackticksOnTheOneSetLine() throws {
        // 2,000 files of 120-byte names: 242 KB of names, more than `sh -c` takes (128 KiB).
        let members = (1...2000).map { index in
            Self.member(String(format: "%04d_", index) + String(repeating: "x", count: 111) + ".sql", "SELECT \(index);\n")
        }
        let batch = QueryText.Batch(members, directory: "schema", shownDirectory: "schema")
        let set = try #require(batch.opening.first)
        let commands = set.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(commands.count == 3)
        #expect(commands.allSatisfy { $0.utf8.count < 100_100 && $0.hasPrefix("cd :'files'/schema && cat -- ") && $0.hasSuffix(" && printf .") })
        let named = commands.flatMap { $0.dropFirst("cd :'files'/schema && cat -- ".count).dropLast(" && printf .".count).split(separator: " ") }
        #expect(named.map(String.init) == members.map(\.file.name))
        // The `.` each backtick ends with is counted: every statement is cut whole.
        let rows = try Self.rows(batch)
        #expect(rows.count == 4000)
        #expect(rows[3999] == "/* schema/\(members[1999].file.name):1 */ SELECT 2000;")
        #expect(rows.enumerated().allSatisfy { $0.offset % 2 == 0 || $0.element.hasSuffix(" */ SELECT \($0.offset / 2 + 1);") })
        #expect(batch.length == Self.read(batch).count)
    }
}

/// How the Job's script runs a phase around a file that runs outside the transaction.
@Suite struct MigrationScriptPhaseTests {
    @Test func aNoTransactionFileInTheMiddleCutsThePhaseIntoSegmentsOfOnePreparedStatement() {
        let files = [
            MigrationFile(phase: .schema, name: "001_a.sql", displayPath: "database/schema/001_a.sql", text: "CREATE TABLE IF NOT EXISTS a (id int);\n"),
            MigrationFile(
                phase: .schema, name: "002_b.sql", displayPath: "database/schema/002_b.sql",
                text: "-- schemajob:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON a (id);\n"),
            MigrationFile(phase: .schema, name: "003_c.sql", displayPath: "database/schema/003_c.sql", text: "COMMENT ON INDEX a_id IS 'built';\n"),
        ]
        let analysis = MigrationAnalysis(MigrationSet(directory: "database", files: files))
        let members = files.map { QueryText.Batch.Member(file: $0, pieces: QueryText.pieces(of: $0.text), digest: $0.sha256, announced: !$0.runsOutsideTransaction) }
        let lines = MigrationScript.apply(QueryText.Batch(members, directory: "schema", shownDirectory: "schema"), analysis: analysis)
        // One read, one check, one PREPARE for the phase; an EXECUTE per segment.
        #expect(lines.filter { $0.hasPrefix("\\set schemajob_text") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("PREPARE") }.count == 1)
        let after = Array(lines.drop { !$0.hasPrefix("\\pset tuples_only on") })
        #expect(after == [
            "\\pset tuples_only on", "\\pset format unaligned",
            "EXECUTE schemajob_phase(1, 2, :VERSION_NUM >= 150000) \\gexec",
            "COMMIT;", "\\echo '  → 002_b.sql (outside the transaction)'",
            "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('a_id') AND NOT indisvalid) AS invalid_index \\gset",
            "\\if :invalid_index",
            "\\echo '    dropping index a_id: an earlier build failed and left it invalid; the file builds it again'",
            "DROP INDEX CONCURRENTLY IF EXISTS a_id;",
            "\\endif",
            "EXECUTE schemajob_phase(3, 3, :VERSION_NUM >= 150000) \\gexec",
            "BEGIN;",
            "EXECUTE schemajob_phase(4, 5, :VERSION_NUM >= 150000) \\gexec",
            "DEALLOCATE schemajob_phase;", "\\unset schemajob_text", "\\unset schemajob_text_starts", "\\unset schemajob_text_lengths",
            "\\unset schemajob_text_lines", "\\unset schemajob_text_files",
            "\\pset tuples_only off", "\\pset format aligned", "\\set ECHO none",
        ])
    }
}

/// Where the Job's script waits for its lock watcher: once, after its first phase's files
/// are read and checked (work the watcher's start overlaps), before anything of theirs
/// runs, the drop of an index a failed concurrent build left invalid included.
@Suite struct LockWatcherWaitTests {
    static func script(_ files: [(String, String, String)]) throws -> [String] {
        let directory = try TemporaryDirectory(prefix: "schemajob-watcher-wait")
        let database = directory.path + "/database"
        for phase in ["schema", "fixtures"] {
            try FileManager.default.createDirectory(atPath: database + "/" + phase, withIntermediateDirectories: true)
        }
        for (phase, name, text) in files {
            try text.write(toFile: "\(database)/\(phase)/\(name)", atomically: false, encoding: .utf8)
        }
        let rendering = try SchemaJob.render(RenderRequest(databaseDirectory: database))
        return try MigrationScript.render(plan: rendering.plan, templates: rendering.templates, analysis: rendering.analysis)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The first line after `from` that sends the server a file's statement or a drop.
    static func firstRun(in lines: [String], from: Int) -> Int? {
        lines[from...].firstIndex { $0.hasPrefix("EXECUTE schemajob_phase") || $0.hasPrefix("SELECT EXISTS (SELECT 1 FROM pg_index") || $0 == "COMMIT;" }
    }

    @Test func theWaitComesOnceAfterTheChecksAndBeforeTheFirstStatement() throws {
        let lines = try Self.script([
            ("schema", "001_a.sql", "CREATE TABLE IF NOT EXISTS a (id int);\n"),
            ("fixtures", "001_a.sql", "INSERT INTO a (id) VALUES (1);\n"),
        ])
        let waits = lines.indices.filter { lines[$0] == MigrationScript.watcherReady }
        #expect(waits.count == 1)
        let wait = try #require(waits.first)
        let start = try #require(lines.firstIndex { $0.contains("lock-watcher.sh") && $0.hasPrefix("\\!") })
        let check = try #require(lines.firstIndex { $0.contains("AS schemajob_unread") })
        #expect(start < check && check < wait, "started before the checks, awaited after them")
        #expect(Self.firstRun(in: lines, from: start).map { $0 > wait } == true)
    }

    @Test func aFirstFileOutsideTheTransactionIsAwaitedBeforeItsInvalidIndexIsDropped() throws {
        let lines = try Self.script([
            ("schema", "001_a.sql", "-- schemajob:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON a (id);\n"),
        ])
        let wait = try #require(lines.firstIndex(of: MigrationScript.watcherReady))
        let run = try #require(Self.firstRun(in: lines, from: 0))
        #expect(wait < run, "\(lines[run])")
        #expect(lines.filter { $0 == MigrationScript.watcherReady }.count == 1)
    }
}
