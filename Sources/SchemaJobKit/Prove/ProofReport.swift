/// One thing `schemajob test` found: what differs (or what failed), where it comes
/// from, and the statement that fixes it when one follows mechanically.
public struct ProofFinding: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A second (or third) run changed the schema or the rows.
        case notIdempotent = "not-idempotent"
        /// An upgraded database differs from a fresh install of the same files.
        case upgradeDiffers = "upgrade-differs"
        /// The set failed outright: on an empty database, or as the next deploy.
        case sqlFailed = "sql-failed"
    }

    public var kind: Kind
    /// The file (and statement line) responsible; the set's directory when none is known.
    public var location: SourceLocation
    /// `column disks.disk_size`, `trigger disks.disks_touch`, `row gpu_types ('t4')`.
    public var object: String
    public var message: String
    /// SQL to put in a new file, when the fix follows mechanically.
    public var fix: String?

    public init(kind: Kind, location: SourceLocation, object: String, message: String, fix: String? = nil) {
        self.kind = kind
        self.location = location
        self.object = object
        self.message = message
        self.fix = fix
    }
}

/// The fix set for an upgrade that differs: one script, and what trying it showed.
public struct ProofFix: Sendable {
    public var script: String
    /// The file the proof added it as, and the user is told to add it as.
    public var path: String
    /// Added as `path`, it made an upgraded copy equal a fresh install (both with it).
    public var isProven: Bool
    /// Otherwise: what it left different, or how it failed, one line each.
    public var remaining: [String]
}

/// Everything one `schemajob test` proved or found.
public struct ProofReport: Sendable {
    public var findings: [ProofFinding]
    /// The upgrade's fix set, when its differences have one.
    public var fix: ProofFix?
    /// What was proven, for the closing line (`idempotent over 3 runs`, ...).
    public var proven: [String]

    public init(findings: [ProofFinding], proven: [String], fix: ProofFix? = nil) {
        self.findings = findings
        self.proven = proven
        self.fix = fix
    }

    public var isProven: Bool { findings.isEmpty }

    /// The line for stderr at the end.
    public var summary: String {
        if findings.isEmpty { return "test: proven: " + proven.joined(separator: "; ") }
        let count = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        return "test: not proven: \(count)" + (proven.isEmpty ? "" : " (proven: " + proven.joined(separator: "; ") + ")")
    }
}

/// How `test` prints its findings: the forms `lint` uses (FindingFormat). The upgrade's
/// fix set is printed once, whole, after the findings in text; json and github carry
/// each finding's part of it, with whether the whole set was proven.
public enum ProofFormat {
    public static func render(_ report: ProofReport, as format: FindingFormat) -> String {
        let label = report.fix.map { $0.isProven ? "fix (proven with the whole set)" : "suggestion (unproven)" }
        switch format {
        case .text:
            var text = report.findings.map { finding in
                var line = FindingFormat.oneLine(
                    "\(finding.location.description): error: \(finding.object): \(finding.message) [\(finding.kind.rawValue)]") + "\n"
                if let fix = finding.fix, report.fix == nil {
                    line += fix.split(separator: "\n").map { "    \($0)\n" }.joined()
                }
                return line
            }.joined()
            if let fix = report.fix { text += block(fix) }
            return text
        case .json:
            guard !report.findings.isEmpty else { return "[]\n" }
            let objects = report.findings.map { finding in
                var fields = [
                    ("path", FindingFormat.jsonString(finding.location.path)),
                    ("line", finding.location.line.map(String.init) ?? "null"),
                    ("rule", FindingFormat.jsonString(finding.kind.rawValue)),
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
                return "::error \(properties.joined(separator: ","))::\(FindingFormat.githubData(text))\n"
            }.joined()
        }
    }

    /// The whole script between two comment lines, unindented, so it can be copied into
    /// the file as it stands; what an unproven one leaves is named above it.
    static func block(_ fix: ProofFix) -> String {
        var text: String
        if fix.isProven {
            text = "-- fix (proven): add this as \(fix.path); with it, a copy of the upgraded database equals a fresh install (the copy ran it twice)\n"
        } else {
            text = "-- suggestion (unproven): added as \(fix.path), it does not close the differences:\n"
            text += fix.remaining.map { "--     " + FindingFormat.oneLine($0) + "\n" }.joined()
        }
        text += fix.script
        return text + (fix.isProven ? "-- end of fix\n" : "-- end of suggestion\n")
    }
}
