import Foundation
import Testing
@testable import SchemaJobKit

/// The corpus under `Fixtures/lint/`: each file is linted alone, and its findings
/// (rule and line) must be exactly those its comments expect:
///
///     CREATE TABLE t (id int); -- expect: create-if-not-exists
///     \set x 1
///     -- expect-above: psql-meta-command
///
/// Files under `good/` expect nothing; files under `bad/` expect something.
@Suite struct LintCorpusTests {
    struct Expectation: Hashable, Comparable, CustomStringConvertible {
        var line: Int
        var rule: String

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.line, lhs.rule) < (rhs.line, rhs.rule)
        }

        var description: String { "\(line): \(rule)" }
    }

    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lint")

    static func cases(in folder: String) -> [String] {
        let directory = corpus.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { "\(folder)/\($0)" }
    }

    static let goodCases = cases(in: "good")
    static let badCases = cases(in: "bad")
    /// Real-world stored code: warnings it expects, and nothing a run path refuses.
    static let storedCases = cases(in: "stored")

    /// The file as a one-file set; its name is a well-formed one so that only its
    /// contents are judged.
    static func lint(_ relativePath: String) throws -> (findings: [Finding], expected: [Expectation]) {
        let bytes = [UInt8](try Data(contentsOf: corpus.appendingPathComponent(relativePath)))
        let text = try #require(String(validating: bytes, as: UTF8.self))
        let file = MigrationFile(
            phase: relativePath.contains("fixture") ? .fixtures : .schema, name: "001_corpus.sql",
            displayPath: relativePath, text: text)
        let findings = Linter.lint(MigrationSet(directory: "corpus", files: [file]))
        return (findings, expectations(in: bytes))
    }

    static func expectations(in bytes: [UInt8]) -> [Expectation] {
        var expected: [Expectation] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, lineBytes) in lines.enumerated() {
            let line = String(decoding: lineBytes, as: UTF8.self)
            for (marker, offset) in [("-- expect:", 1), ("-- expect-above:", 0)] {
                guard let range = line.range(of: marker) else { continue }
                for part in line[range.upperBound...].split(separator: ",") {
                    let rule = part.drop { $0 == " " }.prefix { $0.isLetter || $0 == "-" }
                    expected.append(Expectation(line: index + offset, rule: String(rule)))
                }
            }
        }
        return expected.sorted()
    }

    @Test func theCorpusHasCasesOfBothKinds() {
        #expect(Self.goodCases.count >= 5)
        #expect(Self.badCases.count >= 10)
    }

    @Test(arguments: goodCases)
    func aGoodFileHasNoFindings(_ path: String) throws {
        let (findings, expected) = try Self.lint(path)
        #expect(expected.isEmpty, "a good file expects nothing")
        #expect(findings.isEmpty, "\(findings.map(FindingFormat.textLine))")
    }

    @Test(arguments: badCases)
    func aBadFileHasExactlyTheFindingsItExpects(_ path: String) throws {
        let (findings, expected) = try Self.lint(path)
        #expect(!expected.isEmpty, "a bad file expects something")
        let actual = findings.map { Expectation(line: $0.location.line ?? 0, rule: $0.rule.id) }.sorted()
        let missing = expected.filter { !actual.contains($0) }
        let unexpected = actual.filter { !expected.contains($0) }
        #expect(actual == expected, "missing \(missing), unexpected \(unexpected)")
    }

    /// Files under `stored/` keep code in function bodies that a run would refuse if it
    /// ran it: each must render, with only the `stored-escape` warnings it expects.
    @Test(arguments: storedCases)
    func storedCodeRendersWithOnlyTheWarningsItExpects(_ path: String) throws {
        let (findings, expected) = try Self.lint(path)
        #expect(!expected.isEmpty && expected.allSatisfy { $0.rule == "stored-escape" })
        let actual = findings.map { Expectation(line: $0.location.line ?? 0, rule: $0.rule.id) }.sorted()
        #expect(actual == expected, "\(findings.map(FindingFormat.textLine))")
        #expect(!findings.contains { $0.isError })
        let text = try String(contentsOf: Self.corpus.appendingPathComponent(path), encoding: .utf8)
        let set = MigrationSet(directory: "corpus", files: [MigrationFile(phase: .schema, name: "001_corpus.sql", displayPath: path, text: text)])
        #expect(RunSafety.refusals(set).isEmpty)
    }

    /// The same files as a database/ of their own, rendered by the built executable.
    @Test func theStoredCodeCorpusRendersAsADatabase() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-stored")
        let schema = directory.path + "/database/schema"
        try FileManager.default.createDirectory(atPath: schema, withIntermediateDirectories: true)
        for (number, path) in Self.storedCases.enumerated() {
            let name = String(format: "%03d_", number + 1) + (path as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: Self.corpus.appendingPathComponent(path).path, toPath: schema + "/" + name)
        }
        let render = try SchemaJobExecutable.run(["render", "--database", directory.path + "/database"], in: directory.path)
        #expect(render.status == 0, "\(render.stderr)")
        #expect(render.stdout.contains("kind: Job"))
        #expect(render.stderr.contains("[stored-escape]") && render.stderr.contains("warnings do not block"), "\(render.stderr)")
    }
}
