import Testing
@testable import SchemaJobKit

/// `diff`'s comparison of two objects read back through `Rendered/`'s reader: fields are
/// compared by the value YAML gives them, not by how they are spelled.
@Suite struct RenderDiffTests {
    static func object(_ yaml: String) throws -> [RenderedObject] {
        try RenderReader.parse(yaml, path: "test.yaml")
    }

    @Test func aValueSpelledAnotherWayIsNoChangeAndTheHashInANamedEntryIsNoChangeEither() throws {
        let old = try Self.object("""
            kind: Thing
            metadata: {name: y-abc1234567, labels: {schemajob/hash: abc1234567}}
            spec: {i: 4, f: 0.50, hex: 0x1F, n: ~, b: yes, l: [{name: c-abc1234567, v: 1}], s: plain}
            """)
        let new = try Self.object("""
            kind: Thing
            metadata: {name: y-def7654321, labels: {schemajob/hash: def7654321}}
            spec: {i: "4", f: 0.5, hex: 31, n: null, b: true, l: [{name: c-def7654321, v: 1}], s: changed}
            """)
        #expect(RenderDiff.compare(old: old, new: new).text() == "~ Thing y-abc1234567 → y-def7654321: spec.s plain → changed\n")
    }

    @Test func aJSONArrayIsOneObjectAnEntryAndEmptyDocumentsAreSkipped() throws {
        let objects = try Self.object("---\n---\n[{\"kind\": \"A\", \"metadata\": {\"name\": \"a\"}}, {\"kind\": \"B\", \"metadata\": {\"name\": \"b\"}}]\n---\nnull\n")
        #expect(objects.map(\.identity) == ["A/a", "B/b"])
    }
}
