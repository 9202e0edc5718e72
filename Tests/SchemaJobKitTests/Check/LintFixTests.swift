import Foundation
import Testing
@testable import SchemaJobKit
import SQLSyntax
import SQLSyntaxTests

/// `schemajob lint --fix`: trailing whitespace goes where it is code or comment, and stays
/// where it is data; locked files are left alone unless forced.
@Suite struct LintFixTests {
    /// Trailing blanks in code, in a comment, in a string that spans lines, in a dollar body,
    /// in a quoted identifier, and a CRLF line end.
    static let untidy = [
        "-- Tags for disks.  ",
        "CREATE TABLE IF NOT EXISTS disk_tags (\t",
        "    tag text DEFAULT 'two  ",
        "lines'   ,\r",
        "    \"odd  ",
        "name\" int",
        ");  ",
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$   ",
        "BEGIN  ",
        "    RETURN NEW;",
        "END;  ",
        "$$ LANGUAGE plpgsql; \t ",
        "",
    ].joined(separator: "\n")

    static let tidy = [
        "-- Tags for disks.",
        "CREATE TABLE IF NOT EXISTS disk_tags (",
        "    tag text DEFAULT 'two  ",
        "lines'   ,",
        "    \"odd  ",
        "name\" int",
        ");",
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$   ",
        "BEGIN  ",
        "    RETURN NEW;",
        "END;  ",
        "$$ LANGUAGE plpgsql;",
        "",
    ].joined(separator: "\n")

    @Test func onlyTheWhitespaceInCodeAndCommentsIsStripped() {
        let (bytes, lineCount) = WhitespaceFix.stripped(Self.untidy)
        #expect(String(decoding: bytes, as: UTF8.self) == Self.tidy)
        #expect(lineCount == 5)
        let again = WhitespaceFix.stripped(Self.tidy)
        #expect(again.lineCount == 0)
        #expect(again.bytes == Array(Self.tidy.utf8))
    }

    @Test func aFileWithoutAFinalNewlineAndAnEmptyFileComeBackWhole() {
        #expect(WhitespaceFix.stripped("SELECT 1;  ").bytes == Array("SELECT 1;".utf8))
        #expect(WhitespaceFix.stripped("").bytes == [])
        #expect(WhitespaceFix.stripped("\n\n").bytes == Array("\n\n".utf8))
        // A string the file ends inside keeps everything.
        #expect(WhitespaceFix.stripped("SELECT 'open  \n  ").lineCount == 0)
    }

    /// Over many generated inputs: what PostgreSQL acts on (every token but whitespace and
    /// comments) is unchanged, token for token, and a second pass changes nothing.
    @Test func theFixNeverChangesWhatPostgreSQLReadsAndIsIdempotent() {
        var generator = SplitMix64(seed: 0xF1C5_7A11)
        let fragments = SQLLexerPropertyTests.fragments + ["  \n", " \t\r\n", "'a  \n b'", "$$ x  \n$$", "-- c  \n", "\\set x 1  \n"]
        func significant(_ text: String) -> [SQLToken] {
            SQLLexer.tokens(in: text).filter { !$0.isTrivia }.map { SQLToken(kind: $0.kind, text: $0.text, line: 0, column: 0, isTerminated: $0.isTerminated) }
        }
        for round in 0..<3_000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 40) {
                text += fragments[Int(generator.next() % UInt64(fragments.count))]
            }
            let (bytes, _) = WhitespaceFix.stripped(text)
            let fixed = String(decoding: bytes, as: UTF8.self)
            #expect(significant(fixed) == significant(text), "round \(round): \(text.debugDescription)")
            #expect(WhitespaceFix.stripped(fixed).lineCount == 0, "round \(round): \(text.debugDescription)")
        }
    }

    @Test func lintFixRewritesTheFileOnceAndLintsTheResult() throws {
        let (root, database) = try LintCommandTests.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = database + "/schema/010_disk_tags.sql"
        try CheckFixtures.write(Self.untidy, to: URL(fileURLWithPath: path))

        let fixed = try SchemaJobExecutable.run(["lint", "--fix", "--database", database], in: root.path)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.tidy)
        #expect(LintCommandTests.lines(fixed.stderr) == [
            "lint: --fix: fixed \(path): trailing whitespace stripped from 5 lines",
            "lint: 5 warnings in 11 files",
        ])
        // What is left is data, which only a person may change.
        #expect(LintCommandTests.lines(fixed.stdout) == [
            "\(path):3:26: warning: trailing whitespace [trailing-whitespace]",
            "\(path):5:9: warning: trailing whitespace [trailing-whitespace]",
            "\(path):8:57: warning: trailing whitespace [trailing-whitespace]",
            "\(path):9:6: warning: trailing whitespace [trailing-whitespace]",
            "\(path):11:5: warning: trailing whitespace [trailing-whitespace]",
        ])
        #expect(try FileManager.default.contentsOfDirectory(atPath: database + "/schema").filter { $0.hasPrefix(".") }.isEmpty,
                "no temporary file left behind")

        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let second = try SchemaJobExecutable.run(["lint", "--fix", "--database", database], in: root.path)
        #expect(second.status == 0)
        #expect(!second.stderr.contains("fixed"), "a second --fix changes nothing")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.tidy)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == before, "not even rewritten")
    }

    @Test func aLockedFileIsLeftAloneUnlessForcedAndThenTheLockSaysSo() throws {
        let (root, database) = try LintCommandTests.copyOfTheDatabase()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = database + "/schema/010_disk_tags.sql"
        let text = "CREATE TABLE IF NOT EXISTS disk_tags (tag text);  \n"
        try CheckFixtures.write(text, to: URL(fileURLWithPath: path))
        #expect(try SchemaJobExecutable.run(["sum", "--database", database], in: root.path).status == 0)

        let refused = try SchemaJobExecutable.run(["lint", "--fix", "--database", database], in: root.path)
        #expect(refused.status == 0, "a trailing space is still only a warning")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "the locked file is untouched")
        #expect(refused.stderr.contains("lint: --fix: left \(path) alone: schema.sum locks it"))
        #expect(refused.stdout.contains("010_disk_tags.sql:1:49: warning: trailing whitespace"))

        let forced = try SchemaJobExecutable.run(["lint", "--fix", "--force", "--database", database], in: root.path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "CREATE TABLE IF NOT EXISTS disk_tags (tag text);\n")
        #expect(forced.stderr.contains("fixed \(path)"))
        #expect(forced.stderr.contains("until you run schemajob sum --force"))
        #expect(forced.status == 1, "the lock now fails, as said")
        #expect(forced.stdout.contains("[schema-sum-changed]"))

        #expect(try SchemaJobExecutable.run(["sum", "--force", "--database", database], in: root.path).status == 0)
        let clean = try SchemaJobExecutable.run(["lint", "--database", database], in: root.path)
        #expect(clean.status == 0 && clean.stdout.isEmpty)
    }

    @Test func forceWithoutFixIsABadFlag() throws {
        let result = try SchemaJobExecutable.run(["lint", "--force"])
        #expect(result.status == 2)
        #expect(LintCommandTests.lines(result.stderr).count == 1)
    }
}
