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

/// Everything one `schemajob test` proved or found.
public struct ProofReport: Sendable {
    public var findings: [ProofFinding]
    /// What was proven, for the closing line (`idempotent over 3 runs`, ...).
    public var proven: [String]

    public var isProven: Bool { findings.isEmpty }

    /// The line for stderr at the end.
    public var summary: String {
        if findings.isEmpty { return "test: proven: " + proven.joined(separator: "; ") }
        let count = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        return "test: not proven: \(count)" + (proven.isEmpty ? "" : " (proven: " + proven.joined(separator: "; ") + ")")
    }
}

/// How `test` prints its findings: the forms `lint` uses (FindingFormat), with the fix.
public enum ProofFormat {
    public static func render(_ report: ProofReport, as format: FindingFormat) -> String {
        switch format {
        case .text:
            return report.findings.map { finding in
                var text = "\(finding.location.description): error: \(finding.object): \(finding.message) [\(finding.kind.rawValue)]\n"
                if let fix = finding.fix {
                    text += fix.split(separator: "\n").map { "    \($0)\n" }.joined()
                }
                return text
            }.joined()
        case .json:
            guard !report.findings.isEmpty else { return "[]\n" }
            let objects = report.findings.map { finding in
                let fields = [
                    ("path", FindingFormat.jsonString(finding.location.path)),
                    ("line", finding.location.line.map(String.init) ?? "null"),
                    ("rule", FindingFormat.jsonString(finding.kind.rawValue)),
                    ("object", FindingFormat.jsonString(finding.object)),
                    ("message", FindingFormat.jsonString(finding.message)),
                    ("fix", finding.fix.map(FindingFormat.jsonString) ?? "null"),
                ]
                return "  {" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            }
            return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
        case .github:
            return report.findings.map { finding in
                var properties = ["file=\(FindingFormat.githubProperty(finding.location.path))"]
                if let line = finding.location.line { properties.append("line=\(line)") }
                properties.append("title=\(FindingFormat.githubProperty(finding.kind.rawValue))")
                let text = "\(finding.object): \(finding.message)" + (finding.fix.map { "\n" + $0 } ?? "")
                return "::error \(properties.joined(separator: ","))::\(FindingFormat.githubData(text))\n"
            }.joined()
        }
    }
}
