import SQLSyntax

/// The compatibility rules: statements the release before this one may not run after,
/// since every deploy runs both releases on one schema for a while (the rollout, and a
/// rollback puts the previous one back on it). Static advice, as warnings, with the
/// expand/contract way round; `schemajob test --from REV` decides by the catalogs (a
/// widening type change is fine there). A statement marked `-- schemajob:contract
/// <reason>` is the contract step on purpose and draws none of them.
extension StatementRules {
    /// A function or procedure a CREATE [OR REPLACE] declares: a second one of the same
    /// name with other arguments is a new overload, decided over the whole set (`Linter`).
    struct RoutineSignature: Sendable {
        /// Lower-cased name parts, joined by dots (unquoted parts as PostgreSQL folds them).
        var name: String
        /// The argument list, tokens normalised (case and spacing do not count).
        var arguments: String
        var location: SourceLocation
        /// False for a deployed file, an allowed statement or a contract step.
        var isAdvised: Bool
    }

    mutating func checkCompatibility(_ view: StatementView, verb: Verb.Read, _ report: Report) {
        switch verb.keyword {
        case .alter: checkCompatibleAlter(view, report)
        case .drop: checkCompatibleDrop(view, report)
        case .create: recordRoutine(view)
        default: break
        }
    }

    static let droppedObjectsUsedByApplications: Set<String> = [
        "TABLE", "VIEW", "MATERIALIZED", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "SEQUENCE",
    ]

    func checkCompatibleDrop(_ view: StatementView, _ report: Report) {
        guard var object = view.keyword(1), Self.droppedObjectsUsedByApplications.contains(object) else { return }
        var index = 2
        if object == "MATERIALIZED" {
            guard view.isKeyword(2, "VIEW") else { return }
            object = "MATERIALIZED VIEW"
            index = 3
        }
        if view.matches(index, "IF", "EXISTS") { index += 2 }
        let name = describeName(view, at: index)
        let advice: String
        switch object {
        case "FUNCTION", "PROCEDURE":
            advice = "its callers in the previous release fail; drop it only once no running release calls it"
        case "TYPE", "DOMAIN":
            advice = "the previous release's casts and columns of it fail; drop it only once no running release uses it"
        default:
            advice = "the previous release still reads and writes it; stop using it in one release, drop it in the next"
        }
        report(.releaseDrop, 0, "DROP \(object) \(name): \(advice) (mark that step -- schemajob:contract <reason>)")
    }

    mutating func checkCompatibleAlter(_ view: StatementView, _ report: Report) {
        var (object, index) = Self.alteredObject(view)
        if view.matches(index, "IF", "EXISTS") { index += 2 }
        if view.isKeyword(index, "ONLY") { index += 1 }
        guard let name = view.qualifiedName(index) else { return }
        let described = name.parts.joined(separator: ".")
        let contract = "(mark that step -- schemajob:contract <reason>)"
        guard object == "TABLE" || object == "FOREIGN TABLE" else {
            // ALTER VIEW, TYPE, FUNCTION, SEQUENCE … RENAME [TO | COLUMN | VALUE].
            guard ["VIEW", "MATERIALIZED VIEW", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "SEQUENCE"].contains(object),
                let rename = view.firstTopLevel("RENAME", from: name.next)
            else { return }
            let what = view.isKeyword(rename + 1, "VALUE") ? "an enum value of \(described)" : described
            report(.releaseRename, rename, "ALTER \(object) … RENAME renames \(what): the previous release still uses the old name; add the new one beside it (a view, a wrapper function, a new value), move the readers over, and drop the old one in a later release \(contract)")
            return
        }
        // A table this file created has no rows and no previous release using it.
        guard mayHoldRows(name.parts) else { return }
        var start = name.next
        if view.isPunctuation(start, UInt8(ascii: "*")) { start += 1 }
        let actions = view.topLevelListStarts(from: start)
        for (number, action) in actions.enumerated() {
            let end = number + 1 < actions.count ? actions[number + 1] : view.count
            switch view.keyword(action) {
            case "DROP":
                var position = action + 1
                if view.isKeyword(position, "CONSTRAINT") { continue }
                if view.isKeyword(position, "COLUMN") { position += 1 }
                if view.matches(position, "IF", "EXISTS") { position += 2 }
                let column = view.identifier(position) ?? ""
                report(.releaseDrop, action, "DROP COLUMN \(described).\(column): the previous release still reads and writes it; stop using it in one release, drop it in the next \(contract)")
            case "RENAME":
                if view.isKeyword(action + 1, "TO") {
                    report(.releaseRename, action, "RENAME TO renames table \(described): the previous release still uses the old name; make the new table (or a view of the old name) beside it and drop the old one in a later release \(contract)")
                } else if !view.isKeyword(action + 1, "CONSTRAINT") {
                    let column = view.isKeyword(action + 1, "COLUMN") ? action + 2 : action + 1
                    report(.releaseRename, action, "RENAME COLUMN \(described).\(view.identifier(column) ?? ""): the previous release still uses the old name; add the new column, write both (a trigger), move the readers over, and drop the old one in a later release \(contract)")
                }
            case "ALTER":
                let column = view.isKeyword(action + 1, "COLUMN") ? action + 2 : action + 1
                let columnName = "\(described).\(view.identifier(column) ?? "")"
                if view.isKeyword(column + 1, "TYPE") || view.matches(column + 1, "SET", "DATA", "TYPE") {
                    report(.releaseTypeChange, action, "ALTER COLUMN \(columnName) TYPE: the previous release may not read or write the new type (a widening, varchar(50) → varchar(255) or integer → bigint, is fine: schemajob test --from tells them apart); otherwise add a column of the new type, write both, and drop the old one in a later release \(contract)")
                } else if view.matches(column + 1, "SET", "NOT", "NULL") {
                    report(.releaseNotNull, action, "SET NOT NULL on \(columnName): the previous release may still write NULL there; set it once no running release does \(contract)")
                }
            case "ADD":
                var position = action + 1
                let saysColumn = view.isKeyword(position, "COLUMN")
                if saysColumn { position += 1 }
                if !saysColumn && view.isKeyword(position, oneOf: Self.constraintStarts) { continue }
                if view.matches(position, "IF", "NOT", "EXISTS") { position += 3 }
                let range = position..<end
                let notNull = range.contains { view.matches($0, "NOT", "NULL") } || view.firstTopLevel(["PRIMARY"], in: range) != nil
                let filled = view.firstTopLevel(["DEFAULT", "GENERATED"], in: range) != nil
                    || (position + 1 < end && view.isKeyword(position + 1, oneOf: ["SERIAL", "BIGSERIAL", "SMALLSERIAL"]))
                if notNull && !filled {
                    report(.releaseNotNull, action, "ADD COLUMN \(described).\(view.identifier(position) ?? "") NOT NULL without a default: the previous release's INSERTs do not name it and fail; add it with a DEFAULT (or nullable), and drop the default or set NOT NULL in a later release \(contract)")
                }
            default:
                continue
            }
        }
    }

    /// CREATE [OR REPLACE] FUNCTION | PROCEDURE name (arguments): kept for `Linter`,
    /// which sees the whole set in order.
    mutating func recordRoutine(_ view: StatementView) {
        var index = 1
        if view.matches(index, "OR", "REPLACE") { index += 2 }
        guard view.isUpperCasedKeyword(index, anyOf: EscapeRules.routineWords), let name = view.qualifiedName(index + 1),
            view.isPunctuation(name.next, UInt8(ascii: "("))
        else { return }
        var depth = 0, close = name.next
        for position in name.next..<view.count {
            if view.isPunctuation(position, UInt8(ascii: "(")) { depth += 1 }
            if view.isPunctuation(position, UInt8(ascii: ")")) {
                depth -= 1
                if depth == 0 {
                    close = position
                    break
                }
            }
        }
        let arguments = view.tokens[(name.next + 1)..<max(close, name.next + 1)]
            .map { $0.kind == .word ? $0.text.lowercased() : $0.text }.joined(separator: " ")
        routineSignatures.append(RoutineSignature(
            name: name.parts.map { $0.lowercased() }.joined(separator: "."), arguments: arguments,
            location: view.location(0, path: file.displayPath), isAdvised: advisesOnLocks && !statementSilencesSignature))
    }

    /// `release-signature` over the whole set: a routine declared again with other
    /// arguments is a second overload beside the first (on an upgraded database; a fresh
    /// install has only the new one), and callers of the old one break once it is dropped.
    static func signatureFindings(_ signatures: some Sequence<RoutineSignature>) -> [Finding] {
        var seen: [String: RoutineSignature] = [:]
        var findings: [Finding] = []
        for signature in signatures {
            let key = signature.name.split(separator: ".").last.map(String.init) ?? signature.name
            if let earlier = seen[key], earlier.arguments != signature.arguments, signature.isAdvised {
                findings.append(Finding(
                    .releaseSignature, at: signature.location,
                    "\(signature.name)(\(signature.arguments)) has other arguments than at \(earlier.location.description) (\(earlier.arguments)): CREATE OR REPLACE makes a second overload, so upgraded databases keep the old one and fresh installs do not; keep the old signature until no running release calls it, then DROP FUNCTION it in a step marked -- schemajob:contract <reason>"))
            }
            seen[key] = signature
        }
        return findings
    }
}
