import SQLSyntax

// The syntax layer places tokens by line and column only; a finding's place also names
// the file. This is the one place the two meet.
extension SourceLocation {
    init(path: String, _ position: SQLPosition) {
        self.init(path: path, line: position.line, column: position.column)
    }
}

extension StatementView {
    /// Where token `index` starts, in the file at `path`.
    func location(_ index: Int, path: String) -> SourceLocation {
        SourceLocation(path: path, position(index))
    }
}
