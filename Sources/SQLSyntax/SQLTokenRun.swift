/// Consecutive tokens of a list shared with other runs, indexed from 0: a statement's
/// significant tokens are a run of its file's, so splitting a file allocates one list of
/// them rather than one for each statement. Reads like an array of the run's tokens.
public struct SQLTokenRun: RandomAccessCollection, Sendable {
    // Inlinable, so that a rule in another module reads a token as it would an array's,
    // without a call for each.
    @usableFromInline let base: [SQLToken]
    @usableFromInline let offset: Int
    public let count: Int

    /// `base[bounds]`, sharing `base`'s storage.
    @inlinable
    package init(_ base: [SQLToken], bounds: Range<Int>) {
        precondition(bounds.lowerBound >= 0 && bounds.upperBound <= base.count, "run outside its token list")
        self.base = base
        self.offset = bounds.lowerBound
        self.count = bounds.count
    }

    /// Every token of `tokens`.
    @inlinable
    public init(_ tokens: [SQLToken]) {
        self.init(tokens, bounds: tokens.indices)
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> SQLToken {
        // One unsigned comparison keeps a reader inside its run (the list goes on with the
        // next statement's tokens); the run lies inside `base` (checked when it was made),
        // so the array need not check the index again.
        precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "index outside the run")
        return base.withUnsafeBufferPointer { $0[offset + position] }
    }

    /// The run without its first `count` tokens, itself a run indexed from 0 (where a
    /// slice would keep the indices of the whole).
    package func dropping(first count: Int) -> SQLTokenRun {
        SQLTokenRun(base, bounds: (offset + Swift.min(count, self.count))..<(offset + self.count))
    }

    /// The run's tokens in place, indexed from 0.
    package func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<SQLToken>) throws -> Result) rethrows -> Result {
        try base.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)]))
        }
    }
}
