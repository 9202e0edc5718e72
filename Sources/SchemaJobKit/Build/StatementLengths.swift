/// Where a set's statement lengths go when the scripts ConfigMap cannot hold them. The
/// script holds one small integer a statement (`QueryText.Batch.cut`): about 370 KB for
/// 63,600 statements, 1.3 MB for 224,000, and one object holds at most
/// `Planner.configMapDataBudget`. A set past it keeps each phase's lengths in ConfigMaps
/// of their own, `db-schema-statements-<h>` (`-1`, `-2`, … when one cannot hold them
/// all), projected into the phase's directory beside its files through the same
/// `${schema.sources}`, so no template changes. Their keys (`schemajob-statements`,
/// `-1`, …) end in no `.sql`, so no file of `database/` can have their name. Each holds
/// one line a file, in the phase's order: that file's lengths, separated by commas.
/// The script reads them with one backtick and checks their digest before it cuts.
enum StatementLengths {
    static let key = "schemajob-statements"

    /// The ConfigMaps holding `lengths` (one list a file, the phase's order) and where the
    /// batch reads them, each under `budget` serialized bytes. Fails only for a file whose
    /// own line is past it.
    static func configMaps(_ lengths: [[Int]], phase: Phase, shortHash: String, files: [MigrationFile],
                           budget configMapBudget: Int = Planner.configMapDataBudget)
        throws -> (configMaps: [ConfigMapPlan], outside: QueryText.Batch.LengthsOutside)
    {
        let lines = lengths.map { list in list.map(String.init).joined(separator: ",") }
        // Packed in order, as `Planner.split` packs files: the key's length is charged
        // for the longest key a phase can have.
        let budget = configMapBudget - SerializedSize.entry(key: "\(key)-\(lines.count)", text: "")
        let sizes = lines.map { SerializedSize.value($0) + SerializedSize.value("\n") }
        let chunks = try Planner.pack(Array(lines.indices), sizes: sizes, budget: budget) { index, size in
            InputError(
                SourceLocation(path: files[index].displayPath),
                "file has \(lengths[index].count) statements whose lengths take \(size) bytes written into a ConfigMap; one holds at most \(budget): split it into several files")
        }.map { $0.map { lines[$0] } }
        let role: ConfigMapPlan.Role = phase == .schema ? .schemaStatements : .fixturesStatements
        let base = "db-\(phase.rawValue)-statements-\(shortHash)"
        let texts = chunks.map { $0.joined(separator: "\n") + "\n" }
        let keys = texts.indices.map { texts.count == 1 ? key : "\(key)-\($0 + 1)" }
        let configMaps = zip(keys, texts).enumerated().map { index, entry in
            ConfigMapPlan(name: texts.count == 1 ? base : "\(base)-\(index + 1)", role: role, entries: [(entry.0, entry.1)])
        }
        // What psql holds: the keys' bytes one after the other, the last newline dropped.
        let digest = sha256Hex(texts.joined().utf8.dropLast())
        return (configMaps, QueryText.Batch.LengthsOutside(keys: keys, digest: digest))
    }
}
