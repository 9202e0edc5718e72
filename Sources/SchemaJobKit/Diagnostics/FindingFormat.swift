/// How findings print, whichever command found them (`lint`; `test` and `drift` through
/// `ProofFormat`, `plan`'s failure through `LivePlanFormat`).
public enum FindingFormat: String, CaseIterable, Sendable {
    /// `path:line:col: error: [object: ]message [rule]`, the form compilers use, which
    /// editors and terminals turn into links.
    case text
    /// An array of findings, each with the keys docs/json.md lists; line and column
    /// are null for a finding about a whole file.
    case json
    /// GitHub Actions workflow commands: each finding becomes an annotation on the
    /// pull request's diff.
    case github

    /// The findings, one per line (json: one document); empty text for none, except
    /// json, which always prints an array.
    public func render(_ findings: [Finding]) throws -> String {
        switch self {
        case .text:
            // A large set's thousands of warnings are made into lines on every core, a few
            // hundred at a time; the text is the same, in the same order.
            let chunk = 512
            guard findings.count > chunk else { return findings.map { Self.textLines($0, withFix: false) }.joined() }
            let chunks = stride(from: 0, to: findings.count, by: chunk).map { findings[$0..<min($0 + chunk, findings.count)] }
            return chunks.concurrentMap { $0.map { Self.textLines($0, withFix: false) }.joined() }.joined()
        case .json:
            return try JSONOutput.text(findings.map { Encoded($0) })
        case .github:
            return findings.map { "\(Self.githubLine($0))\n" }.joined()
        }
    }

    /// `path:line:col: severity: [object: ]message [rule]`, and with `withFix` the
    /// finding's own fix indented under it.
    public static func textLines(_ finding: Finding, withFix: Bool) -> String {
        var text = textLine(finding) + "\n"
        if withFix, let fix = finding.fix {
            text += fix.split(separator: "\n").map { "    \($0)\n" }.joined()
        }
        return text
    }

    public static func textLine(_ finding: Finding) -> String {
        let object = finding.object.map { "\($0): " } ?? ""
        return oneLine("\(finding.location.description): \(finding.severity.rawValue): \(object)\(finding.message) [\(finding.rule.id)]")
    }

    /// Text with its line breaks and other control characters escaped as JSON escapes
    /// them (`\n`, `\t`, `\u001b`), so a finding quoting a multi-line value stays on the
    /// one line that editors and `grep` read as one finding. Quotes and backslashes stay
    /// as they are: the line is for reading, and a SQL value shows as SQL writes it.
    public static func oneLine(_ text: String) -> String {
        // Most lines hold no control character: they are returned as they are, not
        // rebuilt scalar by scalar (a lint of thousands of findings spent 5 % here).
        // The bytes read in place (a line is a native string), not through the view's iterator.
        var bytes = text
        guard bytes.withUTF8({ $0.contains { $0 < 0x20 || $0 == 0x7F } }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The line for stderr after the findings: `lint: 2 errors, 1 warning in 11 files`.
    public static func summary(_ findings: [Finding], fileCount: Int) -> String {
        let files = fileCount == 1 ? "1 file" : "\(fileCount) files"
        let errors = findings.filter(\.isError).count
        let warnings = findings.count - errors
        func counted(_ count: Int, _ noun: String) -> String { count == 1 ? "1 \(noun)" : "\(count) \(noun)s" }
        var parts: [String] = []
        if errors > 0 { parts.append(counted(errors, "error")) }
        if warnings > 0 { parts.append(counted(warnings, "warning")) }
        return "lint: \(parts.isEmpty ? "no findings" : parts.joined(separator: ", ")) in \(files)"
    }

    /// A finding in every command's JSON (`lint`, `test`, `drift`, `plan`'s failure):
    /// always the same keys, null where a finding has no such part. `fix_proven` and
    /// `fix_path` say, for a finding whose fix is part of a fix set that was tried,
    /// whether the whole set was proven and where it goes.
    public struct Encoded: Encodable {
        var path: String
        @JSONNullable var line: Int?
        @JSONNullable var column: Int?
        var rule: String
        var severity: Finding.Severity
        @JSONNullable var object: String?
        var message: String
        @JSONNullable var hint: String?
        @JSONNullable var fix: String?
        @JSONNullable var fixProven: Bool?
        @JSONNullable var fixPath: String?

        enum CodingKeys: String, CodingKey {
            case path, line, column, rule, severity, object, message, hint, fix
            case fixProven = "fix_proven", fixPath = "fix_path"
        }

        /// `fixProven` and `fixPath` only for a finding that has a fix.
        public init(_ finding: Finding, fixProven: Bool? = nil, fixPath: String? = nil) {
            path = finding.location.path
            line = finding.location.line
            column = finding.location.column
            rule = finding.rule.id
            severity = finding.severity
            object = finding.object
            message = finding.message
            hint = finding.hint
            fix = finding.fix
            if finding.fix != nil {
                self.fixProven = fixProven
                self.fixPath = fixPath
            }
        }
    }

    /// `::error file=…,line=…,col=…,title=<rule>::[<object>: ]<message>` (`::warning` for
    /// a warning), with the hint, or the fix under `fixLabel`, on the next lines of the
    /// annotation.
    static func githubLine(_ finding: Finding, fixLabel: String? = nil) -> String {
        var properties = ["file=\(githubProperty(finding.location.path))"]
        if let line = finding.location.line { properties.append("line=\(line)") }
        if let column = finding.location.column { properties.append("col=\(column)") }
        properties.append("title=\(githubProperty(finding.rule.id))")
        var text = (finding.object.map { "\($0): " } ?? "") + finding.message
        if let hint = finding.hint { text += "\n" + hint }
        if let fix = finding.fix { text += "\n" + (fixLabel ?? "") + fix }
        return "::\(finding.severity.rawValue) \(properties.joined(separator: ","))::\(githubData(text))"
    }

    /// The escapes GitHub's runner undoes in a command's message.
    static func githubData(_ text: String) -> String {
        text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }

    /// Properties also end at `,` and `:`.
    static func githubProperty(_ text: String) -> String {
        githubData(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }
}
