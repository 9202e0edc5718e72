import Testing
import Yams
@testable import SchemaJobKit

/// Which values are quoted in the output: the quick answer for a text with a byte no
/// number, timestamp or special word holds is the answer Yams' resolver gives.
@Suite struct PlainScalarTests {
    static let texts = [
        "001_batch_001.sql", "schema", "gpu-controlplane", "a", "abc", "x1", "Z", "_", "NaN", ".nan", ".inf", "-.Inf",
        "1e3", "1.5", "+1", "-0", "0x1F", "0o17", "0b101", "0755", "1:20", "12:30:00", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
        "<<", "=", "~", "", "yes", "No", "ON", "off", "y", "TRUE", "False", "null", "Null", "db-migration-6238f993fc",
        "6238f993fc", "1e", "e1", "inf", "nan", "tt", "1_000", "ab:cd", "café", "日本",
    ]

    @Test(arguments: texts)
    func theQuickAnswerIsTheResolversAnswer(_ text: String) {
        let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]
        let numberCharacters = Set("0123456789_:.eE+-xXoObB")
        let full = Resolver.default.resolveTag(of: Node(text)) != .str || yaml11Words.contains(text.lowercased())
            || (text.first.map { "0123456789+-.".contains($0) } == true && text.allSatisfy { numberCharacters.contains($0) })
        #expect(mightNotReadAsString(text) == full)
    }

    /// A template's untagged values get their tag without the resolver's expressions where
    /// it can be told from the bytes; each must be the tag the resolver gives.
    @Test(arguments: texts + [
        "In", "TCP", "Always", "IfNotPresent", "3", "10", "8000", "0", "00", "01", "007", "-1", "+5", "1_0", "True", "FALSE", "On",
        "NULL", "._", ".__", "+.inf", "-.INF", ".NaN", ".NAN", "=", "<<", "< <", "= ", " 1", "1 ", "1.", ".5", "2001-12-14 21:59:43.10 -5",
        "Z", "t", "T", "ee", "E", "ab", "dead", "beef", "0xZ", "0bac", "0xac", "0Ba1", "1e5f", "a1", "F00", "1b", "0b1", "0o7a", "Off", "oN", "nUll", "yES", "  ", "\t",
    ])
    func aTemplateValuesTagIsTheResolversTag(_ text: String) {
        #expect(resolvedTagName(text) == Resolver.default.resolveTag(of: Node(text)), "\(text.debugDescription)")
    }
}
