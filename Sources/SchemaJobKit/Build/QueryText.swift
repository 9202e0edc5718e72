import SQLSyntax

/// How migration files' statements reach the server: as query text, never read by
/// psql's lexer. psql reads a backslash anywhere outside quotes as a meta-command (a
/// shell command, a file written, the session ended) and replaces `:name` with its
/// variables, so a file that psql includes (`\i`) is code psql runs. Here psql only
/// loads a batch of files' bytes into a variable (one backtick, `cat` of the files by
/// name), sends them once as an escaped literal (`:'schemajob_text'`, which psql never
/// lexes again) in a prepared statement that cuts them into statements on the server,
/// and runs what comes back with `\gexec`: one statement at a time, cut where psql's own
/// splitter would cut it (by this project's lexer), so each statement runs alone as it
/// did under `\i` (a `CREATE INDEX CONCURRENTLY` outside a transaction block). Where the
/// statements are cut travels as data: one integer a statement (its length from the end
/// of its file's previous statement, so the comments before it travel with it) and a
/// count a file; the server adds them up into starts and counts newlines into lines
/// (`cut`), so the script grows by a few bytes a statement, not a line (and a set too large
/// for its scripts to hold even those keeps them in ConfigMaps of their own,
/// `StatementLengths`, read by one more backtick). Each statement
/// starts with its own place (`/* schema/NNN_name.sql:LINE */`); psql echoes a failed one
/// (`ECHO errors`, which the Job's script sets around the files) and migrate.sh reports
/// the error at that place.
///
/// The Job's script reads each phase as one batch (one process and one query for all
/// its files: a backtick starts a shell and `cat`, a few milliseconds each); the
/// replay reads each file as a batch of its own, and runs it a statement at a time.
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

    /// The name of the prepared statement that cuts the current batch's statements.
    static let preparedName = "schemajob_phase"
    /// The psql variable holding the current batch's bytes.
    static let variable = "schemajob_text"

    public static func pieces(of text: String) -> [Piece] {
        let tokens = SQLLexer.tokens(in: text)
        return pieces(tokens: tokens, statements: SQLLexer.statements(from: tokens))
    }

    /// The pieces of a file already lexed and split (`MigrationAnalysis` does both once).
    static func pieces(tokens: [SQLToken], statements: [SQLStatement]) -> [Piece] {
        var offsets: [Int] = []
        offsets.reserveCapacity(tokens.count + 1)
        var offset = 0
        // Each token's length read in place: `for token in tokens` copies every token,
        // retaining and releasing its text.
        tokens.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                offsets.append(offset)
                offset += buffer[index].text.utf8.count
            }
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

    /// The script lines that run one file on its own, read from `directory` (default its
    /// phase's) under the psql variable `files`. Without `afterEach` all its statements go
    /// through one `\gexec`; with it (lines after each statement's: the replay's
    /// snapshots) each statement has a `\gexec` of its own.
    public static func lines(
        running file: MigrationFile, pieces: [Piece]? = nil, in directory: String? = nil, afterEach: ((Piece) -> [String])? = nil
    ) -> [String] {
        let pieces = pieces ?? Self.pieces(of: file.text)
        guard !pieces.isEmpty else { return [] }
        let batch = Batch(
            [Batch.Member(file: file, pieces: pieces, digest: file.sha256, announced: false)],
            directory: directory ?? file.phase.rawValue, shownDirectory: file.phase.rawValue)
        var lines = batch.opening
        if let afterEach {
            for (index, piece) in pieces.enumerated() {
                lines += batch.execute(index + 1..<index + 2)
                lines += afterEach(piece)
            }
        } else {
            lines += batch.execute(1..<batch.rowCount + 1)
        }
        return lines + batch.closing
    }

    /// Files read by one backtick, checked by one query and sent from one prepared
    /// statement. Its rows, in order, are for each file its announcement (when it has
    /// one: a query that prints `  → NAME`, so the log names each file as it starts)
    /// and then its statements; `execute` runs a range of them.
    public struct Batch {
        public struct Member {
            var file: MigrationFile
            var pieces: [Piece]
            /// `file.sha256`, computed once by the caller (the ledger rows need it too).
            var digest: String
            /// Whether the rows start the file with its announcement.
            var announced: Bool
        }

        /// The longest command one backtick hands a shell: `sh -c` takes it as one
        /// argument, and Linux refuses an argument over 128 KiB. A batch whose names are
        /// longer is read by several backticks on the one `\set` line, which joins them.
        static let commandLimit = 100_000

        /// Where a batch's statement lengths are read from when the script does not hold
        /// them (`StatementLengths`): keys under `directory`, one line a member, and the
        /// digest of what psql holds once they are read (their bytes, one final newline
        /// dropped, as a backtick drops it).
        public struct LengthsOutside: Sendable {
            var keys: [String]
            var digest: String
        }

        let members: [Member]
        /// nil: the script holds the statement lengths (the cut query's array).
        let lengthsOutside: LengthsOutside?
        /// Where the files are, under the psql variable `files`.
        let directory: String
        /// The directory the places name (`schema` in `/* schema/NNN_name.sql:LINE */`).
        let shownDirectory: String
        /// The members of each backtick, in order; each backtick's output ends with a `.`
        /// (psql drops one final newline from a backtick's output: the last file's must stay).
        let reads: [Range<Int>]
        /// Where each member's bytes start in what the backticks read (from 1).
        let offsets: [Int]
        /// Bytes read: every file and a `.` after each backtick's.
        let length: Int
        /// The rows of each member (from 1; empty for a file with nothing to run): its
        /// announcement's, then its statements'.
        let rows: [Range<Int>]
        public let rowCount: Int

        public init(_ members: [Member], directory: String, shownDirectory: String, lengthsOutside: LengthsOutside? = nil) {
            self.members = members
            self.lengthsOutside = lengthsOutside
            self.directory = directory
            self.shownDirectory = shownDirectory
            var reads: [Range<Int>] = [], offsets: [Int] = [], rows: [Range<Int>] = []
            var readStart = 0, commandLength = 0, offset = 1, row = 0
            for (index, member) in members.enumerated() {
                let name = member.file.name.utf8.count + 1
                if index > readStart && commandLength + name > Self.commandLimit {
                    reads.append(readStart..<index)
                    readStart = index
                    commandLength = 0
                    offset += 1
                }
                commandLength += name
                offsets.append(offset)
                offset += member.file.bytes.count
                let count = member.pieces.count + (member.announced ? 1 : 0)
                rows.append(row + 1..<row + 1 + count)
                row += count
            }
            if readStart < members.count { reads.append(readStart..<members.count) }
            self.reads = reads
            self.offsets = offsets
            self.length = offset - 1 + (members.isEmpty ? 0 : 1)
            self.rows = rows
            self.rowCount = row
        }

        /// The rows of member `index`'s statements (after its announcement).
        public func statementRows(of index: Int) -> Range<Int> {
            rows[index].dropFirst(members[index].announced ? 1 : 0)
        }

        /// Reads the files, checks what was read and prepares the statement that cuts it.
        public var opening: [String] {
            // Names are ConfigMap keys (letters, digits, '-', '_', '.'), listed one by one
            // in the batch's order (never a glob): nothing for a shell to read but names.
            let commands = reads.map { read in
                "`cd :'files'/\(directory) && cat -- "
                    + members[read].map(\.file.name).joined(separator: " ") + " && printf .`"
            }
            // The lengths' keys are named by schemajob (`StatementLengths.key`), never by a file.
            let lengths = lengthsOutside.map { outside in
                ["\\set \(variable)_statements `cd :'files'/\(directory) && cat -- " + outside.keys.joined(separator: " ") + "`"]
            } ?? []
            return ["\\set \(variable) " + commands.joined(separator: " ")] + lengths + [
                check,
                "\\if :schemajob_read",
                "\\else",
                // The error names the file; DO's body is a literal no variable reaches,
                // so the message is made on the server and run by `\gexec`.
                "SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$', 'schemajob: ' || :'schemajob_unread' || "
                    + "' was not read whole (the shell could not read it, or the ConfigMap differs from the script)') \\gexec",
                "\\endif",
                cut,
                prepare,
            ]
        }

        public var closing: [String] {
            ["DEALLOCATE \(preparedName);", "\\unset \(variable)"] + (["starts", "lengths", "lines", "files"] + (lengthsOutside == nil ? [] : ["statements"])).map { "\\unset \(variable)_\($0)" }
        }

        /// Runs rows `rows` (from 1), each as a query of its own; nothing for no rows.
        /// The third argument says whether this psql prints every result of a query string
        /// (`printsEveryResult`), so a file's announcement may travel with the statement
        /// before it (`prepare`).
        public func execute(_ rows: Range<Int>) -> [String] {
            rows.isEmpty ? [] : ["EXECUTE \(preparedName)(\(rows.lowerBound), \(rows.upperBound - 1), \(Self.printsEveryResult)) \\gexec"]
        }

        /// psql 15 and later print the result of every statement of a query string
        /// (`SHOW_ALL_RESULTS`), an older one only the last; `VERSION_NUM` is the client's.
        static let printsEveryResult = ":VERSION_NUM >= 150000"

        /// Each file's bytes are checked against the digest computed at render time, so a
        /// file psql could not read (the shell failed, a ConfigMap out of step) fails the
        /// run loudly instead of running as nothing, naming the first file that differs;
        /// the length catches bytes after the last. Sets `schemajob_read` and
        /// `schemajob_unread` (the place of the first file that differs).
        var check: String {
            let names = textArray(members.map { "\(shownDirectory)/\($0.file.name)" })
            let starts = intArray(offsets), lengths = intArray(members.map(\.file.bytes.count))
            let digests = textArray(members.map(\.digest))
            let last = MigrationScript.sqlLiteral("\(shownDirectory)/\(members.last?.file.name ?? "")")
            // The bytes are a materialized CTE, made once: a plain subquery is pulled up,
            // and its `convert_to` of the whole phase was made again for every file's
            // digest (999 files, 32 MiB: 16 s).
            return "WITH f AS MATERIALIZED (SELECT convert_to(:'\(variable)', 'UTF8') AS bytes) "
                + "SELECT u = '' AS schemajob_read, u AS schemajob_unread FROM (SELECT coalesce("
                + "(SELECT d.place FROM unnest(\(names)::text[], \(starts)::int[], \(lengths)::int[], \(digests)::text[]) "
                + "WITH ORDINALITY AS d(place, start, length, digest, n) "
                + "WHERE sha256(substring(f.bytes FROM d.start FOR d.length)) <> decode(d.digest, 'hex') ORDER BY d.n LIMIT 1), "
                + "CASE WHEN octet_length(f.bytes) <> \(length) THEN \(last) END, "
                + (lengthsOutside.map { outside in
                    "CASE WHEN sha256(convert_to(:'\(variable)_statements', 'UTF8')) <> decode('\(outside.digest)', 'hex') THEN "
                        + MigrationScript.sqlLiteral("\(shownDirectory)/\(outside.keys.joined(separator: " "))") + " END, "
                } ?? "")
                + "'') AS u FROM f) AS c \\gset"
        }

        /// What each statement's row needs, made on the server from the compact arrays
        /// the script holds, and kept in psql variables (`\gset`) for `prepare`. The
        /// script holds one integer a statement, its length counted from where the
        /// file's previous statement ended (its leading comments and blank lines travel
        /// with it; the server skips them), and per file where it starts in what was
        /// read, how many statements it has and whether its rows start with an
        /// announcement. The server adds the lengths up for each statement's start and
        /// counts the newlines up to its end for the line psql would have named. Each
        /// stage is a materialized CTE of integer rows: the windows sort integers, never
        /// rows that hold the phase's bytes or a statement's.
        var cut: String {
            let counts = members.map(\.pieces.count)
            // Held by the script, or read from the keys: one line a file, its lengths
            // separated by commas (a file with no statements has an empty line).
            let lengths = lengthsOutside == nil
                ? intArray(Self.statementLengths(of: members).flatMap { $0 }) + "::int[]"
                : "array_remove(string_to_array(translate(:'\(variable)_statements', E'\\n', ','), ','), '')::int[]"
            let announced = "'{" + members.map { $0.announced ? "t" : "f" }.joined(separator: ",") + "}'"
            return "WITH b AS MATERIALIZED (SELECT convert_to(:'\(variable)', 'UTF8') AS bytes), "
                + "s AS MATERIALIZED (SELECT s.n, s.file, s.length, "
                + "((\(intArray(offsets))::int[])[s.file] + sum(s.length) OVER (PARTITION BY s.file ORDER BY s.n) - s.length)::int AS start "
                + "FROM unnest(\(lengths), (SELECT array_agg(c.file ORDER BY c.file) "
                + "FROM unnest(\(intArray(counts))::int[]) WITH ORDINALITY AS c(count, file), generate_series(1, c.count))) "
                + "WITH ORDINALITY AS s(length, file, n)), "
                // `escape` keeps a newline a newline, and needs no valid UTF-8.
                + "c AS MATERIALIZED (SELECT s.n, s.file, s.start, s.length, length(t.text) - length(replace(t.text, E'\\n', '')) AS newlines "
                + "FROM s, b, LATERAL encode(substring(b.bytes FROM s.start FOR s.length), 'escape') AS t(text)), "
                + "r AS (SELECT a.file, 0 AS n, 0 AS start, 0 AS length, 0 AS line "
                + "FROM unnest(\(announced)::boolean[]) WITH ORDINALITY AS a(announced, file) WHERE a.announced "
                + "UNION ALL SELECT c.file, c.n, c.start, c.length, 1 + sum(c.newlines) OVER (PARTITION BY c.file ORDER BY c.n) FROM c) "
                + "SELECT coalesce(array_agg(r.start ORDER BY r.file, r.n), '{}') AS \(variable)_starts, "
                + "coalesce(array_agg(r.length ORDER BY r.file, r.n), '{}') AS \(variable)_lengths, "
                + "coalesce(array_agg(r.line ORDER BY r.file, r.n), '{}') AS \(variable)_lines, "
                + "coalesce(array_agg(r.file ORDER BY r.file, r.n), '{}') AS \(variable)_files FROM r \\gset"
        }

        /// Each member's statement lengths, each counted from where the file's previous
        /// statement ended (the first from the file's start).
        static func statementLengths(of members: [Member]) -> [[Int]] {
            members.map { member in
                var end = 0
                return member.pieces.map { piece in
                    let pieceEnd = piece.start - 1 + piece.length
                    defer { end = pieceEnd }
                    return pieceEnd - end
                }
            }
        }

        /// The prepared statement that yields rows `$1 ... $2`, in order: an
        /// announcement, or a statement led by its place. The bytes are made once (a
        /// materialized CTE) and cut by byte offsets: the same offsets on every server
        /// encoding. With `$3` (a psql that prints every result of a query string) a file's
        /// announcement travels with the statement before it in the range, after it on a
        /// line of its own (`…;\n;SELECT '  → 002_b.sql'`), and its own row is null, which
        /// `\gexec` skips: one round trip less a file, the log as it was. An error in that
        /// statement stops the query string before the announcement, as it stopped the
        /// script, and psql's context line for it (`LINE n:`) is the statement's own. The
        /// `;` ends a statement whose file ends in a comment without one. Both statements
        /// run in the transaction: a file that runs outside it is never announced and has
        /// an `EXECUTE` of its own, so neither its statements nor the next file's
        /// announcement share a query string.
        var prepare: String {
            // The arrays are `f`'s too, so the rows are made from `f`'s one row (a lateral
            // function scan, `f` read once) and nothing is joined: a plan that read `f`
            // once a row, or sorted rows that hold it, would handle the phase's bytes once
            // a statement. The arrays are `cut`'s variables: digits and commas.
            // Row n, an announcement, travels with row n - 1 when both are in the range and
            // n - 1 is a statement; an element of the arrays (integers, no nulls) is read in
            // place.
            "PREPARE \(preparedName)(int, int, boolean) AS WITH f AS MATERIALIZED (SELECT convert_to(:'\(variable)', 'UTF8') AS bytes, "
                + "\(textArray(members.map(\.file.name)))::text[] AS names, :'\(variable)_starts'::int[] AS starts, "
                + ":'\(variable)_lengths'::int[] AS lengths, :'\(variable)_lines'::int[] AS lines, :'\(variable)_files'::int[] AS files) "
                + "SELECT CASE WHEN p.length = 0 THEN CASE WHEN $3 AND p.n > $1 AND f.lengths[p.n - 1] > 0 THEN NULL "
                + "ELSE 'SELECT ''  → ' || f.names[p.file] || '''' END "
                + "ELSE '/* \(shownDirectory)/' || f.names[p.file] || ':' || p.line || ' */ ' || convert_from(substring(f.bytes FROM p.start FOR p.length), 'UTF8') "
                + "|| CASE WHEN $3 AND p.n < $2 AND f.lengths[p.n + 1] = 0 THEN E'\\n;SELECT ''  → ' || f.names[f.files[p.n + 1]] || '''' ELSE '' END END "
                + "FROM f, unnest(f.starts, f.lengths, f.lines, f.files) WITH ORDINALITY AS p(start, length, line, file, n) "
                + "WHERE p.n BETWEEN $1 AND $2 ORDER BY p.n;"
        }

        func intArray(_ values: [Int]) -> String {
            var text = "'{"
            text.reserveCapacity(values.count * 7 + 3)
            for (index, value) in values.enumerated() {
                if index > 0 { text.append(",") }
                text.append(String(value))
            }
            return text + "}'"
        }

        /// Names and hex digests: nothing in them for an array literal to quote but the
        /// quotes that keep a name such as `null` a name.
        func textArray(_ values: [String]) -> String {
            "'{" + values.map { "\"\($0)\"" }.joined(separator: ",") + "}'"
        }
    }
}
