/// How a migration file's statements reach the server: as query text, never read by
/// psql's lexer. psql reads a backslash anywhere outside quotes as a meta-command (a
/// shell command, a file written, the session ended) and replaces `:name` with its
/// variables, so a file that psql includes (`\i`) is code psql runs. Here psql only
/// loads the file's bytes into a variable (`\set sql `cat …``), sends them once as an
/// escaped literal (`:'sql'`, which psql never lexes again) to a prepared statement
/// on the server, and runs what comes back with `\gexec`: one statement at a time, cut
/// where psql's own splitter would cut it (by this project's lexer), so each statement
/// runs alone as it did under `\i` — a `CREATE INDEX CONCURRENTLY` outside a
/// transaction block — and psql's error names the script line of that one statement,
/// which carries the statement's own place (`/* schema/NNN_name.sql:LINE */`) for
/// migrate.sh to report.
public enum QueryText {
    /// One statement: UTF-8 bytes `start ..< start + length` of its file (from 1, as
    /// SQL's `substring` counts), and the line psql would have named (where it ends).
    public struct Piece: Sendable, Equatable {
        public var start: Int
        public var length: Int
        public var line: Int
        /// Where the statement starts (its first token that is not a comment).
        public var firstLine: Int
    }

    /// The name of the prepared statement that cuts the current file's pieces.
    static let preparedName = "schemajob_file"

    public static func pieces(of text: String) -> [Piece] {
        let tokens = SQLLexer.tokens(in: text)
        var offsets: [Int] = []
        offsets.reserveCapacity(tokens.count + 1)
        var offset = 0
        for token in tokens {
            offsets.append(offset)
            offset += token.text.utf8.count
        }
        var pieces: [Piece] = []
        for statement in SQLLexer.statements(from: tokens) {
            let range = statement.tokenSlice.indices
            guard let first = range.first(where: { !tokens[$0].isTrivia }),
                let last = range.last(where: { !tokens[$0].isTrivia })
            else { continue }
            let end = offsets[last] + tokens[last].text.utf8.count
            let line = tokens[last].line + tokens[last].text.utf8.count { $0 == UInt8(ascii: "\n") }
            pieces.append(Piece(start: offsets[first] + 1, length: end - offsets[first], line: line, firstLine: tokens[first].line))
        }
        return pieces
    }

    /// The script lines that run `file`, found by migrate.sh's `files` variable (the
    /// directory holding schema/ and fixtures/). The file's bytes are checked against the
    /// rendered digest first: a file psql could not read (`cat` failed, a ConfigMap out of
    /// step) fails the run loudly instead of running as nothing.
    public static func lines(running file: MigrationFile) -> [String] {
        let pieces = pieces(of: file.text)
        guard !pieces.isEmpty else { return [] }
        return loading(file) + pieces.map { statement($0, of: file) } + unloading
    }

    /// Where a file is under the script's `files` directory, as the Job mounts it.
    static func path(of file: MigrationFile) -> String {
        "\(file.phase.rawValue)/\(file.name)"
    }

    /// Loads `file`, found at `path` under `files`, into psql's `sql` and prepares the
    /// statement that cuts it.
    static func loading(_ file: MigrationFile, at path: String? = nil) -> [String] {
        let shown = Self.path(of: file)
        // psql drops one final newline from a backtick's output.
        var bytes = Array(file.text.utf8)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return [
            // Names are ConfigMap keys (letters, digits, '-', '_', '.'): nothing for a shell to read.
            "\\set sql `cat :'files'/\(path ?? shown)`",
            "SELECT sha256(convert_to(:'sql', 'UTF8')) = decode('\(sha256Hex(bytes))', 'hex') AS file_read \\gset",
            "\\if :file_read",
            "\\else",
            "DO $$BEGIN RAISE EXCEPTION 'schemajob: \(shown) was not read whole (psql''s cat failed, or the ConfigMap differs from the script)'; END$$;",
            "\\endif",
            // Bytes, not characters: the same offsets on every server encoding.
            "PREPARE \(preparedName)(int, int) AS SELECT convert_from(substring(convert_to(:'sql', 'UTF8') FROM $1 FOR $2), 'UTF8');",
        ]
    }

    /// Runs one statement of the loaded file; the line starts with the statement's place.
    static func statement(_ piece: Piece, of file: MigrationFile) -> String {
        "/* \(file.phase.rawValue)/\(file.name):\(piece.line) */ EXECUTE \(preparedName)(\(piece.start), \(piece.length)) \\gexec"
    }

    static let unloading = ["DEALLOCATE \(preparedName);", "\\unset sql"]
}
