/// Where a token starts in its text: both count from 1, columns in characters. The
/// syntax layer knows no files; Check joins a position to a path (`SourceLocation`).
package struct SQLPosition: Hashable, Sendable {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
