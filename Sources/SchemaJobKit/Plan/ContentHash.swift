import Crypto

/// The content hash: SHA-256 over a canonical encoding of everything the Job runs.
///
/// A Job's pod template is immutable in Kubernetes: if any input that reaches the Job
/// changed while the name stayed, `kubectl apply` would fail. So the hash covers every
/// schema and fixture file (phase, name, bytes), every template but the Deployment's
/// (the Job, the ConfigMaps, the scripts), every setting that reaches the Job, and
/// schemajob's version, which the Job's pod template carries.
/// Paths, mtimes and the working directory never enter it.
public enum ContentHash {
    /// Bumped whenever schemajob itself changes what it builds from the same inputs
    /// (2: ConfigMaps are split by their serialized size, so a set near 1 MiB may be split
    /// differently, and a Job of the same name with other volumes would be refused).
    static let formatVersion = "schemajob-content-hash/2"
    /// Characters of the hash in object names (`db-migration-<10 hex>`).
    public static let shortLength = 10

    public static func compute(files: [MigrationFile], templates: TemplateSet, settings: Settings) -> String {
        var hasher = SHA256()
        // Every field is length-prefixed, so no two different inputs encode alike.
        func field(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(data: Array(String(bytes.count).utf8))
            hasher.update(data: [UInt8(ascii: ":")])
            hasher.update(bufferPointer: bytes)
            hasher.update(data: [0x0A])
        }
        func field(_ bytes: [UInt8]) { bytes.withUnsafeBytes(field) }
        func field(_ text: String) {
            var text = text
            text.withUTF8 { field(UnsafeRawBufferPointer($0)) }
        }

        field(formatVersion)
        // The Job's pod template carries the version (its log's first line names it), and a
        // Job's pod template cannot change under the same name. A release that changes no
        // template still gives a new hash, and the Job runs the same idempotent files
        // once more; most releases change the scripts anyway, which the hash covers already.
        field("version")
        field(SchemaJob.version)
        for file in files {
            field("file")
            field(file.phase.rawValue)
            field(file.name)
            field(file.text)
        }
        for name in templates.jobTemplateNames {
            field("template")
            field(name)
            field(templates.files[name] ?? [])
        }
        for setting in SettingKey.all.filter(\.reachesJob).sorted(by: { DatabaseReader.byteOrder($0.key, $1.key) }) {
            field("setting")
            field(setting.key)
            field(settings[setting.key].map { "\($0)" } ?? "")
        }
        return sha256Hex(finishing: hasher)
    }
}
