import SQLSyntax

/// How a migration file's statements reach the server: as query text, never read by
/// psql's lexer. psql reads a backslash anywhere outside quotes as a meta-command (a
/// shell command, a file written, the session ended) and replaces `:name` with its
/// variables, so a file that psql includes (`\i`) is code psql runs. Here psql only
/// loads the file's bytes into a variable (`\set sql `cat …``), sends them once as an
/// escaped literal (`:'sql'`, which psql never lexes again) in a prepared statement
/// that cuts them into statements on the server, and runs what comes back with
/// `\gexec`: one statement at a time, cut where psql's own splitter would cut it (by
/// this project's lexer), so each statement runs alone as it did under `\i` (a
/// `CREATE INDEX CONCURRENTLY` outside a transaction block). Where the statements are
/// cut travels as data, three integer arrays per file (start, length, line), so the
/// script grows with the files, not with their statements. Each statement starts with
/// its own place (`/* schema/NNN_name.sql:LINE */`); psql echoes a failed one
/// (`ECHO errors`, which the Job's script sets around the files) and migrate.sh
/// reports the error at that place.
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
        return pieces(tokens: tokens, statements: SQLLexer.statements(from: tokens))
    }

    /// The pieces of a file already lexed and split (`MigrationAnalysis` does both once).
    static func pieces(tokens: [SQLToken], statements: [SQLStatement]) -> [Piece] {
        var offsets: [Int] = []
        offsets.reserveCapacity(tokens.count + 1)
        var offset = 0
        for token in tokens {
            offsets.append(offset)
            offset += token.text.utf8.count
        }
        var pieces: [Piece] = []
        pieces.reserveCapacity(statements.count)
        for statement in statements {
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

    /// The script lines that run `file`, found at `path` (default `<phase>/<name>`) under
    /// the psql variable `files` (migrate.sh's: the directory holding schema/ and
    /// fixtures/). The bytes are checked against the digest computed here first: a file
    /// psql could not read (the shell failed, a ConfigMap out of step) fails the run
    /// loudly instead of running as nothing. All statements go through one `\gexec`;
    /// with `afterEach` (lines after each statement's: the replay's snapshots) each
    /// statement has a `\gexec` of its own.
    public static func lines(
        running file: MigrationFile, pieces: [Piece]? = nil, at path: String? = nil, afterEach: ((Piece) -> [String])? = nil
    ) -> [String] {
        let pieces = pieces ?? Self.pieces(of: file.text)
        guard !pieces.isEmpty else { return [] }
        let shown = Self.path(of: file)
        // psql drops one final newline from a backtick's output.
        var read = file.text.utf8[...]
        if read.last == UInt8(ascii: "\n") { read = read.dropLast() }
        var lines = [
            // Names are ConfigMap keys (letters, digits, '-', '_', '.'): nothing for a shell to read.
            "\\set sql `cat :'files'/\(path ?? shown)`",
            "SELECT sha256(convert_to(:'sql', 'UTF8')) = decode('\(sha256Hex(read))', 'hex') AS file_read \\gset",
            "\\if :file_read",
            "\\else",
            "DO $$BEGIN RAISE EXCEPTION 'schemajob: \(shown) was not read whole (the shell could not read it, or the ConfigMap differs from the script)'; END$$;",
            "\\endif",
            prepare(pieces, shown: shown),
        ]
        if let afterEach {
            for (index, piece) in pieces.enumerated() {
                lines.append("EXECUTE \(preparedName)(\(index + 1), \(index + 1)) \\gexec")
                lines += afterEach(piece)
            }
        } else {
            lines.append("EXECUTE \(preparedName)(1, \(pieces.count)) \\gexec")
        }
        lines += ["DEALLOCATE \(preparedName);", "\\unset sql"]
        return lines
    }

    /// The prepared statement that yields statements `$1 ... $2` of the file in `:'sql'`,
    /// in order, each led by its place. The file's bytes are made once (a materialized
    /// CTE) and cut by byte offsets: the same offsets on every server encoding.
    static func prepare(_ pieces: [Piece], shown: String) -> String {
        var starts = "'{", lengths = "'{", lines = "'{"
        starts.reserveCapacity(pieces.count * 7)
        lengths.reserveCapacity(pieces.count * 5)
        lines.reserveCapacity(pieces.count * 5)
        for (index, piece) in pieces.enumerated() {
            if index > 0 {
                starts.append(","); lengths.append(","); lines.append(",")
            }
            starts.append(String(piece.start)); lengths.append(String(piece.length)); lines.append(String(piece.line))
        }
        return "PREPARE \(preparedName)(int, int) AS WITH f AS MATERIALIZED (SELECT convert_to(:'sql', 'UTF8') AS bytes) "
            + "SELECT '/* \(shown):' || p.line || ' */ ' || convert_from(substring(f.bytes FROM p.start FOR p.length), 'UTF8') "
            + "FROM f, unnest(\(starts)}'::int[], \(lengths)}'::int[], \(lines)}'::int[]) WITH ORDINALITY AS p(start, length, line, n) "
            + "WHERE p.n BETWEEN $1 AND $2 ORDER BY p.n;"
    }

    /// Where a file is under the script's `files` directory, as the Job mounts it.
    static func path(of file: MigrationFile) -> String {
        "\(file.phase.rawValue)/\(file.name)"
    }
}
