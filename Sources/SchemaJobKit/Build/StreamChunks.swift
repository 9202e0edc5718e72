/// A YAML stream's text cut into its documents' texts, so `schemajob gate` can write a
/// document it leaves alone back exactly as it came. YAML forbids a line that starts with
/// `---` followed by a space or the line's end anywhere but at a document's start (not even
/// inside a block scalar or a quoted string), so cutting at those lines is exact.
struct StreamChunks {
    /// Each document's text, its `---` line (if any) included, in stream order.
    let texts: [Substring]
    /// The 1-based line each text starts on.
    let startLines: [Int]

    init(_ input: String) {
        var texts: [Substring] = []
        var startLines: [Int] = []
        var chunkStart = input.startIndex
        var chunkLine = 1
        var line = 1
        var index = input.startIndex
        while index < input.endIndex {
            let lineEnd = input[index...].firstIndex(of: "\n").map { input.index(after: $0) } ?? input.endIndex
            if index != chunkStart, Self.isDocumentStart(input[index..<lineEnd]) {
                texts.append(input[chunkStart..<index])
                startLines.append(chunkLine)
                chunkStart = index
                chunkLine = line
            }
            index = lineEnd
            line += 1
        }
        texts.append(input[chunkStart...])
        startLines.append(chunkLine)
        self.texts = texts
        self.startLines = startLines
    }

    static func isDocumentStart(_ line: Substring) -> Bool {
        guard line.hasPrefix("---") else { return false }
        let rest = line.dropFirst(3)
        return rest.isEmpty || rest.first == " " || rest.first == "\t" || rest.first == "\n" || rest.first == "\r"
    }

    /// The document whose text holds `line`.
    func index(containing line: Int) -> Int? {
        startLines.lastIndex { $0 <= line }
    }

    /// Chunk `index` as a document of the output: its own text, with a `---` line put
    /// before it when it has none, and a final line break; empty when it holds nothing
    /// but its `---` line and blank lines.
    func document(_ index: Int) -> Substring {
        let text = texts[index]
        let body = Self.isDocumentStart(text) ? text.drop { $0 != "\n" }.dropFirst() : text
        guard body.contains(where: { !$0.isWhitespace }) else { return "" }
        let ended = text.hasSuffix("\n") ? text : Substring(text + "\n")
        return Self.isDocumentStart(text) ? ended : Substring("---\n" + ended)
    }

    /// The comment lines at the top of chunk `index` (after its `---` line), such as
    /// `helm template`'s `# Source: chart/templates/file.yaml`.
    func leadingComments(_ index: Int) -> String {
        var text = texts[index]
        if Self.isDocumentStart(text) { text = text.drop { $0 != "\n" }.dropFirst() }
        var comments = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("#") else { break }
            comments += line + "\n"
        }
        return comments
    }
}
