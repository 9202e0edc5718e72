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
        table.withUnsafeBufferPointer { table in
            for entry in table where entry.packed == packed { return entry.verb }
            return .other
        }
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
        // In place where the bytes are contiguous (native and small strings are).
        let inPlace = text.utf8.withContiguousStorageIfAvailable { packed($0) }
        if let packed = inPlace ?? packed(text.utf8) {
            let verb = named(packed)
            return Read(keyword: verb, folded: verb)
        }
        // Longer than any verb, or not ASCII: only Unicode's upper-casing can make a verb of it.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Read(keyword: .other, folded: .other) }
        return Read(keyword: packed(text.uppercased().utf8).map(named) ?? .other, folded: .other)
    }
}

extension StatementView {
    /// The same answer as `isUpperCasedKeyword(index, k)` for some `k` of `keywords` (upper
    /// case ASCII), with the word's bytes read in place once rather than a call into the view
    /// and a scan of the word per keyword. A word with other than ASCII is left to the view,
    /// whose Unicode upper-casing decides.
    func isUpperCasedKeyword(_ index: Int, anyOf keywords: [String]) -> Bool {
        guard index >= 0, index < count, tokens[index].kind == .word else { return false }
        let inPlace = tokens[index].text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            var isASCII = true
            for byte in bytes where byte >= 0x80 { isASCII = false }
            guard isASCII else { return nil }
            return keywords.contains { keyword in
                keyword.utf8.count == bytes.count && zip(bytes, keyword.utf8).allSatisfy { byte, upper in
                    byte == upper || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") && byte - 0x20 == upper)
                }
            }
        }
        if let inPlace = inPlace ?? nil { return inPlace }
        return keywords.contains { isUpperCasedKeyword(index, $0) }
    }
}
