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
}
