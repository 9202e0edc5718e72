import Foundation

/// The statements that bring a database an upgrade left behind into line with a fresh
/// install, as one script in an order that runs.
///
/// What exists under another name with the same definition is renamed, never dropped
/// and made again (a table's serial sequence, primary key and checks keep the old
/// table's names when the table is renamed). A difference PostgreSQL can close in place
/// is closed in place: VALIDATE CONSTRAINT, SET/DROP NOT NULL, SET DEFAULT. Each
/// statement can run again (the script becomes a file that runs on every deploy).
/// Whether the script works is never assumed here: `Proof.proveFix` runs it.
public struct FixSet: Sendable {
    /// When a statement runs within the script. Renames come first so that everything
    /// after them names objects as a fresh install does; what is created (schemas, types,
    /// sequences, functions, columns) comes before the defaults, constraints, indexes and
    /// triggers that use it; a constraint is dropped before its replacement is added (a
    /// table has one primary key); the rest is dropped last, once nothing uses it.
    public enum Stage: Int, Sendable, Comparable {
        case rename, create, column, alter, dropConstraint, addConstraint, index, trigger, row, drop

        public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Statement: Sendable, Equatable {
        public var stage: Stage
        /// The order within a stage: a foreign key is dropped before and added after
        /// the keys it references; enum values are added in their order.
        public var rank: Int
        public var sql: String
        /// The differences it closes: a rename's first two are the new and the old name,
        /// then the defaults that call a renamed sequence.
        public var subjects: [SnapshotSubject]
    }

    /// In the order they run.
    public var statements: [Statement]

    public var isEmpty: Bool { statements.isEmpty }

    /// The subject only the upgraded database has, for each one a rename gives to it.
    public var renamedFrom: [SnapshotSubject: SnapshotSubject] {
        Dictionary(
            statements.filter { $0.stage == .rename && $0.subjects.count >= 2 }.map { ($0.subjects[0], $0.subjects[1]) },
            uniquingKeysWith: { first, _ in first })
    }

    public var script: String {
        statements.map(\.sql).joined(separator: "\n") + (statements.isEmpty ? "" : "\n")
    }

    /// The statements written for `subject`, for a finding about it.
    public func sql(for subject: SnapshotSubject) -> String? {
        let mine = statements.filter { $0.subjects.contains(subject) }.map(\.sql)
        return mine.isEmpty ? nil : mine.joined(separator: "\n")
    }

    /// The fix for every difference between `fresh` (what is right) and `upgraded`.
    public static func build(from fresh: CatalogSnapshot, to upgraded: CatalogSnapshot) -> FixSet {
        var renames = Renames(fresh: fresh, upgraded: upgraded)
        renames.findAll()
        var statements = renames.statements
        let changes = fresh.changes(to: renames.upgraded)
        let extraTables = Set(changes.filter { $0.subject.kind == .table && $0.before == nil }.map(\.subject.name))
        let missingTables = Set(changes.filter { $0.subject.kind == .table && $0.after == nil }.map(\.subject.name))
        for change in changes {
            // What belongs to a table only one side has goes with the table.
            if let owner = owningTable(change, in: fresh, renames.upgraded),
                extraTables.contains(owner) || missingTables.contains(owner)
            {
                continue
            }
            statements += fixes(for: change, expected: fresh, actual: renames.upgraded)
        }
        let ordered = statements.enumerated().sorted { lhs, rhs in
            (lhs.element.stage, lhs.element.rank, lhs.offset) < (rhs.element.stage, rhs.element.rank, rhs.offset)
        }.map(\.element)
        return FixSet(statements: ordered)
    }

    // MARK: Renames

    /// Pairs of an object only a fresh install has and one only the upgraded database
    /// has, of one kind and one definition. `upgraded` is renamed as they are found, so
    /// each later search (and the differences left at the end) sees the fresh names.
    struct Renames {
        var fresh: CatalogSnapshot
        var upgraded: CatalogSnapshot
        var statements: [Statement] = []

        mutating func findAll() {
            findTables()
            findSequences()
            findIndexes()
            findConstraints()
        }

        func missingAndExtra(_ kind: SnapshotKind) -> (missing: [String], extra: [String]) {
            let changes = fresh.changes(to: upgraded).filter { $0.subject.kind == kind }
            return (changes.filter { $0.after == nil }.map(\.subject.name), changes.filter { $0.before == nil }.map(\.subject.name))
        }

        /// Pairs whose signatures match one to one; a signature shared by more than one
        /// object on either side says nothing about which is which.
        static func pairs(_ missing: [String], _ extra: [String], signature: (String) -> String?) -> [(missing: String, extra: String)] {
            let missingBySignature = Dictionary(grouping: missing.compactMap { name in signature(name).map { ($0, name) } }, by: \.0)
            let extraBySignature = Dictionary(grouping: extra.compactMap { name in signature(name).map { ($0, name) } }, by: \.0)
            return missingBySignature.keys.sorted().compactMap { key in
                guard let left = missingBySignature[key], let right = extraBySignature[key], left.count == 1, right.count == 1
                else { return nil }
                return (left[0].1, right[0].1)
            }
        }

        /// A table is its columns: names and types.
        mutating func findTables() {
            let (missing, extra) = missingAndExtra(.table)
            // Columns grouped by table once: a live database with thousands of tables
            // only it has (drift) must not cost a pass over every entry per table.
            func signature(_ snapshot: CatalogSnapshot) -> (String) -> String? {
                var columns: [String: [String]] = [:]
                for (subject, attributes) in snapshot.entries where subject.kind == .column {
                    let (table, column) = CatalogSnapshot.splitColumn(subject.name)
                    columns[table, default: []].append(column + " " + ColumnState(attributes).type)
                }
                return { table in columns[table].map { $0.sorted().joined(separator: ", ") } }
            }
            let freshSignature = signature(fresh), upgradedSignature = signature(upgraded)
            renameEach(
                Self.pairs(missing, extra) { freshSignature($0) ?? upgradedSignature($0) }, kind: .table, rank: 0
            ) { $0.renamingTable($1, to: $2) }
        }

        /// A serial's sequence is named by the column default that calls it; any other
        /// by a definition no other missing or extra sequence shares.
        mutating func findSequences() {
            var found: [(missing: String, extra: String)] = []
            var callers: [String: [SnapshotSubject]] = [:]
            for (subject, expected) in fresh.entries where subject.kind == .column {
                guard let actual = upgraded.entries[subject], expected.count > 1, actual.count > 1,
                    let new = Self.sequence(calledBy: ColumnState(expected).defaultExpression),
                    let old = Self.sequence(calledBy: ColumnState(actual).defaultExpression), new != old,
                    fresh.entries[SnapshotSubject(kind: .sequence, name: new)] != nil,
                    upgraded.entries[SnapshotSubject(kind: .sequence, name: new)] == nil,
                    upgraded.entries[SnapshotSubject(kind: .sequence, name: old)] != nil,
                    fresh.entries[SnapshotSubject(kind: .sequence, name: old)] == nil,
                    !found.contains(where: { $0.missing == new || $0.extra == old })
                else { continue }
                found.append((new, old))
                callers[new, default: []].append(subject)
            }
            let (missing, extra) = missingAndExtra(.sequence)
            let fresh = self.fresh, upgraded = self.upgraded
            found += Self.pairs(
                missing.filter { name in !found.contains { $0.missing == name } },
                extra.filter { name in !found.contains { $0.extra == name } }
            ) { name in
                (fresh.entries[SnapshotSubject(kind: .sequence, name: name)]
                    ?? upgraded.entries[SnapshotSubject(kind: .sequence, name: name)])?.joined(separator: " ")
            }
            renameEach(found.sorted { $0.missing < $1.missing }, kind: .sequence, rank: 1, closing: { callers[$0] ?? [] }) {
                $0.renamingSequence($1, to: $2)
            }
        }

        /// An index is its table and its definition without its own name.
        mutating func findIndexes() {
            let (missing, extra) = missingAndExtra(.index)
            let fresh = self.fresh, upgraded = self.upgraded
            let renamed = Self.pairs(missing, extra) { name in
                let subject = SnapshotSubject(kind: .index, name: name)
                guard let index = (fresh.entries[subject] ?? upgraded.entries[subject]).flatMap(IndexState.init) else { return nil }
                return index.table + " " + CatalogSnapshot.indexDefinitionWithoutName(index.definition)
            }
            renameEach(renamed, kind: .index, rank: 2) { $0.renamingIndex($1, to: $2) }
        }

        /// `ALTER TABLE|SEQUENCE|INDEX IF EXISTS old RENAME TO new` for each pair within one
        /// schema, and `upgraded` renamed the same way.
        mutating func renameEach(
            _ pairs: [(missing: String, extra: String)], kind: SnapshotKind, rank: Int,
            closing also: (String) -> [SnapshotSubject] = { _ in [] }, _ rename: (CatalogSnapshot, String, String) -> CatalogSnapshot
        ) {
            for (new, old) in pairs where Self.schema(new) == Self.schema(old) {
                statements.append(Statement(
                    stage: .rename, rank: rank,
                    sql: "ALTER \(kind.rawValue.uppercased()) IF EXISTS \(shown(old)) RENAME TO \(Self.lastPart(new));",
                    subjects: [SnapshotSubject(kind: kind, name: new), SnapshotSubject(kind: kind, name: old)] + also(new)))
                upgraded = rename(upgraded, old, new)
            }
        }

        /// A constraint is its table and its definition.
        mutating func findConstraints() {
            let (missing, extra) = missingAndExtra(.constraint)
            let fresh = self.fresh, upgraded = self.upgraded
            let renamed = Self.pairs(missing, extra) { name in
                let subject = SnapshotSubject(kind: .constraint, name: name)
                guard let definition = (fresh.entries[subject] ?? upgraded.entries[subject])?.first else { return nil }
                return CatalogSnapshot.splitColumn(name).0 + " " + definition
            }
            for (new, old) in renamed {
                let table = CatalogSnapshot.splitColumn(new).0
                let oldName = Self.lastPart(old), newName = Self.lastPart(new)
                // RENAME CONSTRAINT has no IF EXISTS: the check keeps the file re-runnable.
                let sql = """
                    DO $$
                    BEGIN
                        IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = \(MigrationScript.sqlLiteral(CatalogSnapshot.unquoted(oldName))) AND conrelid = \(MigrationScript.sqlLiteral(table))::regclass) THEN
                            ALTER TABLE \(shown(table)) RENAME CONSTRAINT \(oldName) TO \(newName);
                        END IF;
                    END $$;
                    """
                statements.append(Statement(
                    stage: .rename, rank: 3, sql: sql,
                    subjects: [SnapshotSubject(kind: .constraint, name: new), SnapshotSubject(kind: .constraint, name: old)]))
                self.upgraded = self.upgraded.renamingConstraint(old, to: new)
            }
        }

        /// `public.jobs_id_seq` from `nextval('jobs_id_seq'::regclass)`.
        static func sequence(calledBy expression: String) -> String? {
            guard let match = expression.firstMatch(of: #/nextval\('((?:[^']|'')+)'::regclass\)/#) else { return nil }
            let name = String(match.1)
            return CatalogSnapshot.splitQualified(name).count == 1 ? "public." + name : name
        }

        static func schema(_ name: String) -> String {
            CatalogSnapshot.splitQualified(name).dropLast().joined(separator: ".")
        }

        static func lastPart(_ name: String) -> String {
            CatalogSnapshot.splitQualified(name).last ?? name
        }
    }

    // MARK: One difference

    static func shown(_ name: String) -> String { ChangeDescription.shown(name) }

    /// The table a column, constraint, trigger, index or row belongs to.
    static func owningTable(_ change: SnapshotChange, in fresh: CatalogSnapshot, _ upgraded: CatalogSnapshot) -> String? {
        let name = change.subject.name
        switch change.subject.kind {
        case .column, .constraint, .trigger: return CatalogSnapshot.splitColumn(name).0
        case .index: return (change.before ?? change.after).flatMap(IndexState.init)?.table
        case .row:
            let tables = Set(fresh.rowKeys.keys).union(upgraded.rowKeys.keys)
                .union(fresh.entries.keys.filter { $0.kind == .table }.map(\.name))
                .union(upgraded.entries.keys.filter { $0.kind == .table }.map(\.name))
            return tables.filter { name.hasPrefix($0 + " ") }.max { $0.count < $1.count }
        default: return nil
        }
    }

    /// The statements that close one difference; none when no statement follows
    /// mechanically (a table only a fresh install has, an enum value PostgreSQL cannot drop).
    static func fixes(for change: SnapshotChange, expected: CatalogSnapshot, actual: CatalogSnapshot) -> [Statement] {
        let subject = change.subject, name = shown(subject.name)
        let before = change.before ?? [], after = change.after ?? []
        let missing = change.after == nil, extra = change.before == nil
        let parts = CatalogSnapshot.splitQualified(name)
        let owner = parts.dropLast().joined(separator: "."), last = parts.last ?? name
        func statement(_ stage: Stage, _ sql: String, rank: Int = 0) -> Statement {
            Statement(stage: stage, rank: rank, sql: sql, subjects: [subject])
        }
        switch subject.kind {
        case .schema:
            if missing { return [statement(.create, "CREATE SCHEMA IF NOT EXISTS \(name);", rank: -2)] }
            if extra { return [statement(.drop, "DROP SCHEMA IF EXISTS \(name);", rank: 9)] }
        case .`extension`:
            if missing { return [statement(.create, "CREATE EXTENSION IF NOT EXISTS \(name);", rank: -1)] }
        case .table:
            if extra {
                return [statement(.drop, "DROP TABLE IF EXISTS \(name); -- schemajob:allow drop-table: only upgraded databases have it; its rows go with it, once nothing reads them", rank: 5)]
            }
            if !missing, let expected = TableState(before), let actual = TableState(after), expected.relkind == actual.relkind {
                let comment = expected.comment
                return [statement(.alter, "COMMENT ON TABLE \(name) IS \(comment.isEmpty ? "NULL" : MigrationScript.sqlLiteral(comment));")]
            }
        case .column:
            return columnFixes(change, owner: owner, column: last, statement)
        case .constraint:
            return constraintFixes(change, table: owner, constraint: last, statement)
        case .index:
            guard before.count > 1 || after.count > 1 else { break }
            if extra { return [statement(.drop, "DROP INDEX IF EXISTS \(name);", rank: 2)] }
            guard let index = IndexState(before) else { break }
            let create = ChangeDescription.ifNotExists(index.definition) + ";"
            if missing { return [statement(.index, create)] }
            // Rebuilt only when its definition differs, not on every deploy.
            return [statement(.index, """
                DO $$
                BEGIN
                    IF pg_get_indexdef(to_regclass(\(MigrationScript.sqlLiteral(subject.name)))) IS DISTINCT FROM \(MigrationScript.sqlLiteral(index.definition)) THEN
                        DROP INDEX IF EXISTS \(name);
                        \(create)
                    END IF;
                END $$;
                """)]
        case .trigger:
            let drop = "DROP TRIGGER IF EXISTS \(last) ON \(owner);"
            if extra { return [statement(.drop, drop, rank: 1)] }
            return [statement(.trigger, drop + "\n" + (before.first ?? "") + ";")]
        case .function:
            if extra { return [statement(.drop, "DROP FUNCTION IF EXISTS \(name);", rank: 7)] }
            if let definition = before.first { return [statement(.create, definition.trimmingWhitespace() + ";", rank: 1)] }
        case .view:
            if extra { return [statement(.drop, (ViewState(after).relkind == "m" ? "DROP MATERIALIZED VIEW" : "DROP VIEW") + " IF EXISTS \(name);", rank: 0)] }
            if before.count > 1, case let view = ViewState(before), view.relkind == "v" {
                let body = view.definition.trimmingWhitespace()
                return [statement(.trigger, "CREATE OR REPLACE VIEW \(name) AS\n\(body)" + (body.hasSuffix(";") ? "" : ";"))]
            }
        case .sequence:
            if extra { return [statement(.drop, "DROP SEQUENCE IF EXISTS \(name);", rank: 6)] }
            guard let sequence = SequenceState(before) else { break }
            let cycle = sequence.cycles == "true" ? "CYCLE" : "NO CYCLE"
            let options = "AS \(sequence.type) INCREMENT BY \(sequence.increment) MINVALUE \(sequence.minimum) MAXVALUE \(sequence.maximum) START WITH \(sequence.start) CACHE \(sequence.cache) \(cycle)"
            if missing { return [statement(.create, "CREATE SEQUENCE IF NOT EXISTS \(name) \(options);")] }
            return [statement(.alter, "ALTER SEQUENCE \(name) \(options);")]
        case .type:
            if extra { return [statement(.drop, "DROP TYPE IF EXISTS \(name);", rank: 8)] }
            guard missing, !before.isEmpty else { break }
            let type = TypeState(before)
            var create: String?
            if type.typtype == "e" {
                let labels = expected.entries.filter { $0.key.kind == .enumValue && shown($0.key.name).hasPrefix(name + " ") }
                    .sorted { (Int($0.value.first ?? "") ?? 0) < (Int($1.value.first ?? "") ?? 0) }
                    .map { String(shown($0.key.name).dropFirst(name.count + 1)) }
                create = "CREATE TYPE \(name) AS ENUM (\(labels.joined(separator: ", ")));"
            } else if type.typtype == "d", let base = type.domainBase {
                create = "CREATE DOMAIN \(name) AS \(base);"
            }
            guard let create else { break }
            // CREATE TYPE has no IF NOT EXISTS.
            return [statement(.create, """
                DO $$
                BEGIN
                    IF to_regtype(\(MigrationScript.sqlLiteral(subject.name))) IS NULL THEN
                        \(create)
                    END IF;
                END $$;
                """, rank: 0)]
        case .enumValue:
            guard missing, let space = name.firstIndex(of: " ") else { break }
            let type = String(name[..<space]), label = String(name[name.index(after: space)...])
            let rank = Int(before.first ?? "") ?? 0
            let previous = expected.entries.first { entry in
                entry.key.kind == .enumValue && shown(entry.key.name).hasPrefix(type + " ") && entry.value.first == String(rank - 1)
            }
            let position = previous.map { " AFTER " + shown($0.key.name).dropFirst(type.count + 1) } ?? ""
            return [statement(.create, "ALTER TYPE \(type) ADD VALUE IF NOT EXISTS \(label)\(position);", rank: 100 + rank)]
        case .row:
            return rowFixes(change, expected: expected, actual: actual).map { statement(.row, $0) }
        default:
            break
        }
        return []
    }

    /// In place: SET/DROP DEFAULT, SET/DROP NOT NULL and TYPE are ALTER COLUMN actions.
    private static func columnFixes(
        _ change: SnapshotChange, owner: String, column: String, _ statement: (Stage, String, Int) -> Statement
    ) -> [Statement] {
        let before = change.before ?? [], after = change.after ?? []
        if change.before == nil {
            return [statement(.drop, "ALTER TABLE \(owner) DROP COLUMN IF EXISTS \(column); -- schemajob:allow drop-column: only upgraded databases have it; its data goes with it, once nothing reads it", 4)]
        }
        if change.after == nil {
            let added = statement(.column, "ALTER TABLE \(owner) ADD COLUMN IF NOT EXISTS \(column) \(columnDefinition(before));", 0)
            guard ColumnState(before).notNull.hasSuffix("NOT VALID") else { return [added] }
            return [added, statement(.alter, notValidNotNull(owner: owner, column: column), 1)]
        }
        let alter = "ALTER TABLE \(owner) ALTER COLUMN \(column)"
        // An attribute only one side's record has is not compared (records are never short in practice).
        let compared = min(before.count, after.count, ColumnState.fields.count)
        let expected = ColumnState(before), actual = ColumnState(after)
        func differs(_ field: KeyPath<ColumnState, String>) -> Bool {
            guard let position = ColumnState.fields.firstIndex(where: { $0.value == field }), position < compared else { return false }
            return expected[keyPath: field] != actual[keyPath: field]
        }
        // Identity and generated columns have no in-place change that this can write for certain.
        var fixes: [Statement] = []
        if differs(\.type) {
            fixes.append(statement(.column, "\(alter) TYPE \(expected.type) USING \(column)::\(expected.type);", 1))
        }
        if differs(\.defaultExpression) {
            let value = expected.defaultExpression
            fixes.append(statement(.alter, value.isEmpty ? "\(alter) DROP DEFAULT;" : "\(alter) SET DEFAULT \(value);", 0))
        }
        if differs(\.notNull) {
            switch (expected.notNull, actual.notNull) {
            case ("", _):
                fixes.append(statement(.alter, "\(alter) DROP NOT NULL;", 1))
            case (let notValid, "") where notValid.hasSuffix("NOT VALID"):
                // 18: unchecked rows stay; re-adding a constraint of the same name is a no-op.
                fixes.append(statement(.alter, notValidNotNull(owner: owner, column: column), 1))
            case (let notValid, _) where notValid.hasSuffix("NOT VALID"):
                // The live column is checked already: stricter than a fresh install, nothing to write.
                break
            default:
                // On 18 SET NOT NULL also validates a NOT VALID one.
                fixes.append(statement(.alter, "\(alter) SET NOT NULL;", 1))
            }
        }
        if differs(\.comment) {
            let comment = expected.comment
            fixes.append(statement(
                .alter, "COMMENT ON COLUMN \(owner).\(column) IS \(comment.isEmpty ? "NULL" : MigrationScript.sqlLiteral(comment));", 2))
        }
        return fixes
    }

    static func columnDefinition(_ attributes: [String]) -> String {
        let column = ColumnState(attributes)
        var text = column.type
        if column.generated == "s" || column.generated == "v" {
            text += " GENERATED ALWAYS AS (\(column.defaultExpression)) " + (column.generated == "s" ? "STORED" : "VIRTUAL")
        } else if !column.identity.isEmpty {
            text += column.identity == "a" ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY"
        } else if !column.defaultExpression.isEmpty {
            text += " DEFAULT \(column.defaultExpression)"
        }
        // A NOT VALID one cannot be written inline: ADD COLUMN leaves it out and a
        // statement of its own follows (`columnFixes`).
        if column.notNull == "NOT NULL" { text += " NOT NULL" }
        return text
    }

    /// 18's NOT NULL … NOT VALID under the name PostgreSQL gives it, guarded like any
    /// added constraint (a second NOT NULL of another name is an error).
    static func notValidNotNull(owner: String, column: String) -> String {
        let name = notNullName(owner: owner, column: column)
        return """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = \(MigrationScript.sqlLiteral(CatalogSnapshot.unquoted(name))) AND conrelid = \(MigrationScript.sqlLiteral(owner))::regclass) THEN
                    ALTER TABLE \(owner) ADD CONSTRAINT \(name) NOT NULL \(column) NOT VALID;
                END IF;
            END $$;
            """
    }

    /// The name PostgreSQL 18 gives a column's NOT NULL constraint: `<table>_<column>_not_null`.
    static func notNullName(owner: String, column: String) -> String {
        let table = CatalogSnapshot.unquoted(CatalogSnapshot.splitQualified(owner).last ?? owner)
        let name = "\(table)_\(CatalogSnapshot.unquoted(column))_not_null"
        let plain = name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } && !(name.first?.isNumber ?? true)
        return plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A constraint that is NOT VALID where a fresh install's is valid is validated in
    /// place (a scan under SHARE UPDATE EXCLUSIVE, writes go on); any other is replaced
    /// only when its definition differs, so the file does not rescan on every deploy.
    private static func constraintFixes(
        _ change: SnapshotChange, table: String, constraint: String, _ statement: (Stage, String, Int) -> Statement
    ) -> [Statement] {
        let before = change.before?.first, after = change.after?.first
        let foreignKey = (before ?? after ?? "").hasPrefix("FOREIGN KEY")
        guard let before else {
            return [statement(.dropConstraint, "ALTER TABLE \(table) DROP CONSTRAINT IF EXISTS \(constraint);", foreignKey ? 0 : 1)]
        }
        if let after, after == before + " NOT VALID" {
            return [statement(.addConstraint, "ALTER TABLE \(table) VALIDATE CONSTRAINT \(constraint);", foreignKey ? 1 : 0)]
        }
        let conname = MigrationScript.sqlLiteral(CatalogSnapshot.unquoted(constraint))
        let conrelid = MigrationScript.sqlLiteral(table) + "::regclass"
        let condition = after == nil
            ? "IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = \(conname) AND conrelid = \(conrelid)) THEN"
            : "IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = \(conname) AND conrelid = \(conrelid)\n           AND pg_get_constraintdef(oid) = \(MigrationScript.sqlLiteral(before))) THEN"
        let drop = after == nil ? "" : "\n        ALTER TABLE \(table) DROP CONSTRAINT IF EXISTS \(constraint);"
        return [statement(.addConstraint, """
            DO $$
            BEGIN
                \(condition)\(drop)
                    ALTER TABLE \(table) ADD CONSTRAINT \(constraint) \(before);
                END IF;
            END $$;
            """, foreignKey ? 1 : 0)]
    }

    /// A row is named by its table's key: UPDATE the columns that differ, INSERT what is
    /// missing, DELETE what only the upgrade has. Rows of a keyless table, and values
    /// the run generates, are left to the reader.
    private static func rowFixes(_ change: SnapshotChange, expected: CatalogSnapshot, actual: CatalogSnapshot) -> [String] {
        let before = change.before ?? [], after = change.after ?? []
        guard before.count <= 1, after.count <= 1,
            let table = owningTable(change, in: expected, actual),
            let key = expected.rowKeys[table] ?? actual.rowKeys[table]
        else { return [] }
        let old = CatalogSnapshot.columns(ofRow: before.first ?? ""), new = CatalogSnapshot.columns(ofRow: after.first ?? "")
        let wanted = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let found = Dictionary(new, uniquingKeysWith: { first, _ in first })
        let keyValues = wanted.isEmpty ? found : wanted
        guard key.allSatisfy({ keyValues[$0] != nil }) else { return [] }
        let condition = key.map { column in
            let value = keyValues[column]!
            return value == "NULL" ? "\(identifier(column)) IS NULL" : "\(identifier(column)) = \(literal(value))"
        }.joined(separator: " AND ")
        let target = shown(table)
        if before.isEmpty { return ["DELETE FROM \(target) WHERE \(condition);"] }
        let settable = old.filter { $0.1 != "(generated)" }
        if after.isEmpty {
            return ["INSERT INTO \(target) (\(settable.map { identifier($0.0) }.joined(separator: ", "))) VALUES (\(settable.map { literal($0.1) }.joined(separator: ", "))) ON CONFLICT DO NOTHING;"]
        }
        let differing = settable.filter { found[$0.0] != $0.1 && !key.contains($0.0) }
        guard !differing.isEmpty else { return [] }
        return ["UPDATE \(target) SET \(differing.map { "\(identifier($0.0)) = \(literal($0.1))" }.joined(separator: ", ")) WHERE \(condition);"]
    }

    static func identifier(_ name: String) -> String {
        name.wholeMatch(of: #/[a-z_][a-z0-9_$]*/#) != nil ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A value as the snapshot writes it (`'t4'`, `4`, `NULL`); a string holding a line
    /// break or another control character becomes an E'' string, so the script keeps one
    /// statement per line and reads the same when copied.
    static func literal(_ value: String) -> String {
        guard value.hasPrefix("'"), value.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return value }
        let inner = value.dropFirst().dropLast().replacingOccurrences(of: "\\", with: "\\\\")
        return "E'" + FindingFormat.oneLine(inner) + "'"
    }
}

extension CatalogSnapshot {
    /// `CREATE INDEX name ON …` → `CREATE INDEX ? ON …`.
    static func indexDefinitionWithoutName(_ definition: String) -> String {
        definition.replacing(#/^(CREATE (?:UNIQUE )?INDEX )\S+( ON )/#) { $0.1 + "?" + $0.2 }
    }

    /// Every subject of `table` under its new name, as `ALTER TABLE … RENAME` leaves them.
    func renamingTable(_ old: String, to new: String) -> CatalogSnapshot {
        renaming { subject, attributes in
            var subject = subject, attributes = attributes
            // A column, constraint or trigger is named `table.name`; a row `table key`.
            let separator = [.column, .constraint, .trigger].contains(subject.kind) ? "." : subject.kind == .row ? " " : nil
            if subject.kind == .table, subject.name == old {
                subject.name = new
            } else if let separator, subject.name.hasPrefix(old + separator) {
                subject.name = new + subject.name.dropFirst(old.count)
            } else if subject.kind == .index, attributes.first == old {
                attributes[0] = new
                if attributes.count > 1 { attributes[1] = attributes[1].replacingOccurrences(of: " ON \(old) ", with: " ON \(new) ") }
            }
            return (subject, attributes)
        } keys: { $0 == old ? new : $0 }
    }

    /// The sequence under its new name; defaults call it by its OID, so they follow.
    func renamingSequence(_ old: String, to new: String) -> CatalogSnapshot {
        let oldCall = "nextval(" + MigrationScript.sqlLiteral(ChangeDescription.shown(old)) + "::regclass)"
        let newCall = "nextval(" + MigrationScript.sqlLiteral(ChangeDescription.shown(new)) + "::regclass)"
        return renaming { subject, attributes in
            var subject = subject, attributes = attributes
            if subject.kind == .sequence, subject.name == old { subject.name = new }
            if subject.kind == .column, attributes.count > 1 { attributes[1] = attributes[1].replacingOccurrences(of: oldCall, with: newCall) }
            return (subject, attributes)
        }
    }

    func renamingIndex(_ old: String, to new: String) -> CatalogSnapshot {
        let oldLast = CatalogSnapshot.splitQualified(old).last ?? old, newLast = CatalogSnapshot.splitQualified(new).last ?? new
        return renaming { subject, attributes in
            guard subject.kind == .index, subject.name == old else { return (subject, attributes) }
            var attributes = attributes
            if attributes.count > 1 {
                attributes[1] = attributes[1].replacingOccurrences(of: "INDEX \(oldLast) ON ", with: "INDEX \(newLast) ON ")
            }
            return (SnapshotSubject(kind: .index, name: new), attributes)
        }
    }

    func renamingConstraint(_ old: String, to new: String) -> CatalogSnapshot {
        renaming { subject, attributes in
            subject.kind == .constraint && subject.name == old ? (SnapshotSubject(kind: .constraint, name: new), attributes)
                : (subject, attributes)
        }
    }

    private func renaming(
        _ transform: (SnapshotSubject, [String]) -> (SnapshotSubject, [String]), keys: (String) -> String = { $0 }
    ) -> CatalogSnapshot {
        var copy = self
        copy.entries = Dictionary(entries.map { transform($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        copy.rowKeys = Dictionary(rowKeys.map { (keys($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
        return copy
    }
}
