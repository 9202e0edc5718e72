import SQLSyntax

/// The statement rules, run over one file's statements in order (a CREATE TRIGGER
/// looks back for its DROP TRIGGER), DO bodies included.
struct StatementRules {
    struct Context {
        var isInsideDO = false
        /// Inside a DO block's existence check: idempotency is the guard's business.
        var isGuarded = false
        /// The statement runs whenever its file (or DO body) does: not under a condition
        /// that is not an existence check, not in a loop or an exception handler.
        var runsEveryTime = true
    }

    /// A finding before `-- schemajob:allow` has had its say.
    struct Candidate {
        var rule: LintRule
        var location: SourceLocation
        var message: String
    }

    let file: MigrationFile
    /// False for a deployed file: lock advice it could not follow is left out.
    let advisesOnLocks: Bool
    /// False: `calls` and the stored routines' calls are left empty (`EscapeRules.findings`).
    let tracksCalls: Bool
    /// `DROP TRIGGER … ON …` seen so far in the file: (trigger, table parts).
    var droppedTriggers: [(trigger: String, table: [String])] = []
    /// Tables (last name part) this file creates, so far.
    var createdTables: Set<String> = []
    /// For each `index-not-concurrent` finding, by its place, the table (last name part) it
    /// is about. Whether it stands depends on the files before this one (did one of them
    /// create the table, which may then hold rows?), so `Linter` decides, and files can
    /// still be checked side by side.
    var indexAdviceTables: [SourceLocation: String] = [:]
    /// Tables with a constraint validated so far in this file (a CHECK … IS NOT NULL
    /// validated first lets SET NOT NULL skip its scan).
    var validatedTables: Set<String> = []
    /// `table constraint` (last name parts) dropped so far by a statement that runs every
    /// time: an ADD CONSTRAINT of the same name after it replaces the constraint on every
    /// run (the replace idiom), so it is idempotent.
    var droppedConstraints: Set<String> = []
    var storedRoutines: [EscapeRules.StoredRoutine] = []
    var calls: [EscapeRules.Call] = []
    /// The `-- schemajob:contract` markers of the file, in order (`ContractMarker`).
    var contracts: [ContractMarker] = []
    /// The functions and procedures the file declares (`CompatibilityRules`).
    var routineSignatures: [RoutineSignature] = []
    /// While a statement is checked: it is marked as a contract step, which silences the
    /// compatibility rules and the drop rules (the marker says it is meant) ...
    var isContract = false
    /// ... or it silences `release-signature`, decided only later over the whole set.
    var statementSilencesSignature = false
    /// Compatibility findings the current statement drew (before its marker silenced them).
    var compatibilityCount = 0

    init(file: MigrationFile, advisesOnLocks: Bool = true, tracksCalls: Bool = true) {
        self.file = file
        self.advisesOnLocks = advisesOnLocks
        self.tracksCalls = tracksCalls
    }

    struct Result: Sendable {
        var findings: [Finding]
        var createdTables: Set<String>
        var indexAdviceTables: [SourceLocation: String]
        /// The functions and procedures the file stores, and the calls it runs: whether a
        /// call runs a stored escape is decided over the whole set (`EscapeRules.refusedCalls`).
        var storedRoutines: [EscapeRules.StoredRoutine] = []
        var calls: [EscapeRules.Call] = []
        var contracts: [ContractMarker] = []
        var routineSignatures: [RoutineSignature] = []
    }

    /// `tokens` and `statements` are the file's, lexed once by `MigrationAnalysis`, which
    /// reads each top-level statement's view too (`reading`): one view per statement.
    static func check(_ file: MigrationFile, tokens: [SQLToken], statements: [SQLStatement], advisesOnLocks: Bool = true,
                      tracksCalls: Bool = true, reading: (StatementView) -> Void = { _ in }) -> Result {
        var rules = StatementRules(file: file, advisesOnLocks: advisesOnLocks, tracksCalls: tracksCalls)
        let findings = rules.run(tokens: tokens, statements: statements, reading: reading)
        return Result(findings: findings, createdTables: rules.createdTables, indexAdviceTables: rules.indexAdviceTables,
                      storedRoutines: rules.storedRoutines, calls: rules.calls, contracts: rules.contracts,
                      routineSignatures: rules.routineSignatures)
    }

    /// A table this file did not create may already hold rows.
    func mayHoldRows(_ table: [String]) -> Bool {
        guard let name = table.last else { return false }
        return !createdTables.contains(name)
    }

    mutating func run(tokens: [SQLToken], statements: [SQLStatement], reading: (StatementView) -> Void) -> [Finding] {
        let runsOutsideTransaction = file.runsOutsideTransaction
        var findings: [Finding] = []
        // Only the last token can be open: an open one runs to the end of the file.
        if let open = tokens.last, !open.isTerminated {
            findings.append(Finding(.unterminated, at: location(of: open), "\(Self.describeOpening(open)) is not closed before the end of the file"))
        }
        // Where the file's comments are, found once: a statement with none from its first
        // token to the end of the next statement (its `following` comments lie there) has no
        // allow comment or contract marker, and most statements of a fixture file have none.
        let commentPositions = tokens.indices.filter { tokens[$0].kind == .lineComment || tokens[$0].kind == .blockComment }
        var nextComment = 0
        for index in statements.indices {
            let reachStart = statements[index].tokenSlice.startIndex
            let reachEnd = index + 1 < statements.count ? statements[index + 1].tokenSlice.endIndex : tokens.count
            while nextComment < commentPositions.count && commentPositions[nextComment] < reachStart { nextComment += 1 }
            // Only comments that mention `schemajob:` can allow a rule or mark a contract.
            let comments = nextComment < commentPositions.count && commentPositions[nextComment] < reachEnd
                ? AllowComments.comments(forStatementAt: index, in: statements).filter(AllowComments.mayMark) : []
            // Most statements have no comment: nothing to read for allowances or markers.
            let allowances = comments.isEmpty ? AllowComments() : AllowComments(tokens: comments, path: file.displayPath)
            if !allowances.unknown.isEmpty { findings += allowances.unknown }
            let markers = comments.isEmpty ? [] : statements[index].significantTokens.first.map {
                ContractMarker.read(comments, statementLine: $0.line, file: file)
            } ?? []
            if !markers.isEmpty { contracts += markers }
            isContract = !markers.isEmpty
            statementSilencesSignature = isContract || allowances.allows(LintRule.releaseSignature.id)
            compatibilityCount = 0
            // One view of the statement serves every reader of its keywords, and its first
            // word is read once for every rule family.
            let view = StatementView(statements[index].significantTokens)
            let verb = Verb.read(view)
            reading(view)
            var candidates = check(view, verb: verb, context: Context())
            // Never silenced: escapes pass by the allowances. What a body only stores is a
            // warning the statement's allow comment may silence.
            // A DO block's body is lexed once, for the escape rules and for its own statements.
            let doBody = Self.doBody(view, verb: verb)
            let escapes = EscapeRules.findings(
                view, verb: verb, path: file.displayPath, lexedBodies: doBody.map { [$0.index: $0.statements] } ?? [:],
                tracksCalls: tracksCalls)
            if !escapes.findings.isEmpty {
                findings += escapes.findings.filter { $0.rule != .lint(.storedEscape) }
                candidates += escapes.findings.filter { $0.rule == .lint(.storedEscape) }.map {
                    Candidate(rule: .storedEscape, location: $0.location, message: $0.message)
                }
            }
            if !escapes.routines.isEmpty { storedRoutines += escapes.routines }
            if !escapes.calls.isEmpty { calls += escapes.calls }
            if runsOutsideTransaction {
                // The file runs in autocommit, where these statements are allowed.
                candidates.removeAll { $0.rule == .nonTransactional }
            }
            if !candidates.isEmpty { findings += allowances.filter(candidates) }
            if let doBody { findings += checkDOBody(doBody.statements, outer: allowances) }
            // A marker on a statement none of the compatibility rules sees breaking the
            // previous release is likely on the wrong statement (or no longer needed).
            if let marker = markers.first, compatibilityCount == 0, advisesOnLocks,
                !allowances.allows(LintRule.contractBreaksNothing.id)
            {
                findings.append(Finding(
                    .contractBreaksNothing, at: marker.location,
                    "-- schemajob:contract marks a statement that breaks nothing the previous release uses, as far as lint sees (schemajob test --from REV decides by the catalogs)"))
            }
            isContract = false
        }
        return findings
    }

    /// Statements inside `DO [LANGUAGE plpgsql] $$ … $$`, checked with their guards.
    /// The body of `DO [LANGUAGE plpgsql] $$ … $$`, lexed: its index in the view and its statements.
    static func doBody(_ view: StatementView, verb: Verb.Read) -> (index: Int, statements: [ProceduralBody.Statement])? {
        guard verb.folded == .do else { return nil }
        if let language = view.firstTopLevel(["LANGUAGE"], in: 1..<view.count),
            let name = view.identifier(language + 1), name != "plpgsql"
        {
            return nil
        }
        guard let body = view.tokens.firstIndex(where: { $0.kind == .dollarString }) else { return nil }
        return (body, ProceduralBody.statements(in: view.tokens[body]))
    }

    mutating func checkDOBody(_ body: [ProceduralBody.Statement], outer: AllowComments) -> [Finding] {
        var findings: [Finding] = []
        for inner in body {
            let allowances = AllowComments(tokens: inner.surroundingTokens, path: file.displayPath).adding(outer)
            findings += allowances.unknown
            let context = Context(isInsideDO: true, isGuarded: inner.isGuarded, runsEveryTime: inner.runsEveryTime)
            findings += allowances.filter(check(inner.view, verb: Verb.read(inner.view), context: context))
        }
        return findings
    }

    static func describeOpening(_ token: SQLToken) -> String {
        switch token.kind {
        case .string: return "a string literal"
        case .quotedIdentifier: return "a quoted identifier"
        case .blockComment: return "a /* comment"
        case .dollarString:
            let delimiter = token.text.dropFirst().firstIndex(of: "$").map { String(token.text[...$0]) } ?? "$$"
            return "the dollar-quoted body opened by \(delimiter)"
        default: return "a token"
        }
    }

    func location(of token: SQLToken) -> SourceLocation {
        SourceLocation(path: file.displayPath, line: token.line, column: token.column)
    }

    /// `verb` is the view's (`Verb.read`), read once by the caller.
    mutating func check(_ view: StatementView, verb: Verb.Read, context: Context) -> [Candidate] {
        guard view.count > 0 else { return [] }
        var candidates: [Candidate] = []
        let path = file.displayPath
        let advisesOnLocks = self.advisesOnLocks
        func report(_ rule: LintRule, at index: Int, _ message: String) {
            if context.isGuarded && rule.family == .idempotency { return }
            if !advisesOnLocks && (rule.family == .locking || rule.family == .compatibility) { return }
            candidates.append(Candidate(rule: rule, location: view.location(index, path: path), message: message))
        }
        switch verb.keyword {
        case .create: checkCreate(view, report)
        case .alter: checkAlter(view, runsEveryTime: context.runsEveryTime, report)
        case .drop: checkDrop(view, report)
        case .truncate:
            report(.truncate, at: 0, "TRUNCATE empties \(describeNames(view, from: 1, skipping: ["TABLE", "ONLY"])) on every run")
        case .vacuum:
            report(.nonTransactional, at: 0, "VACUUM cannot run inside a transaction block")
        case .reindex:
            if let concurrently = view.firstTopLevel(["CONCURRENTLY"], in: 1..<view.count) {
                report(.nonTransactional, at: concurrently, "REINDEX CONCURRENTLY cannot run inside a transaction block")
            } else if view.isKeyword(1, oneOf: ["DATABASE", "SYSTEM"]) {
                report(.nonTransactional, at: 0, "REINDEX \(view.keyword(1)!) cannot run inside a transaction block")
            }
        case .cluster where view.count == 1 || view.isPunctuation(1, UInt8(ascii: ";")) || view.isKeyword(1, "VERBOSE") && view.count <= 3:
            report(.nonTransactional, at: 0, "CLUSTER of every table cannot run inside a transaction block")
        case .discard where view.isKeyword(1, "ALL"):
            report(.nonTransactional, at: 0, "DISCARD ALL cannot run inside a transaction block")
        case .begin where !context.isInsideDO:
            report(.transactionControl, at: 0, "BEGIN starts a transaction inside the run's own")
        case .start where view.isKeyword(1, "TRANSACTION"):
            report(.transactionControl, at: 0, "START TRANSACTION starts a transaction inside the run's own")
        case .end where !context.isInsideDO:
            report(.transactionControl, at: 0, "END commits the run's transaction in the middle of the run")
        case .commit, .abort:
            report(.transactionControl, at: 0, "\(view.keyword(0)!) ends the run's transaction in the middle of the run")
        case .rollback where !view.isKeyword(1, "TO"):
            report(.transactionControl, at: 0, "ROLLBACK ends the run's transaction in the middle of the run")
        case .prepare where view.isKeyword(1, "TRANSACTION"):
            report(.transactionControl, at: 0, "PREPARE TRANSACTION ends the run's transaction in the middle of the run")
        default:
            checkDataChange(view, verb: verb, report)
        }
        checkCompatibility(view, verb: verb, report)
        // A contract step breaks the previous release on purpose, and drops what it drops.
        compatibilityCount += candidates.count { $0.rule.family == .compatibility }
        if isContract {
            candidates.removeAll { $0.rule.family == .compatibility || $0.rule == .dropColumn || $0.rule == .dropTable }
        }
        return candidates
    }

    typealias Report = (LintRule, Int, String) -> Void

    // MARK: CREATE

    static let createModifiers = Keywords([
        "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "UNIQUE", "TRUSTED", "PROCEDURAL", "DEFAULT", "RECURSIVE",
    ])
    static let temporary = Keywords(["TEMP", "TEMPORARY"])
    /// Objects whose CREATE takes IF NOT EXISTS.
    static let createdIfNotExists: Set<String> = [
        "TABLE", "FOREIGN TABLE", "INDEX", "SEQUENCE", "SCHEMA", "EXTENSION", "MATERIALIZED VIEW", "STATISTICS",
        "COLLATION", "SERVER", "USER MAPPING", "ACCESS METHOD",
    ]
    /// Objects whose CREATE takes OR REPLACE instead.
    static let createdOrReplaced: Set<String> = ["VIEW", "FUNCTION", "PROCEDURE", "RULE", "AGGREGATE", "TRANSFORM", "LANGUAGE"]
    /// Objects whose CREATE has neither: only a DO block with a check makes it idempotent.
    static let createdOnlyGuarded: Set<String> = [
        "TYPE", "DOMAIN", "POLICY", "CAST", "OPERATOR", "OPERATOR CLASS", "OPERATOR FAMILY", "ROLE", "USER", "GROUP",
        "PUBLICATION", "EVENT TRIGGER", "CONVERSION", "TEXT SEARCH", "FOREIGN DATA WRAPPER",
    ]

    /// Objects named by two words (`MATERIALIZED VIEW`): the first word, and the seconds it takes.
    static let compoundObjects: [String: Set<String>] = [
        "MATERIALIZED": ["VIEW"], "FOREIGN": ["TABLE", "DATA"], "CONSTRAINT": ["TRIGGER"], "EVENT": ["TRIGGER"],
        "USER": ["MAPPING"], "ACCESS": ["METHOD"], "OPERATOR": ["CLASS", "FAMILY"], "TEXT": ["SEARCH"],
    ]

    mutating func checkCreate(_ view: StatementView, _ report: Report) {
        var index = 1
        let orReplace = view.matches(index, "OR", "REPLACE")
        if orReplace { index += 2 }
        var isTemporary = false
        while view.isUpperCasedKeyword(index, anyOf: Self.createModifiers) {
            if view.isUpperCasedKeyword(index, anyOf: Self.temporary) { isTemporary = true }
            index += 1
        }
        guard var object = view.keyword(index) else { return }
        index += 1
        if let seconds = Self.compoundObjects[object], let second = view.keyword(index), seconds.contains(second) {
            object += " " + second
            index += 1
            if object == "FOREIGN DATA" && view.isKeyword(index, "WRAPPER") {
                object += " WRAPPER"
                index += 1
            }
        }
        // Temporary objects vanish with the session; running them again is harmless.
        if isTemporary { return }

        if object == "INDEX", view.isKeyword(index, "CONCURRENTLY") {
            report(.nonTransactional, index, "CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
            index += 1
        } else if object == "INDEX", let on = view.firstTopLevel("ON", from: index),
            let table = view.qualifiedName(view.isKeyword(on + 1, "ONLY") ? on + 2 : on + 1)?.parts,
            let name = table.last, mayHoldRows(table)
        {
            indexAdviceTables[view.location(0, path: file.displayPath)] = name
            report(.indexNotConcurrent, 0, "CREATE INDEX on \(table.joined(separator: ".")), which an earlier file created, blocks writes to it while the index is built")
        }
        if object == "TABLE", let name = view.qualifiedName(view.matches(index, "IF", "NOT", "EXISTS") ? index + 3 : index)?.parts.last {
            createdTables.insert(name)
        }
        switch object {
        case _ where Self.createdIfNotExists.contains(object):
            guard !view.matches(index, "IF", "NOT", "EXISTS") else { return }
            if object == "INDEX" && view.isKeyword(index, "ON") {
                report(.createIfNotExists, 0, "CREATE INDEX without a name makes another index on every run")
            } else {
                report(.createIfNotExists, 0, "CREATE \(object) \(describeName(view, at: index)) fails on the next run, when it exists")
            }
        case _ where Self.createdOrReplaced.contains(object):
            if !orReplace {
                report(.createOrReplace, 0, "CREATE \(object) \(describeName(view, at: index)) fails on the next run, when it exists")
            }
        case "TRIGGER", "CONSTRAINT TRIGGER":
            guard !orReplace, let trigger = view.identifier(index) else { return }
            let on = view.firstTopLevel("ON", from: index + 1)
            let table = on.flatMap { view.qualifiedName($0 + 1)?.parts } ?? []
            let dropped = droppedTriggers.contains { $0.trigger == trigger && Self.sameTable($0.table, table) }
            if dropped {
                report(.replaceTrigger, 0, "DROP TRIGGER IF EXISTS \(trigger) and CREATE TRIGGER \(trigger) wait for ACCESS EXCLUSIVE on \(table.joined(separator: ".")) on every run; CREATE OR REPLACE TRIGGER does not wait behind reads")
            } else {
                report(.createTrigger, 0, "CREATE TRIGGER \(trigger) fails on the next run: no DROP TRIGGER IF EXISTS \(trigger) ON \(table.joined(separator: ".")) before it in this file")
            }
        case _ where Self.createdOnlyGuarded.contains(object):
            report(.unguardedCreate, 0, "CREATE \(object) \(describeName(view, at: index)) has no IF NOT EXISTS and fails on the next run; it needs a DO block that checks first")
        case "DATABASE", "TABLESPACE", "SUBSCRIPTION":
            report(.nonTransactional, 0, "CREATE \(object) cannot run inside a transaction block")
        default:
            break
        }
    }

    /// `public.t` and `t` are taken to be one table: the file does not say which
    /// search_path it runs with, and a false alarm here would be noise.
    static func sameTable(_ lhs: [String], _ rhs: [String]) -> Bool {
        if lhs == rhs { return true }
        if lhs.count == 1 || rhs.count == 1 { return lhs.last == rhs.last }
        return false
    }

    // MARK: ALTER

    /// Only the table's last name part counts, as in `sameTable`.
    static func constraintKey(_ table: [String], _ constraint: String) -> String {
        (table.last ?? "") + " " + constraint
    }

    static let constraintStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"]

    /// `ALTER <object> …`: the object (`TABLE`, `FOREIGN TABLE`, `MATERIALIZED VIEW`, …)
    /// and the index of the word after it.
    static func alteredObject(_ view: StatementView) -> (object: String, next: Int) {
        var object = view.keyword(1) ?? ""
        var index = 2
        if (object == "FOREIGN" && view.isKeyword(index, "TABLE")) || (object == "MATERIALIZED" && view.isKeyword(index, "VIEW")) {
            object += " " + view.keyword(index)!
            index += 1
        }
        return (object, index)
    }

    mutating func checkAlter(_ view: StatementView, runsEveryTime: Bool = true, _ report: Report) {
        if view.isKeyword(1, "SYSTEM") {
            report(.nonTransactional, 0, "ALTER SYSTEM cannot run inside a transaction block")
            return
        }
        var (object, index) = Self.alteredObject(view)
        let ifExists = view.matches(index, "IF", "EXISTS")
        if ifExists { index += 2 }
        if view.isKeyword(index, "ONLY") { index += 1 }
        if object == "TYPE" {
            if let add = view.firstTopLevel("ADD", from: index), view.isKeyword(add + 1, "VALUE"),
                !view.matches(add + 2, "IF", "NOT", "EXISTS")
            {
                report(.addValueIfNotExists, add, "ALTER TYPE … ADD VALUE fails on the next run, when the value exists")
            }
        }
        guard object == "TABLE" || object == "FOREIGN TABLE" else {
            if let rename = view.firstTopLevel("RENAME", from: index), !(ifExists && view.isKeyword(rename + 1, "TO")) {
                report(.unguardedRename, rename, "ALTER \(object) … RENAME fails on the next run, when the old name is gone")
            }
            return
        }
        guard let name = view.qualifiedName(index) else { return }
        var actionsStart = name.next
        if view.isPunctuation(actionsStart, UInt8(ascii: "*")) { actionsStart += 1 }
        let table = name.parts.joined(separator: ".")
        let actions = view.topLevelListStarts(from: actionsStart)
        for (number, action) in actions.enumerated() {
            let actionEnd = number + 1 < actions.count ? actions[number + 1] : view.count
            if mayHoldRows(name.parts) {
                checkLocking(view, action: action..<actionEnd, table: table, report)
            }
            switch view.keyword(action) {
            case "VALIDATE":
                if let last = name.parts.last { validatedTables.insert(last) }
            case "ADD":
                var position = action + 1
                let saysColumn = view.isKeyword(position, "COLUMN")
                if saysColumn { position += 1 }
                if !saysColumn && view.isKeyword(position, oneOf: Self.constraintStarts) {
                    let replaced = view.isKeyword(position, "CONSTRAINT")
                        && view.identifier(position + 1).map { droppedConstraints.contains(Self.constraintKey(name.parts, $0)) } == true
                    if replaced { continue }
                    report(.unguardedAddConstraint, action, "ALTER TABLE \(table) ADD \(view.keyword(position)!) fails, or adds a second copy, on the next run; guard it with a DO block that checks pg_constraint, or replace it: DROP CONSTRAINT IF EXISTS the same name first")
                } else if !view.matches(position, "IF", "NOT", "EXISTS") {
                    report(.addColumnIfNotExists, action, "ALTER TABLE \(table) ADD COLUMN \(view.identifier(position) ?? "") fails on the next run, when the column exists")
                }
            case "DROP":
                var position = action + 1
                if view.isKeyword(position, "CONSTRAINT") {
                    let hasIfExists = view.matches(position + 1, "IF", "EXISTS")
                    if runsEveryTime, let constraint = view.identifier(position + (hasIfExists ? 3 : 1)) {
                        droppedConstraints.insert(Self.constraintKey(name.parts, constraint))
                    }
                    if !hasIfExists {
                        report(.dropIfExists, action, "ALTER TABLE \(table) DROP CONSTRAINT fails on the next run, when the constraint is gone")
                    }
                    continue
                }
                if view.isKeyword(position, "COLUMN") { position += 1 }
                let hasIfExists = view.matches(position, "IF", "EXISTS")
                let column = view.identifier(hasIfExists ? position + 2 : position) ?? ""
                report(.dropColumn, action, "ALTER TABLE \(table) DROP COLUMN \(column) destroys the column's data")
                if !hasIfExists {
                    report(.dropIfExists, action, "ALTER TABLE \(table) DROP COLUMN \(column) fails on the next run, when the column is gone")
                }
            case "RENAME":
                if view.isKeyword(action + 1, "TO") {
                    if !ifExists {
                        report(.unguardedRename, action, "ALTER TABLE \(table) RENAME TO fails on the next run, when \(table) is gone; write ALTER TABLE IF EXISTS")
                    }
                } else {
                    report(.unguardedRename, action, "ALTER TABLE \(table) RENAME fails on the next run, when the old name is gone")
                }
            case "DETACH":
                if let concurrently = view.firstTopLevel(["CONCURRENTLY"], in: action..<view.count) {
                    report(.nonTransactional, concurrently, "DETACH PARTITION … CONCURRENTLY cannot run inside a transaction block")
                }
            default:
                break
            }
        }
    }

    // MARK: Locks

    /// Functions whose value changes per row: a column default calling one must be
    /// computed for every existing row, which rewrites the table.
    static let volatileFunctions: Set<String> = [
        "RANDOM", "CLOCK_TIMESTAMP", "TIMEOFDAY", "GEN_RANDOM_UUID", "UUID_GENERATE_V1", "UUID_GENERATE_V4",
        "UUIDV4", "UUIDV7", "NEXTVAL", "TXID_CURRENT", "RANDOM_NORMAL",
    ]

    /// One action of `ALTER TABLE` on a table that may hold rows, for what it locks and for how long.
    func checkLocking(_ view: StatementView, action range: Range<Int>, table: String, _ report: Report) {
        let action = range.lowerBound
        switch view.keyword(action) {
        case "ALTER":
            let column = view.isKeyword(action + 1, "COLUMN") ? action + 2 : action + 1
            let name = view.identifier(column) ?? ""
            if view.isKeyword(column + 1, "TYPE") || view.matches(column + 1, "SET", "DATA", "TYPE") {
                report(.alterColumnType, action, "ALTER COLUMN \(name) TYPE rewrites \(table) under ACCESS EXCLUSIVE")
            } else if view.matches(column + 1, "SET", "NOT", "NULL"), !validatedTables.contains(table.split(separator: ".").last.map(String.init) ?? table) {
                report(.setNotNull, action, "SET NOT NULL on \(table).\(name) reads every row under ACCESS EXCLUSIVE")
            }
        case "ADD":
            if let start = view.firstTopLevel(["CHECK", "FOREIGN"], in: range), !view.isKeyword(action + 1, "COLUMN"),
                view.firstTopLevel(["VALID"], in: range).map({ !view.isKeyword($0 - 1, "NOT") }) ?? true
            {
                report(.constraintNotValid, action, "ADD \(view.keyword(start)!) on \(table) without NOT VALID checks every row while writes wait")
            }
            if let defaultIndex = view.firstTopLevel(["DEFAULT"], in: range),
                let function = view.keyword(defaultIndex + 1), Self.volatileFunctions.contains(function),
                view.isPunctuation(defaultIndex + 2, UInt8(ascii: "("))
            {
                report(.volatileDefault, defaultIndex, "DEFAULT \(function.lowercased())() is computed for every row of \(table): the table is rewritten under ACCESS EXCLUSIVE")
            }
        default:
            break
        }
    }

    // MARK: DROP

    mutating func checkDrop(_ view: StatementView, _ report: Report) {
        guard let object = view.keyword(1) else { return }
        switch object {
        case "DATABASE", "TABLESPACE", "SUBSCRIPTION":
            report(.nonTransactional, 0, "DROP \(object) cannot run inside a transaction block")
        case "INDEX" where view.isKeyword(2, "CONCURRENTLY"):
            report(.nonTransactional, 2, "DROP INDEX CONCURRENTLY cannot run inside a transaction block")
        case "OWNED":
            return  // DROP OWNED BY has no IF EXISTS form, and fails on nothing.
        default:
            break
        }
        // IF EXISTS comes right after the object's (one to four) keywords.
        let ifExists = (2...5).first { start in
            view.matches(start, "IF", "EXISTS") && (1..<start).allSatisfy { view.keyword($0) != nil }
        }
        if ifExists == nil {
            report(.dropIfExists, 0, "DROP \(object) fails on the next run, when it is already gone")
        }
        let namesStart = ifExists.map { $0 + 2 } ?? (view.isKeyword(2, "CONCURRENTLY") ? 3 : 2)
        if object == "TABLE" {
            report(.dropTable, 0, "DROP TABLE \(describeNames(view, from: namesStart, skipping: [])) destroys its data")
        }
        if object == "TRIGGER", let trigger = view.identifier(namesStart), view.isKeyword(namesStart + 1, "ON"),
            let table = view.qualifiedName(namesStart + 2)
        {
            droppedTriggers.append((trigger, table.parts))
        }
    }

    // MARK: INSERT, UPDATE, DELETE

    func checkDataChange(_ view: StatementView, verb: Verb.Read, _ report: Report) {
        var start = 0
        var main = verb.keyword
        if verb.folded == .with {
            // The CTEs sit in parentheses; the statement proper is the first verb outside them.
            guard let found = view.firstTopLevel(["INSERT", "UPDATE", "DELETE", "SELECT", "MERGE"], in: 1..<view.count) else { return }
            start = found
            main = Verb.read(view, at: start).keyword
        }
        let rest = start + 1..<view.count
        switch main {
        case .delete:
            if view.firstTopLevel(["WHERE"], in: rest) == nil {
                report(.deleteWithoutWhere, start, "DELETE without WHERE empties \(describeNames(view, from: start + 1, skipping: ["FROM", "ONLY"])) on every run")
            }
        case .update:
            if view.firstTopLevel(["WHERE"], in: rest) == nil {
                report(.updateWithoutWhere, start, "UPDATE without WHERE rewrites every row of \(describeNames(view, from: start + 1, skipping: ["ONLY"])) on every run")
            }
        case .insert:
            // ON CONFLICT, the usual guard, is enough: the whole INSERT is not read again
            // for WHERE NOT EXISTS.
            if rest.contains(where: { view.depths[$0] == 0 && view.matches($0, "ON", "CONFLICT") }) { return }
            let whereNotExists = rest.contains {
                view.depths[$0] <= 1 && view.matches($0, "WHERE", "NOT", "EXISTS")
            }
            if !whereNotExists {
                report(.insertWithoutOnConflict, start, "INSERT INTO \(describeNames(view, from: start + 1, skipping: ["INTO"])) without ON CONFLICT adds its rows again, or fails, on the next run")
            }
        default:
            break
        }
    }

    // MARK: Names for messages

    func describeName(_ view: StatementView, at index: Int) -> String {
        view.qualifiedName(index)?.parts.joined(separator: ".") ?? ""
    }

    func describeNames(_ view: StatementView, from index: Int, skipping: Set<String>) -> String {
        var position = index
        while view.isKeyword(position, oneOf: skipping) { position += 1 }
        return view.qualifiedName(position)?.parts.joined(separator: ".") ?? "the table"
    }
}
