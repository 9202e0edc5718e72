/// One difference between the live database and a fresh install of the files.
public struct DriftFinding: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// The files declare it and the live database lacks it.
        case missing = "missing-in-live"
        /// Both have it, with different attributes (type, default, body, ...).
        case differs = "differs-in-live"
        /// A fixture row the live database lacks or holds other values for.
        case fixtureRow = "fixture-row"
        /// The live database has it and no file declares it: a warning.
        case undeclared = "undeclared"
    }

    public var kind: Kind
    /// The file (and statement) that declares the object; for an undeclared object,
    /// the live database.
    public var location: SourceLocation
    /// `column reservations.domain_name`, `row gpu_types ('t4')`.
    public var object: String
    public var message: String
    /// The statement that brings the live database in line, when it follows mechanically.
    public var fix: String?
    /// What the snapshots call it (for placing the fix).
    public var subject: SnapshotSubject?

    public var isError: Bool { kind != .undeclared }
}

/// Everything one `schemajob drift` found, and what it read.
public struct DriftReport: Sendable {
    public var findings: [DriftFinding]
    /// "last migrated with hash H at T by pod P; these files hash to H2".
    public var ledger: String
    /// Lines for stderr about the fix file(s) written, and where they go.
    public var fixNotes: [String] = []
    /// The relations the live session held a lock on at its end (schema.name mode):
    /// the ledger and the fixture tables it read, nothing else.
    public var lockedRelations: [String] = []

    /// The line for stderr about what the live session locked.
    public var locksLine: String {
        "drift: the live session's locks on relations outside the catalogs: "
            + (lockedRelations.isEmpty ? "none" : lockedRelations.joined(separator: ", "))
    }

    public var hasDrift: Bool { findings.contains(where: \.isError) }

    public var summary: String {
        let errors = findings.filter(\.isError).count, warnings = findings.count - errors
        let counted = { (count: Int, noun: String) in count == 1 ? "1 \(noun)" : "\(count) \(noun)s" }
        let tail = warnings == 0 ? "" : "; \(counted(warnings, "warning")): undeclared objects"
        return errors == 0
            ? "drift: none: the live database equals a fresh install of the files\(tail)"
            : "drift: \(counted(errors, "difference")) between the live database and a fresh install of the files\(tail)"
    }
}

/// How `drift` prints its findings: the forms `lint` and `test` use, with the fix.
public enum DriftFormat {
    public static func render(_ findings: [DriftFinding], as format: FindingFormat) -> String {
        let severity = { (finding: DriftFinding) in finding.isError ? "error" : "warning" }
        switch format {
        case .text:
            return findings.map { finding in
                var text = "\(finding.location.description): \(severity(finding)): \(finding.object): \(finding.message) [\(finding.kind.rawValue)]\n"
                if let fix = finding.fix { text += fix.split(separator: "\n").map { "    \($0)\n" }.joined() }
                return text
            }.joined()
        case .json:
            guard !findings.isEmpty else { return "[]\n" }
            let objects = findings.map { finding in
                let fields = [
                    ("path", FindingFormat.jsonString(finding.location.path)),
                    ("line", finding.location.line.map(String.init) ?? "null"),
                    ("rule", FindingFormat.jsonString(finding.kind.rawValue)),
                    ("severity", FindingFormat.jsonString(severity(finding))),
                    ("object", FindingFormat.jsonString(finding.object)),
                    ("message", FindingFormat.jsonString(finding.message)),
                    ("fix", finding.fix.map(FindingFormat.jsonString) ?? "null"),
                ]
                return "  {" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            }
            return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
        case .github:
            return findings.map { finding in
                var properties = ["file=\(FindingFormat.githubProperty(finding.location.path))"]
                if let line = finding.location.line { properties.append("line=\(line)") }
                properties.append("title=\(FindingFormat.githubProperty(finding.kind.rawValue))")
                let text = "\(finding.object): \(finding.message)" + (finding.fix.map { "\n" + $0 } ?? "")
                return "::\(severity(finding)) \(properties.joined(separator: ","))::\(FindingFormat.githubData(text))\n"
            }.joined()
        }
    }
}
