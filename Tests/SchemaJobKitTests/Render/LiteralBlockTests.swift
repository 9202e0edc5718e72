import Testing
import Yams
@testable import SchemaJobKit

/// A ConfigMap's files are written as literal blocks by `YAMLWriter` itself, and must come
/// out byte for byte as libyaml writes them; what it cannot write so is libyaml's.
@Suite struct LiteralBlockTests {
    static func configMap(_ files: [(String, String)], dataLast: Bool = true) -> Node {
        let data = Node.mapping(Node.Mapping(files.map { (Node($0.0), ManifestBuilder.dataNode($0.1)) }))
        var pairs: [(Node, Node)] = [(Node("apiVersion"), Node("v1")), (Node("kind"), Node("ConfigMap")),
                                     (Node("metadata"), Node.mapping(Node.Mapping([(Node("name"), Node("db-schema-0123456789"))])))]
        if dataLast {
            pairs.append((Node("data"), data))
        } else {
            pairs.insert((Node("data"), data), at: 2)
        }
        return .mapping(Node.Mapping(pairs))
    }

    /// Texts written here: one final break (`|`), none (`|-`), more (`|+`, then `...`),
    /// empty lines inside, and characters of two and three bytes.
    static let plain = [
        "CREATE TABLE IF NOT EXISTS t (id int);\n",
        "SELECT 1;\n\nSELECT 2;",
        "SELECT 1;\n\n",
        "SELECT 1;\n\n\n\n",
        "-- café, naïve, 東京, ‰\n\nSELECT 'x';\n",
        "x\n",
        "a line: with # and 'quotes' and \"more\" and \\backslashes\\\n",
        "key: value\n- item\n---\n...\n",
    ]

    /// Texts libyaml quotes or gives an indentation indicator: left to it.
    static let libyamlOnly = [
        "\tSELECT 1;\n", "SELECT 1;\t-- a tab\n", "SELECT 1; \n", "SELECT 1;\r\n", " leading space\n", "\nleading break\n",
        "emoji 🐘\n", "next line\u{85}\n", "line\u{2028}separator\n", "\u{FEFF}BOM\n", "control \u{1B}[0m\n", "trailing space ",
        "c1 \u{9F}\n",
    ]

    @Test(arguments: plain)
    func aPlainFileIsWrittenHereAsLibyamlWouldWriteIt(_ text: String) throws {
        #expect(YAMLWriter.LiteralBlock(text, number: 0) != nil)
        let node = Self.configMap([("001_a.sql", text), ("002_b.sql", "SELECT 2;\n")])
        #expect(try YAMLWriter.document(node) == YAMLWriter.serialized(node))
        let last = Self.configMap([("001_b.sql", "SELECT 2;\n"), ("002_a.sql", text)])
        #expect(try YAMLWriter.document(last) == YAMLWriter.serialized(last))
    }

    @Test(arguments: libyamlOnly)
    func whatLibyamlWouldQuoteIsLeftToIt(_ text: String) throws {
        #expect(YAMLWriter.LiteralBlock(text, number: 0) == nil, "\(text.debugDescription)")
        let node = Self.configMap([("001_a.sql", "SELECT 1;\n\n"), ("002_b.sql", text), ("003_c.sql", "SELECT 3;\n")])
        #expect(try YAMLWriter.document(node) == YAMLWriter.serialized(node))
    }

    @Test func aDocumentWhoseDataIsNotLastOrHoldsAStandInIsLibyamlsWhole() throws {
        let notLast = Self.configMap([("001_a.sql", "SELECT 1;\n\n")], dataLast: false)
        #expect(try YAMLWriter.document(notLast) == YAMLWriter.serialized(notLast))
        let standIn = YAMLWriter.LiteralBlock.standInPrefix + "0-of-this-document"
        let holding = Self.configMap([("001_a.sql", "SELECT 1;\n"), ("002_b.sql", standIn), ("003_c.sql", "-- \(standIn)\n")])
        #expect(try YAMLWriter.document(holding) == YAMLWriter.serialized(holding))
        #expect(try YAMLWriter.document(holding).contains("002_b.sql: \(standIn)\n"))
    }

    /// The stream's `...` after a `|+` block stays only on its last document.
    @Test func aStreamOfConfigMapsEndingInKeptLinesReadsBackAsTheFiles() throws {
        let files = [("001_a.sql", "SELECT 1;\n\n"), ("002_b.sql", "SELECT 2;\n\n\n")]
        let manifests = (0..<3).map { Manifest(kind: "ConfigMap", name: "c\($0)", node: Self.configMap(files)) }
        let yaml = try YAMLWriter.yaml(manifests)
        #expect(yaml.components(separatedBy: "\n...\n").count == 2)
        let documents = try Yams.load_all(yaml: yaml).map { $0 as? [String: Any] }
        #expect(documents.count == 3)
        for document in documents {
            let data = document?["data"] as? [String: String]
            #expect(data == Dictionary(uniqueKeysWithValues: files))
        }
    }
}
