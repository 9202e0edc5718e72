/// A Markdown table, for the tables in `docs/` that are generated from the code
/// (`SettingKey.all`, `LintRule.all`) so that they cannot drift from it.
public enum MarkdownTable {
    /// The table as Markdown: a header, the separator, one line per row, each line ending
    /// in a newline. The same rows give the same bytes.
    public static func render(header: [String], rows: [[String]]) -> String {
        var lines = [line(header), line(header.map { _ in "---" })]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text for a cell: a `|` would end the cell, `<` would open an HTML tag in the
    /// rendered page (rule hints say `<table>`), and a backslash would escape what follows
    /// it (`U&'\+01F600'`), so all three are escaped.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "\\<")
    }

    /// Text shown as code: backticks around it, `|` still escaped (GitHub ends a cell
    /// at a bare `|` even inside backticks).
    public static func code(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "|", with: "\\|") + "`"
    }

    private static func line(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }
}
