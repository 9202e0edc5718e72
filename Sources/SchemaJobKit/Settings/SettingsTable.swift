extension SettingKey {
    /// The settings table of `docs/settings.md`: one row per setting, in `all`'s order,
    /// with its default, what it accepts, and whether it changes the hash. The page is
    /// compared with this text by a test, so a new setting cannot go undocumented.
    public static func markdownTable(_ settings: [SettingKey] = all) -> String {
        MarkdownTable.render(
            header: ["key", "default", "reaches the Job (changes the hash)", "accepts", "what"],
            rows: settings.map { setting in
                [MarkdownTable.code(setting.key), MarkdownTable.code(setting.defaultValue.description),
                 setting.reachesJob ? "yes" : "no", setting.kind.accepted, MarkdownTable.cell(setting.summary)]
            })
    }
}

extension SettingKey.Kind {
    /// What a value of this kind may be, as a reader of the settings table needs it.
    var accepted: String {
        switch self {
        case .dnsLabel: "a DNS-1123 label"
        case .dnsSubdomain: "a DNS-1123 subdomain"
        case .secretKey: "letters, digits, `-`, `_`, `.`"
        case .image: "an image reference (a digest, if given, is checked)"
        case .text: "non-empty text without control characters"
        case .choice(let words): words.map(MarkdownTable.code).joined(separator: ", ")
        case .integer(let range): "\(range.lowerBound)–\(range.upperBound)"
        case .workloads: "a list of `kind/name`: Deployment, StatefulSet, DaemonSet, Job, CronJob"
        case .hosts: "a list of `host` or `host:port`"
        case .metadata(let labels): labels ? "a map of label keys to label values" : "a map of annotation keys to text"
        }
    }
}
