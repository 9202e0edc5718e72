import SQLSyntax

/// A word a statement starts with, among those the rules dispatch on. Read once per
/// statement from the token's bytes (`Verb.Read`): the rule families used to each
/// upper-case a copy of the first word (`view.keyword(0)`) and compare it with every case
/// of their `switch` in turn, on every statement of every file.
enum Verb: UInt8 {
    case abort, alter, begin, cluster, comment, commit, copy, create, delete, discard, `do`, drop, end, grant
    case `import`, insert, load, merge, prepare, reindex, reset, revoke, rollback, security, select, set, start
    case truncate, update, vacuum, with
    /// Any other word, or no word at all.
    case other

    /// The words above, upper case, as `packed` reads them (none is longer than 8 bytes).
    private static let table: [(packed: UInt64, verb: Verb)] = ([
        ("ABORT", .abort), ("ALTER", .alter), ("BEGIN", .begin), ("CLUSTER", .cluster), ("COMMENT", .comment),
        ("COMMIT", .commit), ("COPY", .copy), ("CREATE", .create), ("DELETE", .delete), ("DISCARD", .discard),
        ("DO", .do), ("DROP", .drop), ("END", .end), ("GRANT", .grant), ("IMPORT", .import), ("INSERT", .insert),
        ("LOAD", .load), ("MERGE", .merge), ("PREPARE", .prepare), ("REINDEX", .reindex), ("RESET", .reset),
        ("REVOKE", .revoke), ("ROLLBACK", .rollback), ("SECURITY", .security), ("SELECT", .select), ("SET", .set),
        ("START", .start), ("TRUNCATE", .truncate), ("UPDATE", .update), ("VACUUM", .vacuum), ("WITH", .with),
    ] as [(String, Verb)]).map { (packed($0.0.utf8)!, $0.1) }

    /// The bytes of an ASCII word of at most 8 bytes, upper-cased, in one integer; nil for
    /// a longer word or one with other than ASCII.
    private static func packed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64? {
        var packed: UInt64 = 0
        var length = 0
        for byte in bytes {
            length += 1
            guard length <= 8, byte < 0x80 else { return nil }
            let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
            packed = packed << 8 | UInt64(upper)
        }
        return packed
    }

    private static func named(_ packed: UInt64) -> Verb {
        for entry in table where entry.packed == packed { return entry.verb }
        return .other
    }

    /// The verb at token `index` of a statement, both ways the rules compare words.
    struct Read {
        /// What `view.keyword(index)` names: the word upper-cased as Unicode does (`ſet` is `SET`) ...
        let keyword: Verb
        /// ... and what `view.isKeyword(index, …)` sees, folding ASCII letters only: the same
        /// for an ASCII word, `.other` for any other.
        let folded: Verb
    }

    static func read(_ view: StatementView, at index: Int = 0) -> Read {
        guard index >= 0, index < view.count, view.tokens[index].kind == .word else { return Read(keyword: .other, folded: .other) }
        let text = view.tokens[index].text
        if let packed = packed(text.utf8) {
            let verb = named(packed)
            return Read(keyword: verb, folded: verb)
        }
        // Longer than any verb, or not ASCII: only Unicode's upper-casing can make a verb of it.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Read(keyword: .other, folded: .other) }
        return Read(keyword: packed(text.uppercased().utf8).map(named) ?? .other, folded: .other)
    }
}
