/// The SQL statements inside a `DO $$ … $$` body, and whether each is guarded.
///
/// A DO block runs when the file runs, so the DDL in it must be idempotent like any
/// other. PostgreSQL has no IF NOT EXISTS for constraints or types; the usual way
/// round is a DO block that checks first. This reads enough PL/pgSQL structure
/// (IF/ELSIF/ELSE, BEGIN/EXCEPTION/END, loops, CASE) to tell a guarded statement
/// from an unguarded one, and leaves everything else to PostgreSQL.
package enum ProceduralBody {
    package struct Statement {
        /// The statement without the control-flow words before it (`IF … THEN`),
        /// positioned in the enclosing file.
        package var statement: SQLStatement
        /// The statement's view (`StatementView(statement.significantTokens)`), made once
        /// for every rule family that reads it.
        package var view: StatementView
        /// Every token of the piece the statement came from, for its comments.
        package var surroundingTokens: ArraySlice<SQLToken>
        /// Inside an IF whose condition checks for existence, or a block with an
        /// EXCEPTION handler: running it again is the guard's business.
        package var isGuarded: Bool
        /// Runs whenever the body does: every enclosing frame is a plain block or an
        /// existence check (a DROP there is the first half of the replace idiom).
        package var runsEveryTime: Bool
    }

    /// The body of the dollar-quoted token, lexed again.
    package static func statements(in body: SQLToken) -> [Statement] {
        guard let (text, line, column) = body.dollarBody else { return [] }
        let tokens = SQLLexer.tokens(in: text, line: line, column: column)
        var reader = Reader()
        for piece in SQLLexer.statements(from: tokens) {
            reader.read(piece)
        }
        return reader.finish()
    }

    private struct Frame {
        enum Kind { case block, handler, conditional, loop, caseStatement }
        var kind: Kind
        var checksExistence = false
        var hasHandler = false
    }

    private struct Reader {
        var frames: [Frame] = []
        var open: [Int] = []
        var found: [(statement: SQLStatement, view: StatementView, tokens: ArraySlice<SQLToken>, enclosing: [Int])] = []

        mutating func push(_ kind: Frame.Kind, checksExistence: Bool = false) {
            frames.append(Frame(kind: kind, checksExistence: checksExistence))
            open.append(frames.count - 1)
        }

        /// One piece ends at a `;`; control-flow words at its start open or close
        /// frames, and what follows them, if anything, is a statement.
        mutating func read(_ piece: SQLStatement) {
            let view = StatementView(piece.significantTokens)
            var position = 0
            while position < view.count {
                if view.isPunctuation(position, "<<") {
                    position += 3  // <<label>>
                    continue
                }
                switch view.keyword(position) {
                case "DECLARE", "ELSE":
                    position += 1
                case "BEGIN":
                    push(.block)
                    position += 1
                case "EXCEPTION":
                    if let top = open.last, frames[top].kind == .block {
                        frames[top].hasHandler = true
                        open.removeLast()
                        push(.handler)
                    }
                    position += 1
                case "WHEN":
                    position = (view.firstTopLevel("THEN", from: position + 1) ?? view.count - 1) + 1
                case "IF":
                    let then = view.firstTopLevel("THEN", from: position + 1) ?? view.count
                    push(.conditional, checksExistence: Self.checksExistence(view, position + 1..<then))
                    position = then + 1
                case "ELSIF", "ELSEIF":
                    let then = view.firstTopLevel("THEN", from: position + 1) ?? view.count
                    if let top = open.last, frames[top].kind == .conditional {
                        frames[top].checksExistence = frames[top].checksExistence
                            || Self.checksExistence(view, position + 1..<then)
                    }
                    position = then + 1
                case "LOOP":
                    push(.loop)
                    position += 1
                case "FOR", "FOREACH", "WHILE":
                    push(.loop)
                    position = (view.firstTopLevel("LOOP", from: position + 1) ?? view.count - 1) + 1
                case "CASE":
                    push(.caseStatement)
                    position = view.firstTopLevel("WHEN", from: position + 1) ?? view.count
                case "END":
                    if !open.isEmpty { open.removeLast() }
                    return
                default:
                    if !view.isPunctuation(position, ";") {
                        let tokens = piece.tokenSlice
                        // No two tokens of a piece start at the same place: found by where it
                        // starts, not by comparing whole tokens (their text) one by one.
                        let first = view.tokens[position]
                        let start = tokens.firstIndex { $0.line == first.line && $0.column == first.column } ?? tokens.startIndex
                        let statement = piece.suffix(from: start)
                        found.append((statement, StatementView(statement.significantTokens), tokens, open))
                    }
                    return
                }
            }
        }

        /// A condition that asks whether something exists: `EXISTS (…)`, a lookup in
        /// the catalogs (`pg_constraint`, `information_schema`), `to_regclass(…)`,
        /// or `FOUND` after a PERFORM that did such a lookup.
        static func checksExistence(_ view: StatementView, _ range: Range<Int>) -> Bool {
            range.clamped(to: 0..<view.count).contains { index in
                let token = view.tokens[index]
                // A word of ASCII letters is compared in place, upper-cased byte by byte: no
                // folded copy of every word of the condition. Quoted names and other text
                // take Unicode's case mapping, as before.
                if token.kind == .word, let asciiMatch = Self.asciiChecksExistence(token.text) { return asciiMatch }
                guard let word = view.identifier(index)?.uppercased() else { return false }
                return word == "EXISTS" || word == "FOUND" || word == "INFORMATION_SCHEMA"
                    || word.hasPrefix("PG_") || word.hasPrefix("TO_REG")
            }
        }

        static let existenceWords: [[UInt8]] = ["EXISTS", "FOUND", "INFORMATION_SCHEMA"].map { Array($0.utf8) }
        static let existencePrefixes: [[UInt8]] = ["PG_", "TO_REG"].map { Array($0.utf8) }

        /// `checksExistence` for one unquoted word, when every byte of it is ASCII (nil
        /// otherwise): lower-casing then upper-casing ASCII is upper-casing it.
        static func asciiChecksExistence(_ text: String) -> Bool? {
            var text = text
            return text.withUTF8 { bytes -> Bool? in
                if bytes.contains(where: { $0 >= 0x80 }) { return nil }
                func spells(_ word: [UInt8], whole: Bool) -> Bool {
                    guard whole ? bytes.count == word.count : bytes.count >= word.count else { return false }
                    return word.indices.allSatisfy { bytes[$0].asciiUppercased == word[$0] }
                }
                return existenceWords.contains { spells($0, whole: true) } || existencePrefixes.contains { spells($0, whole: false) }
            }
        }

        func finish() -> [Statement] {
            found.map { entry in
                let guarded = entry.enclosing.contains { index in
                    let frame = frames[index]
                    return (frame.kind == .conditional && frame.checksExistence)
                        || (frame.kind == .block && frame.hasHandler)
                }
                let everyTime = entry.enclosing.allSatisfy { index in
                    let frame = frames[index]
                    return frame.kind == .block || (frame.kind == .conditional && frame.checksExistence)
                }
                return Statement(
                    statement: entry.statement, view: entry.view, surroundingTokens: entry.tokens, isGuarded: guarded,
                    runsEveryTime: everyTime)
            }
        }
    }
}
