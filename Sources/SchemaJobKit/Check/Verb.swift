import SQLSyntax

/// A word a statement starts with, among those the rules dispatch on. Read once per
/// statement from the token's bytes (`Verb.Read`): the rule families used to each
/// upper-case a copy of the first word (`view.keyword(0)`) and compare it with every case
/// of their `switch` in turn, on every statement of every file.
enum Verb: UInt8, CaseIterable {
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
            packed = packed << 8 | UInt64(byte.asciiUppercased)
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

/// A few keywords (upper case ASCII, at most 16 bytes each), packed once into integers so
/// that a word is compared with all of them without a string made or a call per keyword.
struct Keywords {
    let names: [String]
    private let packed: [Packed]

    struct Packed: Equatable {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0
    }

    init(_ names: [String]) {
        self.names = names
        packed = names.map { Self.pack($0.utf8)! }
    }

    /// The bytes of an ASCII word of at most 16 bytes, ASCII letters upper-cased; nil for
    /// any other word.
    static func pack<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Packed? {
        var packed = Packed()
        for byte in bytes {
            guard packed.count < 16, byte < 0x80 else { return nil }
            packed.high = packed.high << 8 | packed.low >> 56
            packed.low = packed.low << 8 | UInt64(byte.asciiUppercased)
            packed.count += 1
        }
        return packed
    }

    func contains(_ word: Packed) -> Bool {
        packed.contains(word)
    }
}

extension StatementView {
    /// The same answer as `isUpperCasedKeyword(index, k)` for some `k` of `keywords`, with
    /// the word's bytes read in place once. A word with other than ASCII, or longer than
    /// any keyword packs, is left to the view, whose Unicode upper-casing decides.
    func isUpperCasedKeyword(_ index: Int, anyOf keywords: Keywords) -> Bool {
        guard index >= 0, index < count, tokens[index].kind == .word else { return false }
        let text = tokens[index].text
        let inPlace = text.utf8.withContiguousStorageIfAvailable { Keywords.pack($0) }
        if let word = inPlace ?? Keywords.pack(text.utf8) { return keywords.contains(word) }
        return keywords.names.contains { isUpperCasedKeyword(index, $0) }
    }
}
