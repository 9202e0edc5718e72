// libFuzzer entry point for the SQL lexer, built by scripts/fuzz-lexer together
// with the lexer's sources (one module, so internal API is reachable).
//
// Beyond "does not crash" (which AddressSanitizer and Swift's own checks catch),
// each input is held to the lexer's promises; a broken promise traps, and libFuzzer
// saves the input as a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func lexerFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let tokens = SQLLexer.tokens(in: text)

    // Lossless: every byte in exactly one token, none empty, only the last open.
    promise(tokens.map(\.text).joined() == text, "tokens do not give the input back")
    promise(!tokens.contains { $0.text.isEmpty }, "empty token")
    promise(!tokens.dropLast().contains { !$0.isTerminated }, "an unterminated token before the end")

    // Statements keep the tokens in order and leave only trivia over.
    let statements = SQLLexer.statements(from: tokens)
    let covered = statements.reduce(0) { $0 + $1.tokens.count }
    promise(covered <= tokens.count, "statements hold more tokens than there are")
    for (token, statementToken) in zip(tokens, statements.lazy.flatMap(\.tokens)) {
        promise(token == statementToken, "statements reorder tokens")
    }
    promise(!tokens.dropFirst(covered).contains { !$0.isTrivia }, "code left outside every statement")

    // Positions never move back. (Two tokens can share a column: a token that starts
    // with a combining mark belongs to the character before it.)
    var previous = (line: 0, column: 0)
    for token in tokens {
        promise((token.line, token.column) >= previous, "positions go backwards")
        previous = (token.line, token.column)
    }

    // Dollar bodies, lexed again as the DO-block rules do, keep the same promises,
    // and the PL/pgSQL walker gets through them.
    for token in tokens where token.kind == .dollarString {
        guard let body = token.dollarBody else { continue }
        let inner = SQLLexer.tokens(in: body.text, line: body.line, column: body.column)
        promise(inner.map(\.text).joined() == body.text, "a dollar body's tokens do not give it back")
        _ = ProceduralBody.statements(in: token)
    }
    for statement in statements {
        _ = StatementView(statement.significantTokens).topLevelListStarts(from: 0)
    }
    return 0
}

/// `precondition` drops its message in an optimized build; a fuzzing failure
/// should say which promise broke.
func promise(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("lexer promise broken: \(message())") }
}
