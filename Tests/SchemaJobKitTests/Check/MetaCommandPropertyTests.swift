import Testing
@testable import SchemaJobKit
import SQLSyntax
import SQLSyntaxTests

/// psql reads a backslash as a meta-command only outside strings, comments, dollar bodies
/// and quoted names. Over many generated files: backslashes inside those are never a
/// finding, and a real meta-command put between them always is, at its line and column.
@Suite struct MetaCommandPropertyTests {
    /// One piece of SQL that is closed again at its end, with backslashes inside.
    static func piece(_ generator: inout SplitMix64) -> String {
        func pick(_ options: [String], _ count: Int) -> String {
            (0..<count).map { _ in options[Int(generator.next() % UInt64(options.count))] }.joined()
        }
        let length = Int(generator.next() % 8)
        switch generator.next() % 8 {
        case 0: return "'" + pick(["a", "\\", "''", " ", "\\!", ";", "\n", "\\g", "$$"], length) + "'"
        case 1: return "E'" + pick(["a", "\\\\", "\\'", "''", "\\n", " ", "\\!", ";", "\n"], length) + "'"
        case 2: return "$$" + pick(["a", "\\", "'", "\"", " ", "\\!", ";", "\n", "--", "/*"], length) + "$$"
        case 3: return "$fn$" + pick(["a", "\\", "'", " ", "\\o x", ";", "\n", "$$"], length) + "$fn$"
        case 4: return "-- " + pick(["a", "\\", "'", " ", "\\! id", ";", "$$"], length) + "\n"
        case 5: return "/* " + pick(["a", "\\", "'", " ", "\\gexec", ";", "\n", "/* nested \\ */"], length) + " */"
        case 6: return "\"" + pick(["a", "\\", "\"\"", " ", "\\!", ";"], length) + "\""
        default: return pick(["SELECT", "1", ";", "x", "(", ")", "\n", "+", "::", "a$b"], max(1, length))
        }
    }

    static let commands = ["\\! touch /tmp/x", "\\o /tmp/out", "\\g |sh", "\\gexec", "\\set x `id`", "\\copy t TO 'f'", "\\i other.sql", "\\q", "\\;", "\\\\"]

    @Test func backslashesInsideTextAreNeverAMetaCommandAndOneBetweenThemAlwaysIs() {
        var generator = SplitMix64(seed: 0x19_5AFE)
        for round in 0..<3_000 {
            // Pieces are separated by a word, so two strings never continue one another
            // and a prefix letter never joins the quote after it.
            let pieces = (0..<Int(generator.next() % 12)).map { _ in Self.piece(&generator) }
            let text = pieces.joined(separator: " SELECT ")
            let metaFindings = CheckFixtures.lint(text).filter { $0.rule.id == "psql-meta-command" }
            #expect(metaFindings.isEmpty, "round \(round): \(text.debugDescription): \(metaFindings.map(FindingFormat.textLine))")
            #expect(!SQLLexer.tokens(in: text).contains { $0.kind == .psqlMeta }, "round \(round): \(text.debugDescription)")

            let cut = Int(generator.next() % UInt64(pieces.count + 1))
            let command = Self.commands[Int(generator.next() % UInt64(Self.commands.count))]
            let before = pieces.prefix(cut).map { $0 + " SELECT " }.joined()
            let withCommand = before + command + "\n" + pieces.dropFirst(cut).joined(separator: " SELECT ")
            let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
            let expected = SourceLocation(
                path: "database/schema/001_test.sql", line: lines.count, column: (lines.last?.count ?? 0) + 1)
            let found = CheckFixtures.lint(withCommand).filter { $0.rule.id == "psql-meta-command" }
            #expect(found.first?.location == expected, "round \(round): \(withCommand.debugDescription): \(found.map(FindingFormat.textLine))")
            let set = MigrationSet(directory: "database", files: [CheckFixtures.schema("001_test.sql", withCommand)])
            #expect(RunSafety.refusals(set).contains { $0.rule.id == "psql-meta-command" && $0.location == expected }, "round \(round)")
        }
    }
}
