extension SchemaJob {
    /// schemajob's version: `schemajob --version`, the first line of the Job's log, and
    /// `history --format json`. It reaches the Job's pod template (SCHEMAJOB_VERSION), so
    /// it is part of the content hash (`ContentHash`).
    public static let version = "0.1.0"
}
