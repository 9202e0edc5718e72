/// One ConfigMap to write: its name, its role and the files it holds, in order.
public struct ConfigMapPlan: Sendable {
    public enum Role: String, Sendable {
        case schema, fixtures, scripts
        /// A phase's statement lengths, for a set whose scripts cannot hold them (`StatementLengths`).
        case schemaStatements = "schema-statements", fixturesStatements = "fixtures-statements"
    }

    public var name: String
    public var role: Role
    /// Keys and contents, in the order they are written.
    public var entries: [(key: String, text: String)]
}

/// The `plan` stage's output: names, hash and order, everything `build` needs. Pure values.
public struct Plan: Sendable {
    public var hash: String
    public var shortHash: String { String(hash.prefix(ContentHash.shortLength)) }
    public var jobName: String { Self.jobName(hash: hash) }

    /// The Job's name for a content hash (`db-migration-<10 hex>`).
    public static func jobName(hash: String) -> String {
        "db-migration-\(hash.prefix(ContentHash.shortLength))"
    }
    public var settings: Settings
    /// The files in the order the Job applies them: schema, then fixtures, each by name.
    public var files: [MigrationFile]
    /// The schema and fixture ConfigMaps; a phase too large for one has several.
    public var dataConfigMaps: [ConfigMapPlan]
    /// The phases' statement lengths, for a set the scripts ConfigMap cannot hold them for
    /// (`StatementLengths`); empty for any other. Set with the script, after the analysis.
    public var statementConfigMaps: [ConfigMapPlan] = []
    /// Whether the required tables are a file of the scripts rather than REQUIRED_TABLES'
    /// value (`RequiredTablesValue`): a list too long for an environment string. Set with
    /// the script.
    public var requiredTablesInFile = false
    public var scriptsConfigMapName: String { "db-scripts-\(shortHash)" }

    /// What a phase's projected volume holds: its files' ConfigMaps, then its lengths'.
    public func configMaps(for phase: Phase) -> [ConfigMapPlan] {
        let roles: [ConfigMapPlan.Role] = phase == .schema ? [.schema, .schemaStatements] : [.fixtures, .fixturesStatements]
        return (dataConfigMaps + statementConfigMaps).filter { roles.contains($0.role) }
    }
}

public enum Planner {
    /// Serialized bytes one ConfigMap's `data` may take (`SerializedSize`: in YAML or in
    /// JSON, indentation, quoting and escapes included). Kubernetes refuses objects over
    /// 1 MiB (1,048,576 bytes); the rest is left for metadata.
    public static let configMapDataBudget = 1_000_000

    public static func plan(set: MigrationSet, settings: Settings, templates: TemplateSet) throws -> Plan {
        let files = orderedFiles(set)
        let hash = ContentHash.compute(files: files, templates: templates, settings: settings)
        let shortHash = String(hash.prefix(ContentHash.shortLength))
        var configMaps: [ConfigMapPlan] = []
        for phase in Phase.allCases {
            let role: ConfigMapPlan.Role = phase == .schema ? .schema : .fixtures
            let base = phase == .schema ? "db-schema-\(shortHash)" : "db-fixtures-\(shortHash)"
            let shards = try split(files.filter { $0.phase == phase })
            for (index, shard) in shards.enumerated() {
                configMaps.append(ConfigMapPlan(
                    name: shards.count == 1 ? base : "\(base)-\(index + 1)",
                    role: role,
                    entries: shard.map { ($0.name, $0.text) }))
            }
        }
        return Plan(
            hash: hash,
            settings: settings,
            files: files,
            dataConfigMaps: configMaps)
    }

    /// The content hash alone, as `plan` computes it, without sizing the ConfigMaps
    /// (`schemajob hash` needs nothing else).
    public static func contentHash(set: MigrationSet, settings: Settings, templates: TemplateSet) -> String {
        ContentHash.compute(files: orderedFiles(set), templates: templates, settings: settings)
    }

    /// The files in the order the Job applies them: schema, then fixtures, each by name.
    static func orderedFiles(_ set: MigrationSet) -> [MigrationFile] {
        set.files.sorted { lhs, rhs in
            lhs.phase != rhs.phase ? lhs.phase < rhs.phase : DatabaseReader.byteOrder(lhs.name, rhs.name)
        }
    }

    /// Packs a phase's files, in order, into as few ConfigMaps as the budget allows;
    /// a file is never split. A phase with no files still gets one (empty) ConfigMap,
    /// so the Job's volumes are always the same.
    static func split(_ files: [MigrationFile]) throws -> [[MigrationFile]] {
        // Each file's size is a pass over its bytes: measured on every core, packed in order.
        let sizes = files.concurrentMap { SerializedSize.entry(key: $0.name, text: $0.text) }
        return try pack(files, sizes: sizes, budget: configMapDataBudget) { file, fileSize in
            InputError(
                SourceLocation(path: file.displayPath),
                "file takes \(fileSize) bytes written into a ConfigMap (\(file.bytes.count) bytes, plus indentation and escapes); one ConfigMap holds at most \(configMapDataBudget): split it into several files")
        }
    }

    /// Packs `items`, in order and never one across two, into as few groups as `budget`
    /// allows (`sizes` are theirs, in the same order); always at least one group, maybe
    /// empty. An item alone past the budget is refused with `tooLarge(item, size)`.
    static func pack<Item>(_ items: [Item], sizes: [Int], budget: Int, tooLarge: (Item, Int) -> InputError) throws -> [[Item]] {
        var groups: [[Item]] = [[]]
        var size = 0
        for (item, itemSize) in zip(items, sizes) {
            guard itemSize <= budget else { throw tooLarge(item, itemSize) }
            if size + itemSize > budget {
                groups.append([])
                size = 0
            }
            groups[groups.count - 1].append(item)
            size += itemSize
        }
        return groups
    }
}
