/// One thing `lint` checks: an id to name it (in output and in
/// `-- schemajob:allow <id>`), why it matters, and how to fix it.
public struct LintRule: Sendable, Hashable, Identifiable {
    public enum Family: String, Sendable {
        /// A statement that fails, or does something twice, on the next run.
        case idempotency
        /// A statement PostgreSQL refuses inside the run's one transaction.
        case transaction
        /// A statement that destroys data; allowed only on purpose.
        case destructive
        /// File names and bytes.
        case layout
        /// The append-only lock, `schema.sum`.
        case lock
        /// Text psql cannot run as a whole: a string, comment or body left open.
        case syntax
        /// What a database made from an earlier state of the files will not get
        /// (`lint --from`): the file ran there already, and its new text never runs.
        case upgrade
        /// A statement that holds a lock every API query on the table queues behind, for
        /// as long as it rewrites or scans the whole table.
        case locking
        /// A statement that reaches outside the database, or takes the run's session over:
        /// never silenced, and refused by every run path (`RunSafety`).
        case escape
        /// What only a stored function body (or a string literal) would do: it runs when
        /// someone calls it, not with the migration. A warning (see `EscapeRules`).
        case storedCode = "stored-code"
        /// A statement the release before this one cannot run after: both run on one
        /// schema during the rollout, and a rollback puts the old one back on it. A
        /// warning with the expand/contract advice; `-- schemajob:contract <reason>`
        /// marks the contract step that breaks it on purpose.
        case compatibility
    }

    public var id: String
    public var family: Family
    public var reason: String
    public var hint: String

    /// Statement rules can be silenced per statement; layout, lock and syntax rules
    /// cannot, nor can the rule that catches a misspelt allow.
    public var canBeAllowed: Bool {
        family != .layout && family != .lock && family != .syntax && family != .upgrade && family != .escape
            && id != "unknown-allow"
    }

    /// Errors are what fails a run or does harm; layout, readability and lock advice are
    /// warnings, which are printed and never block a render (see `--strict`).
    public var severity: Finding.Severity {
        family == .layout || family == .locking || family == .storedCode || family == .compatibility ? .warning : .error
    }
}

extension LintRule {
    // Every file runs again on every deployment, against a database where it already
    // ran: each statement must succeed, and change nothing, the second time.

    public static let createIfNotExists = LintRule(
        id: "create-if-not-exists", family: .idempotency,
        reason: "CREATE of a table, index, sequence, schema, extension or materialized view fails when it exists",
        hint: "write CREATE … IF NOT EXISTS (and give an index a name)")
    public static let createOrReplace = LintRule(
        id: "create-or-replace", family: .idempotency,
        reason: "CREATE of a function, procedure, view or rule fails when it exists",
        hint: "write CREATE OR REPLACE …")
    public static let createTrigger = LintRule(
        id: "create-trigger", family: .idempotency,
        reason: "CREATE TRIGGER fails when the trigger exists",
        hint: "put DROP TRIGGER IF EXISTS <trigger> ON <table>; before it in the same file, or write CREATE OR REPLACE TRIGGER")
    public static let unguardedCreate = LintRule(
        id: "unguarded-create", family: .idempotency,
        reason: "CREATE TYPE, DOMAIN, POLICY, ROLE and the like have no IF NOT EXISTS and fail when the object exists",
        hint: "wrap it in DO $$ BEGIN IF to_regtype('<name>') IS NULL THEN … END IF; END $$; (or a check against the catalog)")
    public static let addColumnIfNotExists = LintRule(
        id: "add-column-if-not-exists", family: .idempotency,
        reason: "ALTER TABLE … ADD COLUMN fails when the column exists",
        hint: "write ADD COLUMN IF NOT EXISTS")
    public static let unguardedAddConstraint = LintRule(
        id: "unguarded-add-constraint", family: .idempotency,
        reason: "ALTER TABLE … ADD CONSTRAINT has no IF NOT EXISTS: it fails, or adds a second copy, when run again",
        hint: "wrap it in a DO block: IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '<name>' AND conrelid = '<table>'::regclass) THEN … END IF; or replace it on every run: ALTER TABLE <table> DROP CONSTRAINT IF EXISTS <name> before the ADD")
    public static let addValueIfNotExists = LintRule(
        id: "add-value-if-not-exists", family: .idempotency,
        reason: "ALTER TYPE … ADD VALUE fails when the enum value exists",
        hint: "write ADD VALUE IF NOT EXISTS")
    public static let unguardedRename = LintRule(
        id: "unguarded-rename", family: .idempotency,
        reason: "a RENAME fails on the next run, when the old name is gone",
        hint: "wrap it in a DO block that checks the old name still exists (information_schema.columns, pg_constraint, to_regclass)")
    public static let dropIfExists = LintRule(
        id: "drop-if-exists", family: .idempotency,
        reason: "DROP fails when the object is already gone",
        hint: "write DROP … IF EXISTS")
    public static let insertWithoutOnConflict = LintRule(
        id: "insert-without-on-conflict", family: .idempotency,
        reason: "an INSERT without ON CONFLICT adds the rows again, or fails on a key, on the next run",
        hint: "end it with ON CONFLICT (<key>) DO UPDATE SET … (or DO NOTHING), or insert … SELECT … WHERE NOT EXISTS (…)")

    public static let nonTransactional = LintRule(
        id: "non-transactional", family: .transaction,
        reason: "the whole run is one transaction, and this statement cannot run inside a transaction block",
        hint: "put it in a file of its own that starts with `-- schemajob:no-transaction`, or use CREATE INDEX without CONCURRENTLY")
    public static let transactionControl = LintRule(
        id: "transaction-control", family: .transaction,
        reason: "the run supplies the one transaction around every file; a file must not begin, commit or roll it back",
        hint: "remove the statement: every file already runs inside the run's transaction")
    public static let psqlMetaCommand = LintRule(
        id: "psql-meta-command", family: .escape,
        reason: "psql reads a backslash outside quotes, comments and dollar bodies, anywhere on a line, as a meta-command: one can run a shell command (\\!, \\g |cmd, backticks), write a file (\\o, \\g file, \\copy) or end the run's session; the run never lets psql read a file, so it cannot run at all",
        hint: "remove the backslash command; write plain SQL")

    public static let dropTable = LintRule(
        id: "drop-table", family: .destructive,
        reason: "DROP TABLE destroys data (and earlier files create the table again on the next run)",
        hint: "if it is meant, say so with -- schemajob:allow drop-table in the statement")
    public static let dropColumn = LintRule(
        id: "drop-column", family: .destructive,
        reason: "ALTER TABLE … DROP COLUMN destroys data (and an earlier file may add the column again)",
        hint: "if it is meant, say so with -- schemajob:allow drop-column in the statement")
    public static let truncate = LintRule(
        id: "truncate", family: .destructive,
        reason: "TRUNCATE empties a table on every run",
        hint: "if it is meant, say so with -- schemajob:allow truncate in the statement")
    public static let deleteWithoutWhere = LintRule(
        id: "delete-without-where", family: .destructive,
        reason: "DELETE without WHERE empties a table on every run",
        hint: "add a WHERE clause, or -- schemajob:allow delete-without-where if it is meant")
    public static let updateWithoutWhere = LintRule(
        id: "update-without-where", family: .destructive,
        reason: "UPDATE without WHERE rewrites every row on every run",
        hint: "add a WHERE clause, or -- schemajob:allow update-without-where if it is meant")
    public static let unknownAllow = LintRule(
        id: "unknown-allow", family: .idempotency,
        reason: "a schemajob:allow comment names no rule that can be allowed, so it silences nothing",
        hint: "use one of the statement rule ids listed by lint --help (a typo silences nothing)")

    // Advice for new files: each of these holds ACCESS EXCLUSIVE (or SHARE) on a table
    // that already has rows while it rewrites or scans all of them, and every API query on
    // the table waits that long. Files locked in schema.sum are not advised: they are
    // deployed and cannot change.

    public static let alterColumnType = LintRule(
        id: "alter-column-type", family: .locking,
        reason: "ALTER COLUMN … TYPE rewrites the table (and its indexes) under ACCESS EXCLUSIVE, unless the new type is binary-compatible",
        hint: "add a new column, fill it in batches, and switch readers over; or accept the outage in a quiet window")
    public static let volatileDefault = LintRule(
        id: "volatile-default", family: .locking,
        reason: "ADD COLUMN … DEFAULT with a volatile function rewrites the whole table under ACCESS EXCLUSIVE (a constant or now() does not, since PostgreSQL 11)",
        hint: "add the column without a default (or with a constant), set the default in a second statement, and fill old rows in batches")
    public static let setNotNull = LintRule(
        id: "set-not-null", family: .locking,
        reason: "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless a validated CHECK (column IS NOT NULL) already proves it",
        hint: "ADD CONSTRAINT … CHECK (column IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan)")
    public static let constraintNotValid = LintRule(
        id: "constraint-not-valid", family: .locking,
        reason: "ADD CONSTRAINT … CHECK or FOREIGN KEY checks every row while it holds a lock that blocks writes",
        hint: "add it NOT VALID (only new rows are checked), then ALTER TABLE … VALIDATE CONSTRAINT in a later statement, which lets writes through")
    public static let indexNotConcurrent = LintRule(
        id: "index-not-concurrent", family: .locking,
        reason: "CREATE INDEX on a table an earlier file created holds a SHARE lock, which blocks every write, while it reads the whole table",
        hint: "write CREATE INDEX CONCURRENTLY IF NOT EXISTS in a file of its own that starts with `-- schemajob:no-transaction`")
    public static let replaceTrigger = LintRule(
        id: "replace-trigger", family: .locking,
        reason: "DROP TRIGGER takes ACCESS EXCLUSIVE on every run, so it waits behind any open read of the table and every query queues behind it",
        hint: "write CREATE OR REPLACE TRIGGER (PostgreSQL 14+) and drop the DROP TRIGGER IF EXISTS: it takes SHARE ROW EXCLUSIVE, which reads do not block")

    // The release before this one keeps running on the new schema (the rollout, a
    // rollback): what it reads, writes and calls must stay. Static advice; `schemajob
    // test --from REV` proves it on the catalogs.

    public static let releaseDrop = LintRule(
        id: "release-drop", family: .compatibility,
        reason: "DROP COLUMN, TABLE, VIEW, TYPE, FUNCTION or SEQUENCE removes what the previous release, still running during the rollout (and again after a rollback), reads, writes or calls",
        hint: "expand/contract: stop using it in one release, drop it in the next, in a statement marked -- schemajob:contract <reason>")
    public static let releaseRename = LintRule(
        id: "release-rename", family: .compatibility,
        reason: "RENAME of a table, column, view, type, enum value or function takes away the name the previous release uses",
        hint: "expand/contract: add the new name beside the old (a new column written by both, a view, a wrapper), move the readers over, drop the old name later in a step marked -- schemajob:contract <reason>")
    public static let releaseTypeChange = LintRule(
        id: "release-type-change", family: .compatibility,
        reason: "ALTER COLUMN … TYPE may give the previous release a type it cannot read or write (a widening such as varchar(50) → varchar(255) or integer → bigint is fine)",
        hint: "widen only, or add a column of the new type, write both, and drop the old one in a later release; schemajob test --from REV tells a widening apart")
    public static let releaseNotNull = LintRule(
        id: "release-not-null", family: .compatibility,
        reason: "SET NOT NULL, or ADD COLUMN … NOT NULL without a default, fails the previous release's writes: it may write NULL there, and its INSERTs do not name a new column",
        hint: "add the column nullable or with a DEFAULT; set NOT NULL (or drop the default) once no running release writes without it")
    public static let releaseSignature = LintRule(
        id: "release-signature", family: .compatibility,
        reason: "a function or procedure declared again with other arguments is a second overload: upgraded databases keep the old one, fresh installs lack it, and dropping it breaks the previous release's calls",
        hint: "keep the old signature (a wrapper over the new one) while a running release calls it; drop it later in a step marked -- schemajob:contract <reason>")
    public static let contractBreaksNothing = LintRule(
        id: "contract-breaks-nothing", family: .compatibility,
        reason: "a -- schemajob:contract marker on a statement that breaks nothing the previous release uses: it lists a contract step on the Job that is none",
        hint: "move the marker to the statement that breaks the previous release, or remove it")

    public static let fileName = LintRule(
        id: "file-name", family: .layout,
        reason: "files are applied in byte order of their names; NNN_name.sql keeps that order the intended one",
        hint: "rename it to NNN_snake_case_name.sql, with the next free three-digit number")
    public static let duplicateNumber = LintRule(
        id: "duplicate-number", family: .layout,
        reason: "two files with one number leave their order to the rest of the name",
        hint: "give the newer file the next free number")
    public static let notSQL = LintRule(
        id: "not-sql", family: .layout,
        reason: "only *.sql files are applied; anything else in schema/ or fixtures/ is silently skipped",
        hint: "move it out of the directory, or rename it to NNN_name.sql if it should run")
    public static let trailingWhitespace = LintRule(
        id: "trailing-whitespace", family: .layout,
        reason: "trailing spaces or a CR make libyaml quote the whole file in the ConfigMap, and the diff unreadable",
        hint: "strip the whitespace at the ends of lines (and use LF line endings)")
    public static let unsafeCharacter = LintRule(
        id: "unsafe-character", family: .layout,
        reason: "a tab, a control character, a BOM, a line separator or a character beyond U+FFFF makes libyaml quote the whole file in the ConfigMap",
        hint: "spaces instead of tabs; escapes (E'\\u2028', U&'\\+01F600') for the other characters")

    public static let unterminated = LintRule(
        id: "unterminated", family: .syntax,
        reason: "a string, quoted identifier, comment or dollar-quoted body is still open at the end of the file, so psql fails the run",
        hint: "close it (the quote, */ or the $tag$ that opened it) before the end of the file")

    public static let schemaSumChanged = LintRule(
        id: "schema-sum-changed", family: .lock,
        reason: "a deployed schema file changed; databases that already ran it will never see the change",
        hint: "restore the file and put the change in a new file; if the file was never deployed, run schemajob sum again")
    public static let schemaSumMissingFile = LintRule(
        id: "schema-sum-missing-file", family: .lock,
        reason: "a deployed schema file is gone; schema files are append-only",
        hint: "restore the file; undo what it did in a new file instead")
    public static let schemaSumTampered = LintRule(
        id: "schema-sum-tampered", family: .lock,
        reason: "schema.sum was edited by hand: its last line no longer checksums the lines above",
        hint: "restore it from version control, then run schemajob sum")

    // `lint --from`: a schema file that ran on a database already is skipped there next
    // time (CREATE TABLE IF NOT EXISTS finds the table), so what was added inside it
    // reaches fresh installs only, and existing databases drift from them unseen.

    public static let upgradeColumnAdded = LintRule(
        id: "upgrade-column-added", family: .upgrade,
        reason: "a column added inside an existing CREATE TABLE never reaches databases where the table exists",
        hint: "add it in a new schema file: ALTER TABLE <table> ADD COLUMN IF NOT EXISTS <column> <type>;")
    public static let upgradeColumnChanged = LintRule(
        id: "upgrade-column-changed", family: .upgrade,
        reason: "a column's type, default or NOT NULL changed inside an existing CREATE TABLE: existing databases keep the old one",
        hint: "change it in a new schema file: ALTER TABLE <table> ALTER COLUMN <column> TYPE …, SET DEFAULT …, SET NOT NULL;")
    public static let upgradeColumnRemoved = LintRule(
        id: "upgrade-column-removed", family: .upgrade,
        reason: "a column taken out of an existing CREATE TABLE stays in databases where the table exists",
        hint: "put it back, or drop it everywhere in a new schema file: ALTER TABLE <table> DROP COLUMN IF EXISTS <column>;")
    public static let upgradeConstraintAdded = LintRule(
        id: "upgrade-constraint-added", family: .upgrade,
        reason: "a constraint added inside an existing CREATE TABLE never reaches databases where the table exists",
        hint: "add it in a new schema file, in a DO block that checks pg_constraint first")
    public static let upgradeEnumValueAdded = LintRule(
        id: "upgrade-enum-value-added", family: .upgrade,
        reason: "a value added inside an existing CREATE TYPE … AS ENUM never reaches databases where the type exists",
        hint: "add it in a new schema file: ALTER TYPE <type> ADD VALUE IF NOT EXISTS '<value>';")
    public static let upgradeFileRemoved = LintRule(
        id: "upgrade-file-removed", family: .upgrade,
        reason: "a schema file that ran is gone (or renamed): existing databases keep what it made, fresh installs do not get it (or run it under its new name, in a new place in the order)",
        hint: "restore it under its old name; undo what it did in a new file instead")

    /// Every rule, in the order `lint --help` lists them.
    public static let all: [LintRule] = [
        createIfNotExists, createOrReplace, createTrigger, unguardedCreate, addColumnIfNotExists,
        unguardedAddConstraint, addValueIfNotExists, unguardedRename, dropIfExists, insertWithoutOnConflict,
        nonTransactional, transactionControl,
        psqlMetaCommand, copyProgram, copyServerFile, copyFromStdin, largeObjectFile, serverFileFunction,
        untrustedLanguage, alterSystem, remoteConnection, setRole, resetAll, standardConformingStrings, storedEscape,
        dropTable, dropColumn, truncate, deleteWithoutWhere, updateWithoutWhere, unknownAllow,
        alterColumnType, volatileDefault, setNotNull, constraintNotValid, indexNotConcurrent, replaceTrigger,
        releaseDrop, releaseRename, releaseTypeChange, releaseNotNull, releaseSignature, contractBreaksNothing,
        fileName, duplicateNumber, notSQL, trailingWhitespace, unsafeCharacter,
        unterminated, schemaSumChanged, schemaSumMissingFile, schemaSumTampered,
        upgradeColumnAdded, upgradeColumnChanged, upgradeColumnRemoved, upgradeConstraintAdded,
        upgradeEnumValueAdded, upgradeFileRemoved,
    ]

    public static func rule(withID id: String) -> LintRule? {
        all.first { $0.id == id }
    }
}
