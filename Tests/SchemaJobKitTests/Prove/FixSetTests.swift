import Testing
@testable import SchemaJobKit

/// How `FixSet` turns differences into one script (whether a script works is proven
/// against PostgreSQL in ProveFixTests; these pin down the choices it makes).
@Suite struct FixSetTests {
    static func snapshot(_ records: [[String]]) -> CatalogSnapshot {
        CatalogSnapshot(records: records)
    }

    static let table = ["table", "public.jobs", "r", ""]

    @Test func anIndexUnderAnotherNameWithTheSameDefinitionIsOneRename() {
        let fresh = Self.snapshot([Self.table, ["index", "public.jobs_status_idx", "public.jobs", "CREATE INDEX jobs_status_idx ON public.jobs USING btree (status)"]])
        let upgraded = Self.snapshot([Self.table, ["index", "public.idx_status", "public.jobs", "CREATE INDEX idx_status ON public.jobs USING btree (status)"]])
        let fix = FixSet.build(from: fresh, to: upgraded)
        #expect(fix.script == "ALTER INDEX IF EXISTS idx_status RENAME TO jobs_status_idx;\n")
    }

    @Test func aTableUnderAnotherNameWithTheSameColumnsIsOneRenameThatCarriesItsConstraintsAndIndexes() {
        let fresh = Self.snapshot([
            Self.table, ["column", "public.jobs.id", "integer", "", "NOT NULL", "", "", ""], ["column", "public.jobs.note", "text", "", "", "", "", ""],
            ["constraint", "public.jobs.keep_pkey", "PRIMARY KEY (id)"],
            ["index", "public.keep_note_idx", "public.jobs", "CREATE INDEX keep_note_idx ON public.jobs USING btree (note)"],
            ["table", "public.other", "r", ""], ["column", "public.other.id", "integer", "", "", "", "", ""],
        ])
        let upgraded = Self.snapshot([
            ["table", "public.tasks", "r", ""], ["column", "public.tasks.id", "integer", "", "NOT NULL", "", "", ""],
            ["column", "public.tasks.note", "text", "", "", "", "", ""], ["constraint", "public.tasks.keep_pkey", "PRIMARY KEY (id)"],
            ["index", "public.keep_note_idx", "public.tasks", "CREATE INDEX keep_note_idx ON public.tasks USING btree (note)"],
            ["table", "public.other", "r", ""], ["column", "public.other.id", "integer", "", "", "", "", ""],
        ])
        #expect(FixSet.build(from: fresh, to: upgraded).script == "ALTER TABLE IF EXISTS tasks RENAME TO jobs;\n")
    }

    @Test func twoIndexesWithOneDefinitionAreNotGuessedBetween() {
        let definition = { (name: String) in "CREATE INDEX \(name) ON public.jobs USING btree (status)" }
        let fresh = Self.snapshot([Self.table, ["index", "public.a_idx", "public.jobs", definition("a_idx")]])
        let upgraded = Self.snapshot([
            Self.table, ["index", "public.b_idx", "public.jobs", definition("b_idx")], ["index", "public.c_idx", "public.jobs", definition("c_idx")],
        ])
        let script = FixSet.build(from: fresh, to: upgraded).script
        #expect(!script.contains("RENAME"), "\(script)")
        #expect(script.contains("CREATE INDEX IF NOT EXISTS a_idx ON public.jobs USING btree (status);"))
    }

    @Test func aMissingSequenceIsCreatedBeforeTheDefaultThatCallsItAndTheOldOneDroppedAfter() {
        let sequence = ["bigint", "1", "1", "1", "9223372036854775807", "1", "false"]
        let fresh = Self.snapshot([
            Self.table, ["column", "public.jobs.id", "bigint", "nextval('jobs_id_seq'::regclass)", "NOT NULL", "", "", ""],
            ["sequence", "public.jobs_id_seq"] + sequence, ["sequence", "public.spare_seq"] + sequence,
        ])
        let upgraded = Self.snapshot([
            Self.table, ["column", "public.jobs.id", "bigint", "nextval('spare_seq'::regclass)", "NOT NULL", "", "", ""],
            ["sequence", "public.spare_seq"] + sequence, ["sequence", "public.old_seq"] + ["integer", "1", "1", "1", "2147483647", "1", "false"],
        ])
        let lines = FixSet.build(from: fresh, to: upgraded).script.split(separator: "\n")
        let create = lines.firstIndex { $0.hasPrefix("CREATE SEQUENCE IF NOT EXISTS jobs_id_seq AS bigint") }
        let setDefault = lines.firstIndex { $0 == "ALTER TABLE jobs ALTER COLUMN id SET DEFAULT nextval('jobs_id_seq'::regclass);" }
        let drop = lines.firstIndex { $0 == "DROP SEQUENCE IF EXISTS old_seq;" }
        #expect(create != nil && setDefault != nil && drop != nil, "\(lines)")
        if let create, let setDefault, let drop { #expect(create < setDefault && setDefault < drop, "\(lines)") }
    }

    @Test func aPrimaryKeyOfAnotherDefinitionIsDroppedBeforeTheNewOneIsAddedAndForeignKeysGoFirstAndComeLast() {
        let fresh = Self.snapshot([
            Self.table, ["constraint", "public.jobs.jobs_pkey", "PRIMARY KEY (job_id)"],
            ["constraint", "public.jobs.jobs_parent_fkey", "FOREIGN KEY (parent) REFERENCES jobs(job_id)"],
        ])
        let upgraded = Self.snapshot([
            Self.table, ["constraint", "public.jobs.jobs_old_pkey", "PRIMARY KEY (id)"],
            ["constraint", "public.jobs.jobs_old_fkey", "FOREIGN KEY (parent) REFERENCES jobs(id)"],
        ])
        let script = FixSet.build(from: fresh, to: upgraded).script
        let order = ["DROP CONSTRAINT IF EXISTS jobs_old_fkey", "DROP CONSTRAINT IF EXISTS jobs_old_pkey", "ADD CONSTRAINT jobs_pkey", "ADD CONSTRAINT jobs_parent_fkey"]
            .map { script.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil }, "\(script)")
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "\(script)")
    }

    @Test func nullabilityAndDefaultsChangeInPlace() {
        let fresh = Self.snapshot([Self.table, ["column", "public.jobs.state", "text", "'new'::text", "NOT NULL", "", "", ""]])
        let upgraded = Self.snapshot([Self.table, ["column", "public.jobs.state", "text", "", "", "", "", ""]])
        #expect(FixSet.build(from: fresh, to: upgraded).script == """
            ALTER TABLE jobs ALTER COLUMN state SET DEFAULT 'new'::text;
            ALTER TABLE jobs ALTER COLUMN state SET NOT NULL;

            """)
    }
}
