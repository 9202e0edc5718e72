import SQLSyntax

/// Statements that reach outside the database: a psql meta-command, a program or a file
/// on the server's machine, another server, or the session's identity and settings.
///
/// A pull request's files are untrusted input (docs/security.md). What the migration
/// itself would run is an error that no `schemajob:allow` silences, and every run path
/// refuses a file it finds something in, `--no-lint` or not (`RunSafety`): a top-level
/// statement, a DO block's statements and the strings such a body hands to EXECUTE, and
/// a call, anywhere the migration runs, of a function of the same set whose body holds
/// one (`refusedCalls`). What is only stored, in a function's or procedure's body or in
/// a string literal, runs when someone calls it later, as whoever calls it: that is a
/// warning naming where it would run (`stored-escape`), and PostgreSQL's privileges are
/// the wall then (a plain role cannot LOAD a library outside `$libdir/plugins`, nor read
/// the server's files). SQL assembled at run time (`'pg_read_' || 'file'`) is not read:
/// on its own scratch server `test` runs the files as a role that is no superuser, so
/// PostgreSQL itself refuses what a lexical rule cannot see.
enum EscapeRules {
    /// A function or procedure a statement stores, with what its body would do when run.
    struct StoredRoutine: Sendable {
        /// The name's last part, as PostgreSQL folds it: calls are matched on it.
        var name: String
        /// `function prom_api.maintenance`, for messages.
        var described: String
        /// What the body would do, as the findings a run of it would draw.
        var escapes: [Finding] = []
        /// Names (last parts) the body calls.
        var calls: Set<String> = []
    }

    /// A name followed by `(` where the migration runs it.
    struct Call: Sendable {
        var name: String
        var written: String
        var location: SourceLocation
    }

    /// What the rules read from one statement.
    struct Result: Sendable {
        /// Refusals (what the run would do) and `stored-escape` warnings.
        var findings: [Finding] = []
        var routines: [StoredRoutine] = []
        var calls: [Call] = []
    }

    /// Where the tokens being read would run.
    enum Storage {
        /// With the migration: a top-level statement, a DO body, what it EXECUTEs.
        case runs
        /// In the body of `routines[index]`.
        case routine(Int)
        /// In a string literal of a statement that does not run it.
        case literal
    }

    /// Findings for one statement of a file, its bodies included.
    /// `view` is the statement's own (one view per statement); `lexedBodies` holds, by
    /// their index in it, the dollar bodies the caller has lexed already (a DO block's).
    ///
    /// Without `tracksCalls` the result has no `calls` and its routines no `calls`, and a
    /// body or string that `mayHoldEscape` clears is not lexed at all: the findings and
    /// each routine's `escapes` are the same either way. The calls matter only when some
    /// routine of the set stores an escape (`refusedCalls`), which the first pass tells.
    static func findings(
        _ view: StatementView, verb: Verb.Read, path: String, lexedBodies: [Int: [ProceduralBody.Statement]] = [:],
        tracksCalls: Bool = true
    ) -> Result {
        var result = Result()
        if let meta = view.tokens.first, meta.kind == .psqlMeta {
            result.findings = [metaCommand(meta, path: path)]
            return result
        }
        check(view, verb: verb, path: path, place: nil, depth: 0, storage: .runs, lexedBodies: lexedBodies, tracksCalls: tracksCalls,
              into: &result)
        return result
    }

    static func metaCommand(_ token: SQLToken, path: String) -> Finding {
        let name = token.text.prefix { !$0.isWhitespace }
        let what = name == "\\;" || name == "\\:"
            ? "psql's \(name) (psql syntax, not SQL)"
            : "psql meta-command \(name)"
        return Finding(
            .psqlMetaCommand, at: SourceLocation(path: path, line: token.line, column: token.column),
            "\(what) in a migration file")
    }

    /// How far bodies inside bodies are read (a DO block's EXECUTE of a string that
    /// holds a DO block, …): far enough for every real file, bounded for a crafted one.
    static let maximumDepth = 4

    /// `place` is where a finding is reported when the tokens come from a string
    /// constant, whose decoded text has positions of its own.
    /// `verb` is the view's (`Verb.read`), read once by the caller.
    static func check(_ view: StatementView, verb: Verb.Read, path: String, place: SourceLocation?, depth: Int, storage: Storage,
                      lexedBodies: [Int: [ProceduralBody.Statement]] = [:], tracksCalls: Bool = true, into result: inout Result) {
        var storage = storage
        // A CREATE FUNCTION or PROCEDURE the migration runs stores its body: only its
        // language is the run's business (a C function's library is loaded as it is created).
        let statementStorage = storage
        if case .runs = storage, verb.folded == .create, let routine = storedRoutine(view) {
            result.routines.append(routine)
            storage = .routine(result.routines.count - 1)
        }
        func report(_ storage: Storage, _ rule: LintRule, _ index: Int, _ message: String) {
            let at = place ?? view.location(index, path: path)
            switch storage {
            case .runs:
                result.findings.append(Finding(rule, at: at, message))
            case .routine(let routine):
                result.routines[routine].escapes.append(Finding(rule, at: at, message))
                result.findings.append(Finding(
                    .storedEscape, at: at,
                    "\(message) [\(rule.id)], stored in the body of \(result.routines[routine].described): it runs when that is called, never by the migration itself"))
            case .literal:
                result.findings.append(Finding(
                    .storedEscape, at: at,
                    "\(message) [\(rule.id)], inside a string literal: it runs only if something executes the string"))
            }
        }
        // Most statements start with none of the words `checkStatement` looks at.
        switch verb.keyword {
        case .copy, .alter, .load, .set, .reset, .discard, .do, .create, .import:
            checkStatement(view, verb: verb) { report(statementStorage, $0, $1, $2) }
        default:
            break
        }
        checkCalls(view) { report(storage, $0, $1, $2) }
        if tracksCalls { collectCalls(view, verb: verb, path: path, place: place, storage: storage, into: &result) }
        guard depth < maximumDepth else { return }
        let readsStrings = depth > 0 || Self.isRoutineOrDO(view, verb: verb)
        // A top-level statement that neither defines a routine nor is a DO block runs no
        // dollar-quoted text: it is a literal. Inside a body, a string may be EXECUTEd.
        let innerStorage: Storage = depth == 0 && !readsStrings ? .literal : storage
        // A literal's calls are never collected; without `tracksCalls`, nobody's are.
        let bodiesOnlyForEscapes: Bool
        if case .literal = innerStorage { bodiesOnlyForEscapes = true } else { bodiesOnlyForEscapes = !tracksCalls }
        // By index: a token is copied (its text retained) only when it is a string.
        for index in view.tokens.indices {
            let kind = view.tokens[index].kind
            guard kind == .dollarString || (kind == .string && readsStrings) else { continue }
            let token = view.tokens[index]
            if kind == .dollarString {
                if lexedBodies[index] == nil && bodiesOnlyForEscapes && !Self.mayHoldEscape(token.text) { continue }
                for inner in lexedBodies[index] ?? ProceduralBody.statements(in: token) {
                    check(inner.view, verb: Verb.read(inner.view), path: path, place: place, depth: depth + 1,
                          storage: innerStorage, tracksCalls: tracksCalls, into: &result)
                }
            } else if let text = Self.decodedString(token.text),
                tracksCalls ? Self.mayHoldStatement(text) : Self.mayHoldEscape(text)
            {
                let at = place ?? SourceLocation(path: path, line: token.line, column: token.column)
                for inner in SQLLexer.statements(in: text) {
                    if let meta = inner.significantTokens.first, meta.kind == .psqlMeta { continue }
                    let innerView = StatementView(inner.significantTokens)
                    check(innerView, verb: Verb.read(innerView), path: path, place: at, depth: depth + 1, storage: storage,
                          tracksCalls: tracksCalls, into: &result)
                }
            }
        }
    }

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE name(`: the routine it stores.
    static func storedRoutine(_ view: StatementView) -> StoredRoutine? {
        guard view.isKeyword(0, "CREATE") else { return nil }
        var index = 1
        if view.matches(index, "OR", "REPLACE") { index += 2 }
        guard view.isUpperCasedKeyword(index, anyOf: routineWords), let (parts, _) = view.qualifiedName(index + 1),
            let name = parts.last
        else { return nil }
        return StoredRoutine(name: name, described: "\(view.keyword(index)!.lowercased()) \(parts.joined(separator: "."))")
    }

    /// Every `name(` of tokens that run: a call, or a use (a trigger's EXECUTE FUNCTION,
    /// a default, an index expression) that runs the function when the statement does.
    /// In a body, the names it calls.
    static func collectCalls(_ view: StatementView, verb: Verb.Read, path: String, place: SourceLocation?, storage: Storage,
                             into result: inout Result) {
        if case .literal = storage { return }
        if case .runs = storage, namesRoutinesOnly(view, verb: verb) { return }
        // One call per name and statement is enough to name it: a fixture's thousand
        // `now()`s in one INSERT are kept once.
        var seen: Set<String> = []
        for index in 0..<view.count where view.isPunctuation(index + 1, UInt8(ascii: "(")) {
            let token = view.tokens[index]
            guard token.kind == .word || token.kind == .quotedIdentifier, let name = view.identifier(index) else { continue }
            switch storage {
            case .runs:
                guard seen.insert(name).inserted else { continue }
                result.calls.append(Call(name: name, written: token.text, location: place ?? view.location(index, path: path)))
            case .routine(let routine):
                result.routines[routine].calls.insert(name)
            case .literal:
                break
            }
        }
    }

    /// GRANT, REVOKE, COMMENT ON, DROP and ALTER FUNCTION name a routine by its
    /// signature (`setting(text)`) and never run it.
    static func namesRoutinesOnly(_ view: StatementView, verb: Verb.Read) -> Bool {
        switch verb.keyword {
        case .grant, .revoke, .comment, .drop, .security: return true
        default: return verb.folded == .alter && view.isKeyword(1, oneOf: ["FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE"])
        }
    }

    /// The calls, where the migration runs, of a routine of the set whose body (or a
    /// routine it calls, however deep) holds what the run would refuse: refused too,
    /// naming the call and the body's place.
    /// The routines and calls are read where they lie (each file's summary), not copied
    /// into one list: on a large set they are a good part of the analysis's memory.
    static func refusedCalls<Routines: Collection<StoredRoutine>, Calls: Sequence<Call>>(routines: Routines, calls: Calls) -> [Finding] {
        // name → the stored finding the call would run, and the routine it goes through.
        var reached: [String: (escape: Finding, through: String?)] = [:]
        for routine in routines {
            guard let escape = routine.escapes.min(by: Finding.precedes) else { continue }
            if let known = reached[routine.name], Finding.precedes(known.escape, escape) { continue }
            reached[routine.name] = (escape, nil)
        }
        var grew = !reached.isEmpty
        while grew {
            grew = false
            for routine in routines where reached[routine.name] == nil {
                guard let callee = routine.calls.sorted().first(where: { reached[$0] != nil }) else { continue }
                reached[routine.name] = (reached[callee]!.escape, callee)
                grew = true
            }
        }
        guard !reached.isEmpty else { return [] }
        return calls.compactMap { call in
            guard let (escape, through) = reached[call.name], let rule = escape.lintRule else { return nil }
            let place = "\(escape.location.path):\(escape.location.line ?? 0)"
            let path = through.map { " (\(call.written) reaches it through \($0))" } ?? ""
            return Finding(rule, at: call.location,
                           "\(call.written)(…) runs, in the migration, what a body of this set stores at \(place): \(escape.message)\(path)")
        }
    }

    static let routineWords = Keywords(["FUNCTION", "PROCEDURE"])

    static func isRoutineOrDO(_ view: StatementView, verb: Verb.Read) -> Bool {
        verb.folded == .do
            || (verb.folded == .create
                && (1..<min(view.count, 4)).contains { view.depths[$0] == 0 && view.isUpperCasedKeyword($0, anyOf: routineWords) })
    }

    /// The text of a string constant (`'…'`, `E'…'`), quotes undoubled; nil for bit,
    /// hex and Unicode-escape strings, which hold no SQL worth reading.
    static func decodedString(_ text: String) -> String? {
        let quote = UInt8(ascii: "'")
        var body = Substring(text).utf8
        if body.first == UInt8(ascii: "E") || body.first == UInt8(ascii: "e") { body = body.dropFirst() }
        guard body.first == quote, body.count >= 2 else { return nil }
        body = body.dropFirst()
        if body.last == quote { body = body.dropLast() }
        // Quotes undoubled over the bytes (a quote is one byte in UTF-8, never inside
        // another character's), without Foundation's search.
        var decoded: [UInt8] = []
        decoded.reserveCapacity(body.count)
        var previousWasQuote = false
        for byte in body {
            if byte == quote && previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = byte == quote
            decoded.append(byte)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Whether a string literal inside a body could, read as SQL, draw anything from
    /// `check`: a statement these rules look at starts with one of `statementStarts`,
    /// and a call needs `(`. A string without either (`'done'`, `' closed at '`, a
    /// constraint's name) is not lexed at all. Every keyword the lexer could find in the
    /// text, nested strings and bodies included (their text is part of this one), is a
    /// whole run of ASCII letters here, so runs of letters are the words compared; text
    /// with other than ASCII is always lexed, as Unicode case mapping is the lexer's call.
    static let statementStarts = ["copy", "alter", "load", "set", "reset", "discard", "do", "create", "import"]

    static func mayHoldStatement(_ text: String) -> Bool {
        LetterRuns.scan(text, stopsAtParenthesis: true)
    }

    /// Whether text (a body, a string) could, lexed and read by `check`, draw a finding
    /// (its calls aside): a statement these rules look at starts with one of
    /// `statementStarts`; a watched function's name starts `lo_`, `pg_`, `dblink` or
    /// `set_config` (whose `set` is a statement start); a quoted name could spell any of
    /// them. Exact in the same way as `mayHoldStatement`: every word the lexer could find
    /// starts a run of ASCII letters here, and text with other than ASCII is always read.
    static func mayHoldEscape(_ text: String) -> Bool {
        LetterRuns.scan(text, stopsAtParenthesis: false)
    }

    /// The two first looks above, over the bytes: each run of ASCII letters is packed,
    /// lower-cased, into an integer (its first 8 letters), so a word is compared without
    /// a string made for it.
    enum LetterRuns {
        static func packed(_ word: String) -> UInt64 {
            word.utf8.reduce(0) { $0 << 8 | UInt64($1) }
        }
        static let starts = statementStarts.map(packed)
        static let dblink = packed("dblink")
        static let lo = packed("lo"), pg = packed("pg")

        /// With `stopsAtParenthesis`, `(` (a call) is a reason to read, as is any watched
        /// statement word; without, a watched name or a quoted name is.
        static func scan(_ text: String, stopsAtParenthesis: Bool) -> Bool {
            // The tables read once, not a lazy global's check per word.
            let starts = Self.starts, dblink = Self.dblink, lo = Self.lo, pg = Self.pg
            var text = text
            return text.withUTF8 { bytes in
                // The run under way lives inside the closure: captured from outside it, it
                // would be boxed and checked for exclusive access at every word's end.
                var word: UInt64 = 0, length = 0
                func endsWatched() -> Bool {
                    defer { word = 0; length = 0 }
                    if !stopsAtParenthesis && length >= 6 && (word >> (8 * UInt64(min(length, 8) - 6))) == dblink { return true }
                    return (2...7).contains(length) && starts.contains(word)
                }
                for byte in bytes {
                    switch byte {
                    case 0x80...:
                        return true
                    case UInt8(ascii: "("):
                        if stopsAtParenthesis { return true }
                        if endsWatched() { return true }
                    case UInt8(ascii: "\""):
                        if !stopsAtParenthesis { return true }
                        if endsWatched() { return true }
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                        if length < 8 { word = word << 8 | UInt64(byte | 0x20) }
                        length += 1
                    case UInt8(ascii: "_") where !stopsAtParenthesis && length == 2 && (word == lo || word == pg):
                        return true
                    default:
                        if endsWatched() { return true }
                    }
                }
                return endsWatched()
            }
        }
    }

    // MARK: Statements

    static func checkStatement(_ view: StatementView, verb: Verb.Read, report: (LintRule, Int, String) -> Void) {
        switch verb.keyword {
        case .copy:
            checkCopy(view, report: report)
        case .alter where view.isKeyword(1, "SYSTEM"):
            report(.alterSystem, 0, "ALTER SYSTEM changes the server's configuration file, for every database on it")
        case .load:
            report(.untrustedLanguage, 0, "LOAD loads a shared library into the server process")
        case .set, .reset:
            checkSessionIdentity(view, report: report)
        case .discard where view.isKeyword(1, "ALL"):
            report(.resetAll, 0, "DISCARD ALL resets the run's session settings (its lock timeout, its role)")
        case .do:
            if let language = view.firstTopLevel(["LANGUAGE"], in: 1..<view.count) {
                checkLanguage(view, at: language + 1, report: report)
            }
        case .create:
            checkCreate(view, report: report)
        case .import where view.isKeyword(1, "FOREIGN"):
            report(.remoteConnection, 0, "IMPORT FOREIGN SCHEMA reads tables of another server")
        default:
            break
        }
    }

    /// `COPY … FROM|TO PROGRAM`, `… 'file'`, `… FROM STDIN`. `TO STDOUT` only prints.
    static func checkCopy(_ view: StatementView, report: (LintRule, Int, String) -> Void) {
        guard let direction = view.firstTopLevel(["FROM", "TO"], in: 1..<view.count) else { return }
        let from = view.isKeyword(direction, "FROM")
        let target = direction + 1
        if view.isKeyword(target, "PROGRAM") {
            report(.copyProgram, target, "COPY \(from ? "FROM" : "TO") PROGRAM runs a shell command on the database server")
        } else if target < view.count, view.tokens[target].kind == .string {
            report(.copyServerFile, target, "COPY \(from ? "FROM" : "TO") \(view.tokens[target].text) \(from ? "reads" : "writes") a file on the database server")
        } else if from && view.isKeyword(target, "STDIN") {
            report(.copyFromStdin, direction, "COPY … FROM STDIN reads its rows from psql's input, which in a run is not this file")
        }
    }

    /// `SET [SESSION|LOCAL] ROLE`, `SET SESSION AUTHORIZATION`, their RESETs, and `RESET ALL`.
    static func checkSessionIdentity(_ view: StatementView, report: (LintRule, Int, String) -> Void) {
        var index = 1
        if view.isKeyword(0, "SET"), view.isKeyword(index, oneOf: ["SESSION", "LOCAL"]), !view.isKeyword(index + 1, "AUTHORIZATION") {
            index += 1
        }
        if view.isKeyword(index, "ROLE") || view.matches(index, "SESSION", "AUTHORIZATION") {
            let verb = view.keyword(0) ?? "SET"
            report(.setRole, 0, "\(verb) \(view.isKeyword(index, "ROLE") ? "ROLE" : "SESSION AUTHORIZATION") changes who the rest of the run acts as")
        } else if view.identifier(index) == "standard_conforming_strings" {
            report(.standardConformingStrings, index, "\(view.keyword(0) ?? "SET") standard_conforming_strings changes where a string with a backslash ends")
        } else if view.isKeyword(0, "RESET"), view.isKeyword(1, "ALL") {
            report(.resetAll, 0, "RESET ALL resets the run's session settings (its lock timeout, its statement timeout)")
        }
    }

    static let languageModifiers = Keywords(["TRUSTED", "PROCEDURAL"])

    static func checkCreate(_ view: StatementView, report: (LintRule, Int, String) -> Void) {
        var index = 1
        if view.matches(index, "OR", "REPLACE") { index += 2 }
        while view.isUpperCasedKeyword(index, anyOf: languageModifiers) { index += 1 }
        switch view.keyword(index) {
        case "LANGUAGE":
            report(.untrustedLanguage, index, "CREATE LANGUAGE installs a procedural language in the server")
        case "FUNCTION", "PROCEDURE":
            if let language = view.firstTopLevel(["LANGUAGE"], in: index + 1..<view.count) {
                checkLanguage(view, at: language + 1, report: report)
            }
        case "EXTENSION":
            var name = index + 1
            if view.matches(name, "IF", "NOT", "EXISTS") { name += 3 }
            guard let extensionName = view.identifier(name) else { return }
            if isUntrustedLanguage(extensionName) {
                report(.untrustedLanguage, name, "CREATE EXTENSION \(extensionName) installs an untrusted language, whose functions run as the server's operating-system user")
            } else if remoteExtensions.contains(extensionName) {
                report(.remoteConnection, name, "CREATE EXTENSION \(extensionName) lets SQL connect to other servers")
            } else if fileExtensions.contains(extensionName) {
                report(.serverFileFunction, name, "CREATE EXTENSION \(extensionName) lets SQL read or write files on the database server")
            }
        case "TABLESPACE":
            report(.serverFileFunction, index, "CREATE TABLESPACE puts data in a directory of the server's machine")
        case "SERVER", "FOREIGN":
            report(.remoteConnection, index, "CREATE \(view.keyword(index) ?? "") defines a connection to another server")
        case "USER" where view.isKeyword(index + 1, "MAPPING"):
            report(.remoteConnection, index, "CREATE USER MAPPING stores credentials for another server")
        default:
            break
        }
    }

    /// The language name at `index` (a word, a quoted name or a string: all three are accepted).
    static func checkLanguage(_ view: StatementView, at index: Int, report: (LintRule, Int, String) -> Void) {
        guard index < view.count else { return }
        let token = view.tokens[index]
        let name: String? = token.kind == .string ? decodedString(token.text)?.lowercased() : view.identifier(index)
        guard let name, isUntrustedLanguage(name) else { return }
        report(.untrustedLanguage, index, "LANGUAGE \(name) is untrusted: its code runs as the server's operating-system user, outside the database")
    }

    static func isUntrustedLanguage(_ name: String) -> Bool {
        // C and internal load server code; PostgreSQL names an untrusted PL with a final `u`
        // (plperlu, plpython3u, pltclu), and a few that are only untrusted lack it.
        name == "c" || name == "internal" || ["plsh", "plr", "pljava"].contains(name)
            || (name.hasPrefix("pl") && name.hasSuffix("u"))
    }

    static let remoteExtensions: Set<String> = ["dblink", "postgres_fdw", "mysql_fdw", "oracle_fdw", "tds_fdw", "mongo_fdw", "odbc_fdw", "jdbc_fdw", "redis_fdw"]
    static let fileExtensions: Set<String> = ["file_fdw", "adminpack", "pg_file_system", "multicorn"]

    // MARK: Function calls

    /// Server functions that read or list the server's files (pg_read_server_files and
    /// superuser territory), write them (adminpack), or move large objects to and from them.
    static let fileFunctions: Set<String> = [
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir", "pg_ls_waldir",
        "pg_ls_archive_statusdir", "pg_ls_tmpdir", "pg_ls_logicalsnapdir", "pg_ls_logicalmapdir",
        "pg_ls_replslotdir", "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync", "pg_logdir_ls",
    ]

    /// A name followed by `(`: a call (or a function's definition, which no migration
    /// needs for these names either).
    static func checkCalls(_ view: StatementView, report: (LintRule, Int, String) -> Void) {
        // `(` by the token's one-byte mark, read in place: this runs over every token.
        let open = UInt8(ascii: "(")
        for index in 0..<max(view.count - 1, 0) where view.tokens[index + 1].mark == open {
            let kind = view.tokens[index].kind
            guard kind == .word || kind == .quotedIdentifier, Self.mayBeWatched(view.tokens[index]) else { continue }
            guard let name = view.identifier(index) else { continue }
            if name == "lo_import" || name == "lo_export" {
                report(.largeObjectFile, index, "\(name) \(name == "lo_import" ? "reads" : "writes") a file on the database server")
            } else if fileFunctions.contains(name) {
                report(.serverFileFunction, index, "\(name) reaches the database server's files")
            } else if name.hasPrefix("dblink") {
                report(.remoteConnection, index, "\(name) connects to another server (or this one, as someone else)")
            } else if name == "set_config", index + 2 < view.count, view.tokens[index + 2].kind == .string,
                let setting = decodedString(view.tokens[index + 2].text)?.lowercased(),
                setting == "role" || setting == "session_authorization" || setting == "standard_conforming_strings"
            {
                if setting == "standard_conforming_strings" {
                    report(.standardConformingStrings, index, "set_config('\(setting)', …) changes where a string with a backslash ends")
                } else {
                    report(.setRole, index, "set_config('\(setting)', …) changes who the rest of the run acts as")
                }
            }
        }
    }

    /// A cheap first look at the bytes, so the common word (a column, a table, a keyword)
    /// costs no lower-cased copy: every watched name starts `lo_`, `pg_`, `dblink` or
    /// `set_config`, and is at least 6 bytes long. Lower-casing maps an ASCII letter to
    /// ASCII, so a word whose first three bytes are ASCII and spell none of those starts
    /// is no watched name, whatever follows; other words are looked at closely.
    static func mayBeWatched(_ token: SQLToken) -> Bool {
        if token.kind == .quotedIdentifier { return true }
        let bytes = token.text.utf8
        guard bytes.count >= 6 else { return false }
        var start = bytes.makeIterator()
        guard let first = start.next(), let second = start.next(), let third = start.next() else { return false }
        if first | second | third >= 0x80 { return true }
        switch (first | 0x20, second | 0x20, third) {
        case (UInt8(ascii: "l"), UInt8(ascii: "o"), UInt8(ascii: "_")), (UInt8(ascii: "p"), UInt8(ascii: "g"), UInt8(ascii: "_")):
            return true
        case (UInt8(ascii: "d"), UInt8(ascii: "b"), _): return third | 0x20 == UInt8(ascii: "l")
        case (UInt8(ascii: "s"), UInt8(ascii: "e"), _): return third | 0x20 == UInt8(ascii: "t")
        default: return false
        }
    }
}

extension LintRule {
    // Reaching outside the database: errors, never silenced (see EscapeRules).

    public static let copyProgram = LintRule(
        id: "copy-program", family: .escape,
        reason: "COPY … TO|FROM PROGRAM runs a shell command on the database server's machine",
        hint: "load data with INSERT … ON CONFLICT in a fixture file")
    public static let copyServerFile = LintRule(
        id: "copy-server-file", family: .escape,
        reason: "COPY … TO|FROM 'file' reads or writes a file on the database server's machine",
        hint: "load data with INSERT … ON CONFLICT in a fixture file")
    public static let copyFromStdin = LintRule(
        id: "copy-from-stdin", family: .escape,
        reason: "COPY … FROM STDIN takes its rows from psql's input; the run sends each statement as query text, so the rows would be read as SQL, or from the run's own script",
        hint: "write the rows as INSERT … ON CONFLICT in a fixture file")
    public static let largeObjectFile = LintRule(
        id: "large-object-file", family: .escape,
        reason: "lo_import and lo_export read and write files on the database server's machine",
        hint: "store the bytes in a bytea column with INSERT instead")
    public static let serverFileFunction = LintRule(
        id: "server-file-function", family: .escape,
        reason: "pg_read_file, pg_ls_dir, pg_stat_file and their kin (and file_fdw, adminpack, CREATE TABLESPACE) read, list or write the database server's files",
        hint: "a migration only changes the database: remove the call")
    public static let untrustedLanguage = LintRule(
        id: "untrusted-language", family: .escape,
        reason: "an untrusted language (plpython3u, plperlu, pltclu, C), CREATE LANGUAGE or LOAD runs code as the server's operating-system user",
        hint: "write the function in plpgsql or SQL; a platform that needs another language installs it outside the migration")
    public static let alterSystem = LintRule(
        id: "alter-system", family: .escape,
        reason: "ALTER SYSTEM rewrites the server's configuration for every database on it",
        hint: "change server settings in the server's own configuration, not in a migration")
    public static let remoteConnection = LintRule(
        id: "remote-connection", family: .escape,
        reason: "dblink, postgres_fdw and foreign servers connect to other servers (or to this one as another role)",
        hint: "a migration changes only its own database: remove the connection")
    public static let setRole = LintRule(
        id: "set-role", family: .escape,
        reason: "SET ROLE and SET SESSION AUTHORIZATION change who the rest of the run, and the ledger row, act as",
        hint: "run the migration as the role that should own the objects; grant to other roles with GRANT")
    public static let standardConformingStrings = LintRule(
        id: "standard-conforming-strings", family: .escape,
        reason: "with standard_conforming_strings off, a backslash in '…' escapes the quote: the server (or a psql that reads the text) would end strings elsewhere than schemajob does, and text read here as a string would be code",
        hint: "leave the setting on; write E'…' where a string needs backslash escapes")
    public static let storedEscape = LintRule(
        id: "stored-escape", family: .storedCode,
        reason: "a function's or procedure's body (or a string literal) holds what the migration would refuse to run (LOAD, COPY … PROGRAM, pg_read_file, …); the migration only stores it, and it runs later as whoever calls it, under PostgreSQL's own privilege checks; a call of it anywhere the migration runs is refused",
        hint: "make sure the roles that call it may not do more than they should; keep the call out of the migration files")
    public static let resetAll = LintRule(
        id: "reset-all", family: .escape,
        reason: "RESET ALL and DISCARD ALL undo the run's session settings (lock and statement timeouts)",
        hint: "reset only the setting the file changed: RESET <name>")
}
