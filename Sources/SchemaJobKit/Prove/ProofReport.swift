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
    /// Each with a proof's rule (`ProofKind`), the object it is about and, where one
    /// follows, its fix.
    public var findings: [Finding]
    /// The upgrade's fix set, when its differences have one.
    public var fix: ProofFix?
    /// What was proven, for the closing line (`idempotent over 3 runs`, ...).
    public var proven: [String]
    /// Without a fix set that was tried: why the findings' own fixes are unproven.
    public var unprovenFixes: String?

    public init(findings: [Finding], proven: [String], fix: ProofFix? = nil, unprovenFixes: String? = nil) {
        self.findings = findings
        self.proven = proven
        self.fix = fix
        self.unprovenFixes = unprovenFixes
    }

    /// No error among the findings: warnings (what a rollback puts back, a contract step,
    /// a marker on a statement that breaks nothing) inform.
    public var isProven: Bool { !findings.contains(where: \.isError) }

    /// The line for stderr at the end.
    public var summary: String {
        if isProven {
            let warnings = findings.count == 1 ? " (1 warning)" : findings.isEmpty ? "" : " (\(findings.count) warnings)"
            return "test: proven: " + proven.joined(separator: "; ") + warnings
        }
        let count = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        return "test: not proven: \(count)" + (proven.isEmpty ? "" : " (proven: " + proven.joined(separator: "; ") + ")")
    }
}

/// How `test` and `drift` print their findings: the forms `lint` uses (FindingFormat).
/// A fix set that was tried is printed once, whole, after the findings in text; json and
/// github carry each finding's part of it, with whether the whole set was proven.
public enum ProofFormat {
    public static func render(_ report: ProofReport, as format: FindingFormat) throws -> String {
        switch format {
        case .text:
            var text = report.findings.map { FindingFormat.textLines($0, withFix: report.fix == nil) }.joined()
            if let fix = report.fix {
                text += block(fix)
            } else if let why = report.unprovenFixes, report.findings.contains(where: { $0.fix != nil }) {
                text += "-- suggestion (unproven): the statements under the findings; " + FindingFormat.oneLine(why) + "\n"
            }
            return text
        case .json:
            return try JSONOutput.text(report.findings.map { FindingFormat.Encoded($0, fixProven: report.fix?.isProven, fixPath: report.fix?.path) })
        case .github:
            let label = report.fix.map { "\($0.isProven ? "fix (proven with the whole set)" : "suggestion (unproven)"), in \($0.path):\n" }
            return report.findings.map { FindingFormat.githubLine($0, fixLabel: label) + "\n" }.joined()
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
