import SQLSyntax

/// How a migration file's statements reach the server: as query text, never read by
/// psql's lexer. psql reads a backslash anywhere outside quotes as a meta-command (a
/// shell command, a file written, the session ended) and replaces `:name` with its
/// variables, so a file that psql includes (`\i`) is code psql runs. Here psql only
/// loads the file's bytes into a variable (`\set sql `tail … | head …``), sends them once as an
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

    /// The most bytes psql holds and the server cuts statements from at a time (unless a
    /// single statement is longer): each EXECUTE re-reads its chunk, so a large file is
    /// loaded in pieces rather than whole for each of its statements.
    static let chunkBytes = 64 * 1024

    /// Consecutive pieces whose bytes fit in one chunk.
    static func chunks(_ pieces: [Piece]) -> [[Piece]] {
        var chunks: [[Piece]] = []
        for piece in pieces {
            if let first = chunks.last?.first, piece.start + piece.length - first.start <= chunkBytes {
                chunks[chunks.count - 1].append(piece)
            } else {
                chunks.append([piece])
            }
        }
        return chunks
    }

    /// The script lines that run `file`, found at `path` (default `<phase>/<name>`) under
    /// migrate.sh's `files` variable, the directory holding schema/ and fixtures/. Each
    /// chunk's bytes are checked against the digest computed here first: a file psql
    /// could not read (the shell failed, a ConfigMap out of step) fails the run loudly
    /// instead of running as nothing. `afterEach` adds lines after a statement's (the
    /// replay's snapshots).
    public static func lines(running file: MigrationFile, at path: String? = nil, afterEach: (Piece) -> [String] = { _ in [] }) -> [String] {
        let bytes = Array(file.text.utf8)
        let shown = Self.path(of: file)
        var lines: [String] = []
        for chunk in chunks(pieces(of: file.text)) {
            let start = chunk[0].start
            let length = chunk[chunk.count - 1].start + chunk[chunk.count - 1].length - start
            // psql drops one final newline from a backtick's output.
            var read = Array(bytes[(start - 1)..<(start - 1 + length)])
            if read.last == UInt8(ascii: "\n") { read.removeLast() }
            lines += [
                // Names are ConfigMap keys (letters, digits, '-', '_', '.'): nothing for a shell to read.
                "\\set sql `tail -c +\(start) :'files'/\(path ?? shown) | head -c \(length)`",
                "SELECT sha256(convert_to(:'sql', 'UTF8')) = decode('\(sha256Hex(read))', 'hex') AS file_read \\gset",
                "\\if :file_read",
                "\\else",
                "DO $$BEGIN RAISE EXCEPTION 'schemajob: \(shown) was not read whole (the shell could not read it, or the ConfigMap differs from the script)'; END$$;",
                "\\endif",
                // Bytes, not characters: the same offsets on every server encoding.
                "PREPARE \(preparedName)(int, int) AS SELECT convert_from(substring(convert_to(:'sql', 'UTF8') FROM $1 FOR $2), 'UTF8');",
            ]
            for piece in chunk {
                lines.append("/* \(shown):\(piece.line) */ EXECUTE \(preparedName)(\(piece.start - start + 1), \(piece.length)) \\gexec")
                lines += afterEach(piece)
            }
            lines += ["DEALLOCATE \(preparedName);", "\\unset sql"]
        }
        return lines
    }

    /// Where a file is under the script's `files` directory, as the Job mounts it.
    static func path(of file: MigrationFile) -> String {
        "\(file.phase.rawValue)/\(file.name)"
    }
}
