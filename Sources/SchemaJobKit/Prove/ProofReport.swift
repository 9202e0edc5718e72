/// One thing `schemajob test` (or `drift`) found: what differs (or what failed), where
/// it comes from, and the statement that fixes it when one follows mechanically.
public struct ProofFinding: Sendable, Hashable {
    public typealias Severity = Finding.Severity

    public enum Kind: String, Sendable {
        /// A second (or third) run changed the schema or the rows.
        case notIdempotent = "not-idempotent"
        /// An upgraded database differs from a fresh install of the same files.
        case upgradeDiffers = "upgrade-differs"
        /// The set failed outright: on an empty database, or as the next deploy.
        case sqlFailed = "sql-failed"
        /// drift: the files declare it and the live database lacks it.
        case missingInLive = "missing-in-live"
        /// drift: both have it, with different attributes (type, default, body, ...).
        case differsInLive = "differs-in-live"
        /// drift: a fixture row the live database lacks or holds other values for.
        case fixtureRow = "fixture-row"
        /// drift: the live database has it and no file declares it (a warning).
        case undeclared = "undeclared"
    }

    public var kind: Kind
    /// The file (and statement line) responsible; the set's directory when none is known.
    public var location: SourceLocation
    /// `column disks.disk_size`, `trigger disks.disks_touch`, `row gpu_types ('t4')`.
    public var object: String
    public var message: String
    /// SQL to put in a new file, when the fix follows mechanically.
    public var fix: String?
    /// Every finding of `test` is an error; drift's undeclared objects are warnings.
    public var severity: Severity

    public var isError: Bool { severity == .error }

    public init(
        kind: Kind, location: SourceLocation, object: String, message: String, fix: String? = nil,
        severity: Severity = .error
    ) {
        self.kind = kind
        self.severity = severity
        self.location = location
        self.object = object
        self.message = message
        self.fix = fix
    }
}

/// The fix set for an upgrade (or a live database) that differs: one script, and what
/// trying it showed.
public struct ProofFix: Sendable {
    public struct File: Sendable, Equatable {
        /// Where the proof added it, and the user is told to add it.
        public var path: String
        public var script: String
    }

    /// In the order they sort in the set: one, the set's next file; drift adds a second
    /// that sorts before every other when an earlier statement needs what it adds.
    public var files: [File]
    /// Added as `files`, it made the copy equal a fresh install (both with it).
    public var isProven: Bool
    /// Otherwise: what it left different, or how it failed, one line each.
    public var remaining: [String]
    /// What the copy was a copy of, for the label: `the upgraded database`, `the live schema`.
    public var copyOf: String

    public init(files: [File], isProven: Bool, remaining: [String], copyOf: String) {
        self.files = files
        self.isProven = isProven
        self.remaining = remaining
        self.copyOf = copyOf
    }

    public init(script: String, path: String, isProven: Bool, remaining: [String]) {
        self.init(files: [File(path: path, script: script)], isProven: isProven, remaining: remaining, copyOf: "the upgraded database")
    }

    /// The whole script, its files in order.
    public var script: String { files.map(\.script).joined() }
    /// The last file: the one numbered after the set's files.
    public var path: String { files.last?.path ?? "" }
}

/// Everything one `schemajob test` proved or found.
public struct ProofReport: Sendable {
    public var findings: [ProofFinding]
    /// The upgrade's fix set, when its differences have one.
    public var fix: ProofFix?
    /// What was proven, for the closing line (`idempotent over 3 runs`, ...).
    public var proven: [String]
    /// Without a fix set that was tried: why the findings' own fixes are unproven.
    public var unprovenFixes: String?

    public init(findings: [ProofFinding], proven: [String], fix: ProofFix? = nil, unprovenFixes: String? = nil) {
        self.findings = findings
        self.proven = proven
        self.fix = fix
        self.unprovenFixes = unprovenFixes
    }

    public var isProven: Bool { findings.isEmpty }

    /// The line for stderr at the end.
    public var summary: String {
        if findings.isEmpty { return "test: proven: " + proven.joined(separator: "; ") }
        let count = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        return "test: not proven: \(count)" + (proven.isEmpty ? "" : " (proven: " + proven.joined(separator: "; ") + ")")
    }
}

/// How `test` and `drift` print their findings: the forms `lint` uses (FindingFormat).
/// A fix set that was tried is printed once, whole, after the findings in text; json and
/// github carry each finding's part of it, with whether the whole set was proven.
public enum ProofFormat {
    public static func render(_ report: ProofReport, as format: FindingFormat) -> String {
        let label = report.fix.map { $0.isProven ? "fix (proven with the whole set)" : "suggestion (unproven)" }
        switch format {
        case .text:
            var text = report.findings.map { finding in
                var line = FindingFormat.oneLine(
                    "\(finding.location.description): \(finding.severity.rawValue): \(finding.object): \(finding.message) [\(finding.kind.rawValue)]") + "\n"
                if let fix = finding.fix, report.fix == nil {
                    line += fix.split(separator: "\n").map { "    \($0)\n" }.joined()
                }
                return line
            }.joined()
            if let fix = report.fix {
                text += block(fix)
            } else if let why = report.unprovenFixes, report.findings.contains(where: { $0.fix != nil }) {
                text += "-- suggestion (unproven): the statements under the findings; " + FindingFormat.oneLine(why) + "\n"
            }
            return text
        case .json:
            guard !report.findings.isEmpty else { return "[]\n" }
            let objects = report.findings.map { finding in
                var fields = [
                    ("path", FindingFormat.jsonString(finding.location.path)),
                    ("line", finding.location.line.map(String.init) ?? "null"),
                    ("rule", FindingFormat.jsonString(finding.kind.rawValue)),
                    ("severity", FindingFormat.jsonString(finding.severity.rawValue)),
                    ("object", FindingFormat.jsonString(finding.object)),
                    ("message", FindingFormat.jsonString(finding.message)),
                    ("fix", finding.fix.map(FindingFormat.jsonString) ?? "null"),
                ]
                if let fix = report.fix, finding.fix != nil {
                    fields.append(("fixProven", fix.isProven ? "true" : "false"))
                    fields.append(("fixPath", FindingFormat.jsonString(fix.path)))
                }
                return "  {" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            }
            return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
        case .github:
            return report.findings.map { finding in
                var properties = ["file=\(FindingFormat.githubProperty(finding.location.path))"]
                if let line = finding.location.line { properties.append("line=\(line)") }
                properties.append("title=\(FindingFormat.githubProperty(finding.kind.rawValue))")
                let fix = finding.fix.map { "\n" + (label.map { "\($0), in \(report.fix!.path):\n" } ?? "") + $0 } ?? ""
                let text = "\(finding.object): \(finding.message)" + fix
                return "::\(finding.severity.rawValue) \(properties.joined(separator: ","))::\(FindingFormat.githubData(text))\n"
            }.joined()
        }
    }

    /// The whole script between two comment lines, unindented, so it can be copied into
    /// the file as it stands; what an unproven one leaves is named above it.
    static func block(_ fix: ProofFix) -> String {
        var text: String
        let paths = fix.files.map(\.path).joined(separator: " and ")
        let (this, it) = fix.files.count == 1 ? ("this", "it") : ("these", "them")
        if fix.isProven {
            text = "-- fix (proven): add \(this) as \(paths); with \(it), a copy of \(fix.copyOf) equals a fresh install (the copy ran \(it) twice)\n"
        } else {
            text = "-- suggestion (unproven): added as \(paths), \(fix.files.count == 1 ? "it does" : "they do") not close the differences:\n"
            text += fix.remaining.map { "--     " + FindingFormat.oneLine($0) + "\n" }.joined()
        }
        for file in fix.files {
            if fix.files.count > 1 { text += "-- \(file.path):\n" }
            text += file.script
        }
        return text + (fix.isProven ? "-- end of fix\n" : "-- end of suggestion\n")
    }
}
