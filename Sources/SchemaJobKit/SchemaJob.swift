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

/// What a render reads, read in the order its errors are reported: the settings, the
/// templates, then `database/`.
public struct RenderInputs: Sendable {
    public var settings: Settings
    public var templates: TemplateSet
    public var set: MigrationSet

    public init(settings: Settings, templates: TemplateSet, set: MigrationSet) {
        self.settings = settings
        self.templates = templates
        self.set = set
    }
}

/// Everything one render produced, in memory; nothing is written until the caller asks.
public struct Rendering {
    public let migrationSet: MigrationSet
    /// The set's files, each read once: lint's findings come from it (`Linter.lint`)
    /// without lexing a file again.
    public let analysis: MigrationAnalysis
    public let templates: TemplateSet
    public let plan: Plan
    public let manifests: [Manifest]
    /// The psql script the Job runs (`schemajob script`), as the scripts ConfigMap holds it.
    public let migrationScript: String
    /// The tables the gate waits for.
    public let requiredTables: [String]
    /// Lint's findings (`Linter.lint(analysis)`), when the render was asked for them.
    public var findings: [Finding]? = nil

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
        return try WorkloadGate.filter(text, rendering: self, fragment: try gateFragment())
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

    /// `pieces(format)` handed to `body` as they are made: YAML document by document, so a
    /// large render is written without holding all of its output at once.
    public func forEachPiece(_ format: OutputFormat, _ body: (Substring) throws -> Void) throws {
        switch format {
        case .yaml: try YAMLWriter.forEachDocument(manifests, body)
        case .json: try body(try JSONWriter.json(manifests)[...])
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
        if let problem = settings.readHostProblem() {
            throw problem
        }
        return settings
    }

    public static func templates(for request: RenderRequest) throws -> TemplateSet {
        if let directory = request.templatesDirectory {
            return try TemplateSet.load(directory: directory)
        }
        return try TemplateSet.embedded()
    }

    /// What the request names, read in the order its errors are reported: settings,
    /// templates, then `database/`.
    public static func inputs(_ request: RenderRequest) throws -> RenderInputs {
        let settings = try settings(for: request)
        let templates = try templates(for: request)
        return RenderInputs(settings: settings, templates: templates, set: try DatabaseReader.read(directory: request.databaseDirectory))
    }

    public static func plan(_ inputs: RenderInputs) throws -> Plan {
        try Planner.plan(set: inputs.set, settings: inputs.settings, templates: inputs.templates)
    }

    /// The content hash of what `render` would build from the request (`schemajob hash`).
    public static func contentHash(_ request: RenderRequest) throws -> String {
        let inputs = try inputs(request)
        return Planner.contentHash(set: inputs.set, settings: inputs.settings, templates: inputs.templates)
    }

    /// `linting`: see `render(_:linting:)` below.
    public static func render(_ request: RenderRequest, linting: Bool = false) throws -> Rendering {
        try render(try inputs(request), linting: linting)
    }

    /// A set already read (an earlier state, for `test --from`), with the request's
    /// settings and templates; its directory is not read again.
    public static func render(_ set: MigrationSet, settingsAndTemplatesOf request: RenderRequest) throws -> Rendering {
        let templates = try templates(for: request)
        return try render(RenderInputs(settings: try settings(for: request), templates: templates, set: set))
    }

    /// Plans, analyses each file once (what lint, the refusal below, the script and the
    /// required tables read), and builds.
    /// With `linting`, lint's findings (`Linter.lint`) are made too, on another core while
    /// the script and the manifests are built (`Rendering.findings`).
    /// `limits`: what the cluster and the kernel take (`JobLimits`).
    static func render(_ inputs: RenderInputs, linting: Bool = false, limits: JobLimits = .cluster) throws -> Rendering {
        // The plan (the content hash reads every byte, on one core) needs nothing from the
        // analysis, which keeps the other cores busy: the two are made side by side. A
        // plan's error is still the one reported first.
        let (planResult, analysis) = concurrently({ Result { try Self.plan(inputs) } }, { MigrationAnalysis(inputs.set) })
        let planned = try planResult.get()
        let (findings, built) = try concurrently({ linting ? Linter.lint(analysis) : nil }) {
            // No rendering, and so no run, of a file that can reach outside the database.
            try RunSafety.requireNone(RunSafety.refusals(analysis))
            let contracts = analysis.contracts
            try ContractMarker.requireReasons(contracts)
            let tables = analysis.requiredTables
            var plan = planned
            plan.requiredTablesInFile = !RequiredTablesValue.fitsEnvironment(tables, limit: limits.environmentString)
            func scripts(_ script: String) throws -> ConfigMapPlan {
                try ManifestBuilder.scriptsConfigMap(plan: plan, templates: inputs.templates, migrationScript: script, requiredTables: tables)
            }
            // The statement lengths leave the script only for a set whose scripts would not fit.
            let written = try MigrationScript.render(
                plan: plan, templates: inputs.templates, analysis: analysis, lengthsBudget: limits.statementsConfigMap
            ) {
                JobLimits.size(try scripts($0)) <= limits.scriptsConfigMap
            }
            // A script that holds its lengths was measured by `fits`; one without them is now.
            if !written.lengthsInScript {
                try limits.check(
                    scripts: try scripts(written.script),
                    requiredTables: tables, statements: plan.files.reduce(0) { $0 + (analysis.pieces(of: $1)?.count ?? 0) },
                    files: plan.files.count, directory: inputs.set.directory)
            }
            plan.statementConfigMaps = written.statementConfigMaps
            let manifests = try ManifestBuilder.build(
                plan: plan, templates: inputs.templates, migrationScript: written.script, requiredTables: tables, contracts: contracts)
            return (plan: plan, script: written.script, tables: tables, manifests: manifests)
        }
        return Rendering(migrationSet: inputs.set, analysis: analysis, templates: inputs.templates, plan: built.plan,
                         manifests: built.manifests, migrationScript: built.script, requiredTables: built.tables, findings: findings)
    }
}
