import Foundation

/// What a snapshot record is: the kinds of catalog object, a table's row key, and a
/// table's rows. The raw value is the word the catalog query writes and findings show,
/// and subjects sort by it, as they did when kinds were strings.
public enum SnapshotKind: String, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case schema
    case `extension`
    case table
    case column
    /// A table's row key (not a subject: see `CatalogSnapshot.rowKeys`).
    case rowKey = "rowkey"
    case constraint
    case index
    case trigger
    case function
    case view
    case sequence
    case type
    case enumValue = "enum value"
    case row

    public var description: String { rawValue }

    public static func < (lhs: SnapshotKind, rhs: SnapshotKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One thing a snapshot holds: a catalog object (`column`, `public.disks.disk_size`) or
/// the rows of a table that share a key (`row`, `public.gpu_types ("t4")`).
public struct SnapshotSubject: Hashable, Sendable, Comparable {
    public var kind: SnapshotKind
    public var name: String

    public static func < (lhs: SnapshotSubject, rhs: SnapshotSubject) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}

/// What a database holds, read from its catalogs (never from `pg_dump` text, so no
/// matching client version is needed and column order never counts): every schema,
/// table, column, constraint, index, trigger, function, view, sequence, type and enum
/// value outside the system schemas and schemajob's ledger, and every table's rows by
/// key with the values the run itself generates left out.
public struct CatalogSnapshot: Sendable, Equatable {
    /// The state of each subject: a catalog object's attributes, or a key's rows.
    public var entries: [SnapshotSubject: [String]]
    /// Each table's row key (column names), by table: what a fix's UPDATE or DELETE
    /// names a row by. Not a subject: a key that differs shows as its constraint.
    public var rowKeys: [String: [String]] = [:]

    /// Subjects whose state differs, with the state on each side (nil: absent there).
    public func changes(to other: CatalogSnapshot) -> [SnapshotChange] {
        Set(entries.keys).union(other.entries.keys).sorted().compactMap { subject in
            let before = entries[subject], after = other.entries[subject]
            return before == after ? nil : SnapshotChange(subject: subject, before: before, after: after)
        }
    }

    /// Record and field separators of the snapshot's output, which SQL text never holds;
    /// each record starts with the group separator so stray output between them is skipped.
    static let recordStart = "\u{1D}", fieldSeparator = "\u{1F}", recordEnd = "\u{1E}"

    /// The SQL that prints a snapshot: catalog objects, then each table's rows through
    /// `\gexec`, so it also works between the statements of a replay, whatever tables
    /// exist by then. `windowStart` is when the proof began, on the server's clock: a
    /// timestamp from then on is a value the run generated.
    static func query(windowStart: String) -> String {
        catalogQuery + "\n" + rowsQuery(windowStart: windowStart) + "\n"
    }

    static let userNamespaces = """
        WITH ns AS (
            SELECT oid, nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'schemajob')
               AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
        )
        """

    static let catalogQuery = userNamespaces + """

        SELECT E'\\x1D' || kind || E'\\x1F' || name || E'\\x1F' || array_to_string(attributes, E'\\x1F', '') || E'\\x1E'
          FROM (
            SELECT 'schema' AS kind, quote_ident(nspname) AS name, ARRAY[]::text[] AS attributes FROM ns
            UNION ALL
            SELECT 'extension', quote_ident(extname), ARRAY[]::text[] FROM pg_extension WHERE extname <> 'plpgsql'
            UNION ALL
            SELECT 'table', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   ARRAY[c.relkind::text, coalesce(ds.description, '')]
              FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
              LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
             WHERE c.relkind IN ('r', 'p', 'f')
            UNION ALL
            SELECT 'column', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
                   ARRAY[format_type(a.atttypid, a.atttypmod), coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                         -- 18 also keeps a column's NOT NULL as a named pg_constraint row (contype
                         -- 'n', left out below): it is the column's nullability, so one difference
                         -- is one finding on every major; only its NOT VALID (18) is read from it.
                         CASE WHEN a.attnotnull THEN 'NOT NULL' || CASE WHEN EXISTS (
                             SELECT FROM pg_constraint k WHERE k.conrelid = a.attrelid AND k.contype = 'n'
                                AND k.conkey[1] = a.attnum AND NOT k.convalidated) THEN ' NOT VALID' ELSE '' END
                              ELSE '' END, a.attidentity::text, a.attgenerated::text,
                         coalesce(ds.description, '')]
              FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid JOIN ns n ON n.oid = c.relnamespace
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
             WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'rowkey', quote_ident(n.nspname) || '.' || quote_ident(c.relname), ARRAY[coalesce(keys.key, '')]
              FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
              -- Each table's key: the primary key, else its narrowest plain unique index
              -- (by name on a tie), chosen for all tables in one pass, not once per table.
              LEFT JOIN (SELECT DISTINCT ON (i.indrelid) i.indrelid, i.indkey FROM pg_index i
                          WHERE i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL
                          ORDER BY i.indrelid, i.indisprimary DESC, i.indnatts, i.indexrelid::regclass::text) AS chosen
                ON chosen.indrelid = c.oid
              LEFT JOIN LATERAL (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.ordinality) AS key
                                   FROM unnest(chosen.indkey) WITH ORDINALITY AS k(attnum, ordinality)
                                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS keys ON true
             WHERE c.relkind IN ('r', 'p')
            UNION ALL
            SELECT 'constraint', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(k.conname),
                   ARRAY[pg_get_constraintdef(k.oid)]
              FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN ns n ON n.oid = c.relnamespace
             WHERE k.contype <> 'n'
            UNION ALL
            SELECT 'index', quote_ident(n.nspname) || '.' || quote_ident(ic.relname),
                   ARRAY[quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid)]
              FROM pg_index i
              JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
              JOIN ns n ON n.oid = ic.relnamespace
             WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k
                                WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
            UNION ALL
            SELECT 'trigger', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(t.tgname),
                   ARRAY[pg_get_triggerdef(t.oid)]
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns n ON n.oid = c.relnamespace
             WHERE NOT t.tgisinternal
            UNION ALL
            SELECT 'function', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   ARRAY[pg_get_functiondef(p.oid)]
              FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
             WHERE p.prokind IN ('f', 'p')
               AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
            UNION ALL
            SELECT 'view', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   -- The columns (name and type, one per line) are what an application
                   -- reads from a view: the previous release's check compares them.
                   ARRAY[c.relkind::text, pg_get_viewdef(c.oid),
                         coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), E'\n' ORDER BY a.attnum)
                                     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')]
              FROM pg_class c JOIN ns n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
            UNION ALL
            SELECT 'sequence', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   ARRAY[format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text, s.seqmin::text,
                         s.seqmax::text, s.seqcache::text, s.seqcycle::text]
              FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns n ON n.oid = c.relnamespace
            UNION ALL
            SELECT 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname),
                   ARRAY[t.typtype::text, CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE '' END]
              FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
             WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
               AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
            UNION ALL
            SELECT 'enum value', quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' ' || quote_literal(e.enumlabel),
                   ARRAY[(row_number() OVER (PARTITION BY t.oid ORDER BY e.enumsortorder))::text]
              FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN ns n ON n.oid = t.typnamespace
          ) AS objects;
        """

    /// Each row as a JSON object of column → value as SQL text (keys in jsonb's own
    /// order, so column order never counts), with every value that reads as a timestamp
    /// inside the run's window replaced by "(generated)". `tables` (quote_ident'ed
    /// `schema.table`) limits it to those tables: drift reads no other table's rows.
    static func rowsQuery(windowStart: String, tables: [String]? = nil) -> String {
        let literal = "'" + windowStart.replacingOccurrences(of: "'", with: "''") + "'"
        let only = tables.map { names in
            "\n   AND quote_ident(n.nspname) || '.' || quote_ident(c.relname) IN ("
                + names.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ") + ")"
        } ?? ""
        return userNamespaces + """

            SELECT format($rows$
                SELECT E'\\x1D' || 'row' || E'\\x1F' || %L || E'\\x1F' || coalesce((
                    SELECT jsonb_object_agg(e.key, to_jsonb(CASE
                        WHEN jsonb_typeof(e.value) = 'string'
                             AND (e.value #>> '{}') ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?([+-]\\d\\d(:\\d\\d)?)?$'
                        THEN CASE WHEN (e.value #>> '{}')::timestamptz BETWEEN %L::timestamptz AND clock_timestamp()
                                  THEN '(generated)' ELSE quote_literal(e.value #>> '{}') END
                        WHEN jsonb_typeof(e.value) = 'string' THEN quote_literal(e.value #>> '{}')
                        WHEN jsonb_typeof(e.value) = 'null' THEN 'NULL'
                        ELSE e.value #>> '{}' END))
                      FROM jsonb_each(to_jsonb(r)) AS e), '{}'::jsonb)::text || E'\\x1E'
                  FROM %s AS r
                $rows$, quote_ident(n.nspname) || '.' || quote_ident(c.relname), \(literal)::text,
                        quote_ident(n.nspname) || '.' || quote_ident(c.relname))
              FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p')\(only)
             ORDER BY 1
            \\gexec
            """
    }

    /// The records of psql's output, in order: kind, name, attributes.
    static func records(in output: String) -> [[String]] {
        output.components(separatedBy: recordStart).dropFirst().compactMap { chunk in
            guard let end = chunk.range(of: recordEnd, options: .backwards) else { return nil }
            return chunk[..<end.lowerBound].components(separatedBy: fieldSeparator)
        }
    }

    /// A snapshot from records: catalog objects as they are; rows grouped by their key
    /// (the primary key, else the narrowest unique index), with generated columns
    /// (identity, `nextval`, random UUID defaults) left out. A table without a usable
    /// key groups identical rows, so a duplicated row shows as a count.
    init(records: [[String]]) {
        var entries: [SnapshotSubject: [String]] = [:]
        var keys: [String: [String]] = [:]
        var generated: [String: Set<String>] = [:]
        var rows: [(table: String, json: String)] = []
        for record in records where record.count >= 2 {
            // A kind this build does not know (a newer query's) is skipped, as a short record is.
            guard let kind = SnapshotKind(rawValue: record[0]) else { continue }
            let name = record[1], attributes = Array(record.dropFirst(2))
            switch kind {
            case .row:
                rows.append((name, attributes.joined()))
            case .rowKey:
                keys[name] = attributes.first.map { $0.split(separator: ",").map { Self.unquoted(String($0)) } } ?? []
            default:
                entries[SnapshotSubject(kind: kind, name: name)] = attributes
                let column = kind == .column && attributes.count >= 4 ? ColumnState(attributes) : nil
                if let column, Self.isGenerated(default: column.defaultExpression, identity: column.identity) {
                    let (table, column) = Self.splitColumn(name)
                    generated[table, default: []].insert(column)
                }
            }
        }
        for (table, json) in rows {
            let values = Self.decode(json).filter { !(generated[table]?.contains($0.key) ?? false) }
            let keyColumns = keys[table] ?? []
            let usable = !keyColumns.isEmpty && keyColumns.allSatisfy { values[$0] != nil }
            let row = Self.render(values)
            let key = usable ? "(" + keyColumns.map { values[$0] ?? "NULL" }.joined(separator: ", ") + ")" : row
            entries[SnapshotSubject(kind: .row, name: table + " " + key), default: []].append(row)
        }
        for (subject, value) in entries where subject.kind == .row {
            entries[subject] = value.sorted()
        }
        self.entries = entries
        self.rowKeys = keys.filter { !$0.value.isEmpty }
    }

    /// A value the run generates: identity columns, sequence and random-UUID defaults.
    static func isGenerated(default expression: String, identity: String) -> Bool {
        !identity.isEmpty
            || ["nextval(", "gen_random_uuid(", "uuid_generate_v1(", "uuid_generate_v4("].contains { expression.contains($0) }
    }

    /// `public.disks.disk_size` → (`public.disks`, `disk_size`); names come quote_ident'ed.
    static func splitColumn(_ name: String) -> (String, String) {
        let parts = splitQualified(name)
        return (parts.dropLast().joined(separator: "."), unquoted(parts.last ?? ""))
    }

    /// Splits at the dots outside double quotes.
    static func splitQualified(_ name: String) -> [String] {
        split(Substring(name), on: ".", outside: "\"")
    }

    /// Splits at each `separator` that is not between two `quote` characters (a doubled
    /// quote inside closes and reopens, which leaves it inside).
    static func split(_ text: Substring, on separator: Character, outside quote: Character) -> [String] {
        var parts: [String] = [], current = "", quoted = false
        for character in text {
            if character == quote { quoted.toggle() }
            if character == separator && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    static func unquoted(_ identifier: String) -> String {
        guard identifier.hasPrefix("\""), identifier.hasSuffix("\""), identifier.count >= 2 else { return identifier }
        return String(identifier.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// A row's JSON object: column → the value as SQL would write it (`'t4'`, `4`, `NULL`).
    static func decode(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        return object.mapValues { $0 as? String ?? "NULL" }
    }

    /// `{column: value, ...}` in column-name order: one line a reader can compare.
    static func render(_ values: [String: String]) -> String {
        "{" + values.keys.sorted().map { "\($0): \(values[$0]!)" }.joined(separator: ", ") + "}"
    }

    /// Column → value of a row rendered by `render` (for naming the columns that differ).
    static func columns(ofRow row: String) -> [(String, String)] {
        var text = Substring(row)
        guard text.hasPrefix("{"), text.hasSuffix("}") else { return [] }
        text = text.dropFirst().dropLast()
        var result: [(String, String)] = []
        let pieces = split(text, on: ",", outside: "'")
        for piece in pieces {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.range(of: ": ") else { continue }
            result.append((String(trimmed[..<colon.lowerBound]), String(trimmed[colon.upperBound...])))
        }
        return result
    }
}

/// One subject that differs between two snapshots.
public struct SnapshotChange: Sendable, Equatable {
    public var subject: SnapshotSubject
    public var before: [String]?
    public var after: [String]?
}

/// A column's attributes by name, in the order the catalog query writes them
/// (`format_type`, the default, `NOT NULL`, `attidentity`, `attgenerated`, the comment);
/// an attribute a short record lacks reads as empty.
struct ColumnState: Equatable {
    var type: String
    var defaultExpression: String
    /// `NOT NULL`, `NOT NULL NOT VALID` (18: a NOT NULL constraint not yet validated) or empty.
    var notNull: String
    /// `a` (ALWAYS), `d` (BY DEFAULT) or empty.
    var identity: String
    /// `s` (a stored generated column), `v` (a virtual one, 18) or empty.
    var generated: String
    var comment: String

    init(_ attributes: [String]) {
        func at(_ index: Int) -> String { index < attributes.count ? attributes[index] : "" }
        type = at(0)
        defaultExpression = at(1)
        notNull = at(2)
        identity = at(3)
        generated = at(4)
        comment = at(5)
    }

    /// Each attribute with the word a finding calls it, in the query's order.
    static var fields: [(label: String, value: KeyPath<ColumnState, String>)] {
        [
            ("type", \.type), ("default", \.defaultExpression), ("nullability", \.notNull), ("identity", \.identity),
            ("generated", \.generated), ("comment", \.comment),
        ]
    }
}

/// A sequence's attributes by name, in the order the catalog query writes them.
struct SequenceState: Equatable {
    var type: String
    var start: String
    var increment: String
    var minimum: String
    var maximum: String
    var cache: String
    /// `true` or `false`.
    var cycles: String

    /// Nil for a record short of the seven attributes.
    init?(_ attributes: [String]) {
        guard attributes.count >= 7 else { return nil }
        (type, start, increment, minimum, maximum, cache, cycles) =
            (attributes[0], attributes[1], attributes[2], attributes[3], attributes[4], attributes[5], attributes[6])
    }
}

/// An index's attributes by name: the table it is on and `pg_get_indexdef`.
struct IndexState: Equatable {
    var table: String
    var definition: String

    /// Nil for a record short of the two attributes.
    init?(_ attributes: [String]) {
        guard attributes.count > 1 else { return nil }
        (table, definition) = (attributes[0], attributes[1])
    }
}

/// A table's attributes by name: `relkind` (`r`, `p`, `f`) and its comment.
struct TableState: Equatable {
    var relkind: String
    var comment: String

    /// Nil for a record short of the two attributes.
    init?(_ attributes: [String]) {
        guard attributes.count > 1 else { return nil }
        (relkind, comment) = (attributes[0], attributes[1])
    }
}

/// A view's attributes by name: `relkind` (`v`, or `m` for a materialized view) and
/// `pg_get_viewdef`.
struct ViewState: Equatable {
    var relkind: String
    var definition: String
    /// `name type`, one per column, in the view's order.
    var columns: [String]

    init(_ attributes: [String]) {
        relkind = attributes.first ?? ""
        definition = attributes.count > 1 ? attributes[1] : ""
        columns = attributes.count > 2 ? attributes[2].split(separator: "\n").map(String.init) : []
    }
}

/// A type's attributes by name: `typtype` (`e` enum, `d` domain, `c` composite) and a
/// domain's base type (empty for the others).
struct TypeState: Equatable {
    var typtype: String
    var domainBase: String?

    init(_ attributes: [String]) {
        typtype = attributes.first ?? ""
        domainBase = attributes.count > 1 ? attributes[1] : nil
    }
}
