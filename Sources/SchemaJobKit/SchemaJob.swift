import Foundation

/// What a render reads: the same inputs always give the same bytes.
public struct RenderRequest: Sendable {
    public var databaseDirectory: String
    /// nil: the templates built into the binary.
    public var templatesDirectory: String?
    /// nil: no config file.
    public var configFile: String?
    /// `key=value` flags, applied after the config file.
    public var settingOverrides: [String]

    public init(databaseDirectory: String = "database", templatesDirectory: String? = nil,
                configFile: String? = nil, settingOverrides: [String] = []) {
        self.databaseDirectory = databaseDirectory
        self.templatesDirectory = templatesDirectory
        self.configFile = configFile
        self.settingOverrides = settingOverrides
    }
}

/// Everything one render produced, in memory; nothing is written until the caller asks.
public struct Rendering {
    public let migrationSet: MigrationSet
    public let templates: TemplateSet
    public let plan: Plan
    public let manifests: [Manifest]
    /// The psql script the Job runs (`schemajob script`), as the scripts ConfigMap holds it.
    public let migrationScript: String
    /// Lint's findings, when the render was asked to lint (`render(_:linting:)`).
    public let findings: [Finding]?
    /// The tables the gate waits for.
    public let requiredTables: [String]

    /// The gate other workloads get (`gate.yaml` filled in for this plan).
    public func gateFragment() throws -> GateFragment {
        try ManifestBuilder.gateFragment(plan: plan, templates: templates, requiredTables: requiredTables)
    }

    /// `schemajob gate`: the YAML stream `input` with its workloads gated and the
    /// migration objects appended, as YAML documents.
    public func gate(_ input: [UInt8]) throws -> [Substring] {
        guard let text = String(validatingUTF8Bytes: input) else {
            throw InputError(SourceLocation(path: "<stdin>"), "not UTF-8")
        }
        return try YAMLWriter.documents(try WorkloadGate.filter(text, rendering: self, fragment: try gateFragment()))
    }

    public func yaml() throws -> String {
        try YAMLWriter.yaml(manifests)
    }

    /// The whole render as one text: a YAML stream, or one JSON array.
    public func text(_ format: OutputFormat) throws -> String {
        try pieces(format).joined()
    }

    /// `text(format)` in the pieces it is made of (the YAML stream's documents), to
    /// write one after the other without joining them into one more copy.
    public func pieces(_ format: OutputFormat) throws -> [Substring] {
        switch format {
        case .yaml: try YAMLWriter.documents(manifests)
        case .json: [try JSONWriter.json(manifests)[...]]
        }
    }

    /// The files of `render --output-dir`, by stable name (see `OutputDirectory`).
    public func directoryFiles() throws -> [OutputDirectory.File] {
        try OutputDirectory.files(manifests, shortHash: plan.shortHash,
                                  gateComponent: try WorkloadGate.component(settings: plan.settings, fragment: try gateFragment()))
    }
}

/// The pipeline, wired: read → plan → build. `write` is the caller's choice of form.
public enum SchemaJob {
    public static func settings(for request: RenderRequest) throws -> Settings {
        var settings = Settings()
        if let configFile = request.configFile {
            try settings.apply(configFile: configFile)
        }
        for flag in request.settingOverrides {
            try settings.apply(flag: flag)
        }
        return settings
    }

    public static func templates(for request: RenderRequest) throws -> TemplateSet {
        if let directory = request.templatesDirectory {
            return try TemplateSet.load(directory: directory)
        }
        return try TemplateSet.embedded()
    }

    public static func plan(_ request: RenderRequest) throws -> (MigrationSet, TemplateSet, Plan) {
        let (settings, templates, set) = try inputs(request)
        let plan = try Planner.plan(set: set, settings: settings, templates: templates)
        return (set, templates, plan)
    }

    /// The content hash of what `render` would build from the request (`schemajob hash`).
    public static func contentHash(_ request: RenderRequest) throws -> String {
        let (settings, templates, set) = try inputs(request)
        return Planner.contentHash(set: set, settings: settings, templates: templates)
    }

    /// What the request names, read in the order its errors are reported: settings,
    /// templates, then `database/`.
    static func inputs(_ request: RenderRequest) throws -> (Settings, TemplateSet, MigrationSet) {
        let settings = try settings(for: request)
        let templates = try templates(for: request)
        return (settings, templates, try DatabaseReader.read(directory: request.databaseDirectory))
    }

    /// With `linting`, the files are linted too, in the same pass that finds the tables
    /// the API needs (`Rendering.findings`): lint before writing costs no second lexing.
    public static func render(_ request: RenderRequest, linting: Bool = false) throws -> Rendering {
        let (set, templates, plan) = try plan(request)
        guard linting else { return try render(set, templates: templates, plan: plan) }
        let linted = Linter.check(set)
        return try render(set, templates: templates, plan: plan, requiredTables: linted.requiredTables, findings: linted.findings)
    }

    /// A set already read (an earlier state, for `test --from`), with the request's
    /// settings and templates; its directory is not read again.
    public static func render(_ set: MigrationSet, settingsAndTemplatesOf request: RenderRequest) throws -> Rendering {
        let templates = try templates(for: request)
        let plan = try Planner.plan(set: set, settings: try settings(for: request), templates: templates)
        return try render(set, templates: templates, plan: plan)
    }

    static func render(_ set: MigrationSet, templates: TemplateSet, plan: Plan, requiredTables: [String]? = nil,
                       findings: [Finding]? = nil) throws -> Rendering {
        // No rendering, and so no run, of a file that can reach outside the database.
        try RunSafety.requireNone(findings.map(RunSafety.refusals(among:)) ?? RunSafety.refusals(set))
        let script = try MigrationScript.render(plan: plan, templates: templates)
        let tables = requiredTables ?? plan.requiredTables
        let manifests = try ManifestBuilder.build(
            plan: plan, templates: templates, migrationScript: script, requiredTables: tables)
        return Rendering(migrationSet: set, templates: templates, plan: plan, manifests: manifests, migrationScript: script,
                         findings: findings, requiredTables: tables)
    }
}
