/// How `lint` prints its findings.
public enum FindingFormat: String, CaseIterable, Sendable {
    /// `path:line:col: error: message [rule]`, the form compilers use, which
    /// editors and terminals turn into links.
    case text
    /// An array of `{path, line, column, rule, message, hint}` objects; line and
    /// column are null for a finding about a whole file.
    case json
    /// GitHub Actions workflow commands: each finding becomes an annotation on the
    /// pull request's diff.
    case github

    /// The findings, one per line (json: one document); empty text for none, except
    /// json, which always prints an array.
    public func render(_ findings: [Finding]) -> String {
        switch self {
        case .text:
            return findings.map { "\(Self.textLine($0))\n" }.joined()
        case .json:
            return Self.json(findings)
        case .github:
            return findings.map { "\(Self.githubLine($0))\n" }.joined()
        }
    }

    public static func textLine(_ finding: Finding) -> String {
        oneLine("\(finding.location.description): \(finding.severity.rawValue): \(finding.message) [\(finding.rule)]")
    }

    /// Text with its line breaks and other control characters escaped as JSON escapes
    /// them (`\n`, `\t`, `\u001b`), so a finding quoting a multi-line value stays on the
    /// one line that editors and `grep` read as one finding. Quotes and backslashes stay
    /// as they are: the line is for reading, and a SQL value shows as SQL writes it.
    public static func oneLine(_ text: String) -> String {
        escaped(text, quotes: false)
    }

    /// JSON's escapes for control characters, and with `quotes` for `"` and `\` too.
    static func escaped(_ text: String, quotes: Bool) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quotes: escaped += "\\\""
            case "\\" where quotes: escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || (!quotes && scalar.value == 0x7F):
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

    static func json(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "[]\n" }
        let objects = findings.map { finding in
            let fields = [
                ("path", jsonString(finding.location.path)),
                ("line", finding.location.line.map(String.init) ?? "null"),
                ("column", finding.location.column.map(String.init) ?? "null"),
                ("rule", jsonString(finding.rule)),
                ("severity", jsonString(finding.severity.rawValue)),
                ("message", jsonString(finding.message)),
                ("hint", jsonString(finding.hint)),
            ]
            return "  {" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    static func jsonString(_ text: String) -> String {
        "\"" + escaped(text, quotes: true) + "\""
    }

    /// `::error file=…,line=…,col=…,title=<rule>::<message>` (`::warning` for a
    /// warning), with the hint on a
    /// second line of the annotation.
    static func githubLine(_ finding: Finding) -> String {
        var properties = ["file=\(githubProperty(finding.location.path))"]
        if let line = finding.location.line { properties.append("line=\(line)") }
        if let column = finding.location.column { properties.append("col=\(column)") }
        properties.append("title=\(githubProperty(finding.rule))")
        return "::\(finding.severity.rawValue) \(properties.joined(separator: ","))::\(githubData(finding.message + "\n" + finding.hint))"
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
