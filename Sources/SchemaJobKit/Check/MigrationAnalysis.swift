import SQLSyntax

/// What the pipeline reads from the statements of a set, each file lexed once: the
/// statement rules' findings (escapes among them), what each schema statement does to
/// the tables the API needs, and the indexes a no-transaction file builds concurrently.
/// `Linter`, `RunSafety` and the render (`MigrationScript`, the required tables) all
/// read it, so no stage lexes a file again.
///
/// Files are analysed on every core. A file's tokens live only while its summary is
/// made: the analysis holds summaries, never tokens, so memory stays that of the set.
public struct MigrationAnalysis: Sendable {
    /// One file's summary.
    struct File: Sendable {
        var characterFindings: [Finding]
        var statementRules: StatementRules.Result
        /// What each statement of a schema file does to the required tables, in order.
        var tableChanges: [RequiredTables.Change]
        /// For a file that runs outside the transaction: its `CREATE INDEX CONCURRENTLY`s.
        var concurrentIndexes: [String]
        /// Where its statements start and end, which the Job's script sends as data.
        var pieces: [QueryText.Piece]
    }

    public let set: MigrationSet
    /// In the set's order.
    let files: [File]
    /// `File.concurrentIndexes` by the file's display path, for the files that have some.
    let concurrentIndexes: [String: [String]]
    /// Escapes the run would reach through a call of a function the set stores: errors,
    /// refused like the escapes of the statements themselves.
    let calledEscapes: [Finding]

    /// Every `-- schemajob:contract` marker of the set, in the set's order.
    public var contracts: [ContractMarker] { files.flatMap(\.statementRules.contracts) }

    public init(_ set: MigrationSet) {
        self.set = set
        // A deployed file gets no lock advice it could not follow.
        let deployed = SchemaSum.lockedNames(set)
        // First without the calls: they matter only if some routine of the set stores an
        // escape (`EscapeRules.refusedCalls`), and bodies that cannot hold one then need
        // no lexing. A set with such a routine (rare: it draws a warning) is read again,
        // calls and all; the findings are the same either way.
        var files = Self.analyse(set, deployed: deployed, tracksCalls: false)
        if files.contains(where: { $0.statementRules.storedRoutines.contains { !$0.escapes.isEmpty } }) {
            files = Self.analyse(set, deployed: deployed, tracksCalls: true)
        }
        self.files = files
        calledEscapes = EscapeRules.refusedCalls(
            routines: files.lazy.flatMap(\.statementRules.storedRoutines), calls: files.lazy.flatMap(\.statementRules.calls))
        concurrentIndexes = Dictionary(
            zip(set.files, files).filter { !$0.1.concurrentIndexes.isEmpty }.map { ($0.0.displayPath, $0.1.concurrentIndexes) },
            uniquingKeysWith: { first, _ in first })
        fileIndex = Dictionary(set.files.enumerated().map { ($1.displayPath, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static func analyse(_ set: MigrationSet, deployed: Set<String>, tracksCalls: Bool) -> [File] {
        set.files.concurrentMap { file in
            let tokens = SQLLexer.tokens(in: file.text)
            let statements = SQLLexer.statements(from: tokens)
            let advisesOnLocks = !(file.phase == .schema && deployed.contains(file.name))
            var tableChanges: [RequiredTables.Change] = []
            var concurrentIndexes: [String] = []
            let isSchema = file.phase == .schema, runsOutsideTransaction = file.runsOutsideTransaction
            // The rules' own view of each statement serves these readers too.
            let rules = StatementRules.check(
                file, tokens: tokens, statements: statements, advisesOnLocks: advisesOnLocks, tracksCalls: tracksCalls
            ) { view in
                if isSchema, let change = RequiredTables.change(view) { tableChanges.append(change) }
                if runsOutsideTransaction, let index = ConcurrentIndexes.index(view), !concurrentIndexes.contains(index) {
                    concurrentIndexes.append(index)
                }
            }
            return File(
                characterFindings: LayoutRules.characterFindings(file),
                statementRules: rules,
                tableChanges: tableChanges,
                concurrentIndexes: concurrentIndexes,
                pieces: QueryText.pieces(tokens: tokens, statements: statements))
        }
    }

    /// The position in `files` of each file, by its display path.
    private let fileIndex: [String: Int]

    /// Where the statements of `file` (of this set) start and end, as the lexer cut them
    /// for the rules; nil for a file the set does not hold.
    func pieces(of file: MigrationFile) -> [QueryText.Piece]? {
        fileIndex[file.displayPath].map { files[$0].pieces }
    }

    /// The tables the schema files leave behind (`RequiredTables`): the Job applies
    /// schema files in name order, whatever order the set holds them in.
    public var requiredTables: [String] {
        let changes = zip(set.files, files)
            .filter { $0.0.phase == .schema }
            .sorted { DatabaseReader.byteOrder($0.0.name, $1.0.name) }
            .flatMap { $0.1.tableChanges }
        return RequiredTables.tables(after: changes)
    }

    /// The indexes `file` (of this set) builds concurrently, as `to_regclass` reads their
    /// names; empty for a file that runs in the transaction.
    func concurrentIndexes(of file: MigrationFile) -> [String] {
        concurrentIndexes[file.displayPath] ?? []
    }
}
